using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Core;
using Edge.Devices.Bindings;
using Edge.Devices.Gpio;
using Edge.Devices.Ina226;
using Edge.Devices.Ina228;
using Edge.Devices.Sensors;
using Edge.Devices.Shunts;
using Edge.Runtime.Files;
using Iot.Device.Ads1115;

namespace Edge.Devices.Rig;

/// <summary>
/// Loads and validates rig files in three passes, collecting every fault with its JSON path, the value and the fix
/// (<c>$.inverters[0].unitId = 300: must be an integer from 1 to 247 (…)</c>) and throwing the whole list as one
/// <see cref="RigException"/> — the faults of all passes in one report (the third pass runs over a file the schema
/// refused whenever the records can hold it, and adds what is not about a value already refused); nothing half-valid
/// is returned:
/// <list type="number">
/// <item>JSON syntax (line and column) and the JSON Schema <c>hardware/rigs/rig.schema.json</c> (types, ranges,
/// required and unknown keys — all at once);</item>
/// <item>System.Text.Json with strict options onto typed records (<see cref="SerializerOptions"/>);</item>
/// <item>what a schema cannot say: cross references (bus ids, ALERT lines), unique ids, addresses and lines, per-chip
/// conversion times, whether each shunt/current pair can be calibrated on its chip, and whether the stale limit can be
/// met by each sensor's conversion time.</item>
/// </list>
/// Comments (<c>//</c>) and trailing commas are accepted (rig files are written by hand); duplicate keys are not.
/// </summary>
public static class RigLoader
{
    /// <summary>Largest rig file read, bytes (a rig file is a few kB; anything near this is the wrong file).</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        AllowDuplicateProperties = false,
        MaxDepth = 16,
    };

    /// <summary>
    /// The strict reader of rig files: unknown keys, <c>null</c> for a non-nullable member, missing required members
    /// and numbers written as strings are refused; no case-insensitive matching.
    /// </summary>
    internal static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
        PropertyNameCaseInsensitive = false,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowDuplicateProperties = false,
        MaxDepth = 16,
        TypeInfoResolver = RigJsonContext.Default,
    };

    private static readonly Dictionary<string, RigBusKind> BusKinds = new(StringComparer.Ordinal)
    {
        ["linux"] = RigBusKind.Linux,
        ["simulated"] = RigBusKind.Simulated,
    };

    private static readonly Dictionary<string, RigSensorType> SensorTypes = new(StringComparer.Ordinal)
    {
        ["ina226"] = RigSensorType.Ina226,
        ["ina228"] = RigSensorType.Ina228,
    };

    private static readonly Dictionary<string, ConversionReadyMode> ReadyModes = new(StringComparer.Ordinal)
    {
        ["poll"] = ConversionReadyMode.Polling,
        ["alert"] = ConversionReadyMode.AlertPin,
        ["none"] = ConversionReadyMode.None,
    };

    private static readonly Dictionary<string, Ina228AdcRange> AdcRanges = new(StringComparer.Ordinal)
    {
        ["auto"] = Ina228AdcRange.Auto,
        ["163.84mV"] = Ina228AdcRange.Range163mV,
        ["40.96mV"] = Ina228AdcRange.Range41mV,
    };

    private static readonly Dictionary<string, InputMultiplexer> AdcInputs = new(StringComparer.Ordinal)
    {
        ["ain0"] = InputMultiplexer.AIN0,
        ["ain1"] = InputMultiplexer.AIN1,
        ["ain2"] = InputMultiplexer.AIN2,
        ["ain3"] = InputMultiplexer.AIN3,
        ["ain0-ain1"] = InputMultiplexer.AIN0_AIN1,
        ["ain0-ain3"] = InputMultiplexer.AIN0_AIN3,
        ["ain1-ain3"] = InputMultiplexer.AIN1_AIN3,
        ["ain2-ain3"] = InputMultiplexer.AIN2_AIN3,
    };

    private static readonly Dictionary<double, MeasuringRange> AdcRangesV = new()
    {
        [6.144] = MeasuringRange.FS6144,
        [4.096] = MeasuringRange.FS4096,
        [2.048] = MeasuringRange.FS2048,
        [1.024] = MeasuringRange.FS1024,
        [0.512] = MeasuringRange.FS0512,
        [0.256] = MeasuringRange.FS0256,
    };

    private static readonly Dictionary<int, DataRate> AdcRates = new()
    {
        [8] = DataRate.SPS008,
        [16] = DataRate.SPS016,
        [32] = DataRate.SPS032,
        [64] = DataRate.SPS064,
        [128] = DataRate.SPS128,
        [250] = DataRate.SPS250,
        [475] = DataRate.SPS475,
        [860] = DataRate.SPS860,
    };

    private static readonly Dictionary<string, RigGpioRole> Roles = new(StringComparer.Ordinal)
    {
        ["estop"] = RigGpioRole.EmergencyStop,
        ["inverter-enable"] = RigGpioRole.InverterEnable,
        ["status-led"] = RigGpioRole.StatusLed,
        ["alert"] = RigGpioRole.Alert,
        ["input"] = RigGpioRole.Input,
        ["output"] = RigGpioRole.Output,
    };

    private static readonly Dictionary<string, GpioBias> Biases = new(StringComparer.Ordinal)
    {
        ["as-is"] = GpioBias.AsIs,
        ["pull-up"] = GpioBias.PullUp,
        ["pull-down"] = GpioBias.PullDown,
        ["disabled"] = GpioBias.Disabled,
    };

    private static readonly Dictionary<string, GpioEdgeDetection> EdgeChoices = new(StringComparer.Ordinal)
    {
        ["none"] = GpioEdgeDetection.None,
        ["rising"] = GpioEdgeDetection.Rising,
        ["falling"] = GpioEdgeDetection.Falling,
        ["both"] = GpioEdgeDetection.Both,
    };

    private static readonly Dictionary<string, GpioDrive> Drives = new(StringComparer.Ordinal)
    {
        ["push-pull"] = GpioDrive.PushPull,
        ["open-drain"] = GpioDrive.OpenDrain,
        ["open-source"] = GpioDrive.OpenSource,
    };

    /// <summary>Loads the rig file at <paramref name="path"/>. Throws <see cref="RigException"/> listing every fault.</summary>
    /// <param name="path">The rig file.</param>
    /// <param name="rules">The drivers' rules for inverter and meter entries, applied in pass 3; null: none.</param>
    /// <param name="hardware">
    /// True when the rig will be opened on real hardware (<see cref="LinuxRigBackend"/>: a file given as <c>--rig</c>):
    /// <c>"simulated"</c> buses are then refused in pass 3, since only the simulation backend can open them.
    /// </param>
    public static RigDefinition Load(string path, IRigEntryRules? rules = null, bool hardware = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(ReadBounded(path), path, rules, hardware);
    }

    /// <summary>
    /// Reads a hand-written input file of at most <paramref name="maxBytes"/> bytes through <see cref="InputFile"/>: a
    /// directory, FIFO, socket, device or missing file is refused without opening it, anything larger without reading
    /// it whole. A leading UTF-8 byte-order mark (as Windows editors write) is skipped. Throws <see cref="RigException"/> at "$".
    /// </summary>
    internal static string ReadBounded(string path, int maxBytes = MaxFileBytes)
    {
        if (InputFile.Problem(path) is { } problem)
        {
            throw new RigException(path, [new RigError("$", problem + (Directory.Exists(path) ? ": name a .json file inside it" : string.Empty))]);
        }

        byte[] bytes;
        try
        {
            if (!InputFile.TryReadBounded(path, maxBytes, out bytes))
            {
                throw new RigException(path, [new RigError("$", string.Create(CultureInfo.InvariantCulture,
                    $"is larger than {maxBytes / 1024 / 1024} MiB: a rig file is a few kB — is it the right file?"))]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RigException(path, [new RigError("$", $"cannot read the file: {e.Message}")]);
        }

        try
        {
            return InputFile.DecodeUtf8(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new RigException(path, [new RigError("$", "is not UTF-8 text (a rig file is JSON)")]);
        }
    }

    /// <summary>
    /// Parses rig JSON; <paramref name="source"/> names it in messages; <paramref name="rules"/> and
    /// <paramref name="hardware"/> as for <see cref="Load"/>.
    /// </summary>
    public static RigDefinition Parse(string json, string source = "inline", IRigEntryRules? rules = null, bool hardware = false)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new RigException(source, [new RigError("$", "not valid JSON " + Edge.Core.JsonSyntaxError.Describe(e, json))]);
        }

        using (document)
        {
            // Numbers a double cannot hold (1e309 reads as infinity, 1e-400 as 0) are refused where they are written,
            // before the schema or a later check meets the changed value.
            // A string escaping half a surrogate pair ("\ud800") is not text: nothing after this could read it.
            var scalarErrors = new List<RigError>();
            CheckScalars(document.RootElement, "$", scalarErrors);
            if (scalarErrors.Any(e => e.Message.StartsWith(NotText, StringComparison.Ordinal)))
            {
                throw new RigException(source, scalarErrors);
            }

            List<RigError> schemaErrors = [.. scalarErrors, .. RigSchema.Validate(document.RootElement).Where(e => !scalarErrors.Any(n => n.Path == e.Path))];
            RigFileJson? file;
            try
            {
                file = document.RootElement.Deserialize((System.Text.Json.Serialization.Metadata.JsonTypeInfo<RigFileJson>)SerializerOptions.GetTypeInfo(typeof(RigFileJson)));
            }
            catch (JsonException e)
            {
                // The records cannot hold a value (2.9 or 100.0 for an integer, "true" for a bool, an unknown key): the
                // third pass reads the file without those members, so the faults of every other entry are in this
                // report too. A whole number written with a fraction or exponent (100.0, 1E2), which the schema counts
                // as an integer, is refused here with its own words. If the file cannot be held even so (a required
                // member refused), the faults found so far stand alone.
                file = WithoutRefusedMembers(document.RootElement, schemaErrors);
                if (file is null)
                {
                    throw new RigException(source, schemaErrors.Count > 0 ? schemaErrors
                        : [new RigError(e.Path ?? "$", "cannot be read as the type hardware/rigs/rig.schema.json gives this key: write it as the schema shows")]);
                }
            }

            if (file is null)
            {
                throw new RigException(source, [.. schemaErrors, new RigError("$", "must be an object { … }", "null")]);
            }

            var errors = new List<RigError>();
            RigDefinition? rig = null;
            try
            {
                rig = Build(file, source, errors, hardware);
            }
            catch (Exception) when (schemaErrors.Count > 0)
            {
                // The cross-reference pass is best-effort over values the schema refused (it may meet one it cannot
                // take); the schema's faults are reported either way.
            }

            if (rig is not null && rules is not null)
            {
                foreach (RigInverterEntry e in rig.Inverters)
                {
                    if (!schemaErrors.Any(s => Covers(EntryOf(s.Path), e.Path)))
                    {
                        errors.AddRange(rules.Check(e));
                    }
                }

                foreach (RigMeterEntry e in rig.Meters)
                {
                    if (!schemaErrors.Any(s => Covers(EntryOf(s.Path), e.Path)))
                    {
                        errors.AddRange(rules.Check(e));
                    }
                }
            }

            if (schemaErrors.Count > 0 || errors.Count > 0)
            {
                // Every fault at once: the schema's, then the cross references' of the entries it found no fault in
                // (within an entry with a refused value, pass 3 would only repeat its consequences).
                var all = new List<RigError>(schemaErrors);
                foreach (RigError e in errors)
                {
                    if (!schemaErrors.Any(s => Covers(EntryOf(s.Path), e.Path)))
                    {
                        all.Add(e);
                    }
                }

                throw new RigException(source, all);
            }

            return rig!;
        }
    }

    /// <summary>
    /// The file read onto the records for the third pass without the members they cannot hold (2.9 for an integer,
    /// <c>"true"</c> for a bool, an unknown key): each is removed where the reader stops, and the reading retried. Null
    /// when that does not succeed (e.g. a required member cannot be held).
    /// </summary>
    private static RigFileJson? WithoutRefusedMembers(JsonElement root, List<RigError> refused)
    {
        if (System.Text.Json.Nodes.JsonNode.Parse(root.GetRawText(), null, DocumentOptions) is not System.Text.Json.Nodes.JsonObject pruned)
        {
            return null;
        }

        // A refused number is first replaced by its whole part (a required member cannot be left out, and the value is
        // refused already, so the cross-reference pass skips its entry); only if that cannot be held either is it removed.
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        for (int attempt = 0; attempt <= (2 * refused.Count) + 2; attempt++)
        {
            try
            {
                return pruned.Deserialize((System.Text.Json.Serialization.Metadata.JsonTypeInfo<RigFileJson>)SerializerOptions.GetTypeInfo(typeof(RigFileJson)));
            }
            catch (JsonException e)
            {
                // Only a member refused already is left out (the reader names where it stopped), or a whole number
                // written with a fraction or exponent, which is refused here.
                string? path = e.Path;
                int dot = path?.LastIndexOf('.') ?? -1;
                if (path is null || dot <= 1 || Find(pruned, path[..dot]) is not System.Text.Json.Nodes.JsonObject owner)
                {
                    return null;
                }

                if (!refused.Any(r => r.Path == path))
                {
                    if (Find(pruned, path) is not System.Text.Json.Nodes.JsonValue value || value.GetValueKind() != JsonValueKind.Number
                        || value.ToJsonString() is not { } written || written.AsSpan().IndexOfAny(".eE") < 0)
                    {
                        return null;
                    }

                    refused.Add(new RigError(path, "must be a whole number written without a decimal point or exponent (e.g. 100, not 100.0 or 1E2)", written));
                }

                string member = path[(dot + 1)..];
                if (replaced.Add(path) && owner[member] is System.Text.Json.Nodes.JsonValue number && number.GetValueKind() == JsonValueKind.Number
                    && number.TryGetValue(out double d) && double.IsFinite(d) && Math.Abs(d) <= int.MaxValue)
                {
                    owner[member] = (int)Math.Truncate(d);
                    continue;
                }

                if (!owner.Remove(member))
                {
                    return null;
                }
            }
        }

        return null;
    }

    /// <summary>The node at a simple JSON path (<c>$.a[1].b</c>), or null.</summary>
    private static System.Text.Json.Nodes.JsonNode? Find(System.Text.Json.Nodes.JsonNode root, string path)
    {
        System.Text.Json.Nodes.JsonNode? node = root;
        int i = 1; // after "$"
        while (node is not null && i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                node = node is System.Text.Json.Nodes.JsonObject o && o.TryGetPropertyValue(path[(i + 1)..end], out var child) ? child : null;
                i = end;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                node = end > i && int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int k)
                    && node is System.Text.Json.Nodes.JsonArray a && k < a.Count ? a[k] : null;
                i = end < 0 ? path.Length : end + 1;
            }
            else
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The entry a path is in: <c>$.sensors[3].shuntOhm</c> → <c>$.sensors[3]</c>; a top-level key is its own entry.</summary>
    private static string EntryOf(string path)
    {
        int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut > 1 ? path[..cut] : path;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="outer"/> or inside it (<c>$.a[1]</c> covers <c>$.a[1].b</c>, not <c>$.a[10]</c>).</summary>
    private static bool Covers(string outer, string path) =>
        path.StartsWith(outer, StringComparison.Ordinal) && (path.Length == outer.Length || path[outer.Length] is '.' or '[');

    private static RigDefinition Build(RigFileJson file, string source, List<RigError> errors, bool hardware)
    {
        double periodMs = file.Sampling?.PeriodMs ?? 1;
        var health = new RigHealth(file.Health?.StalePeriods ?? 3, file.Health?.BusErrorPeriods ?? 2, file.Health?.StuckSamples ?? 2000);
        var aggregation = new RigAggregation(file.Aggregation?.DecayS ?? 5, file.Aggregation?.MaxEstimatedFraction ?? 0.5);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        List<RigBus> buses = ReadBuses(file.Buses ?? [], errors, ids, hardware);
        List<RigGpioLine> gpio = ReadGpio(file.Gpio ?? [], errors, ids);
        var addresses = new Dictionary<(string, int), string>();
        List<RigSensor> sensors = ReadSensors(file.Sensors, errors, ids, buses, gpio, health, periodMs, addresses);
        List<RigPowerChannel> channels = ReadPowerChannels(file.PowerChannels ?? [], errors, ids, buses, addresses);
        List<RigTemperatureSensor> thermometers = ReadTemperatureSensors(file.TemperatureSensors ?? [], errors, ids, buses, health, periodMs, addresses);
        var inverters = new List<RigInverterEntry>();
        IReadOnlyList<RigInverterEntry> inverterItems = file.Inverters ?? [];
        for (int i = 0; i < inverterItems.Count; i++)
        {
            string path = $"$.inverters[{i}]";
            CheckHost(path, inverterItems[i].Host, errors);
            if (ClaimId(ids, inverterItems[i].Id, path, errors))
            {
                inverters.Add(inverterItems[i] with { Path = path });
            }
        }

        var meters = new List<RigMeterEntry>();
        IReadOnlyList<RigMeterEntry> meterItems = file.Meters ?? [];
        for (int i = 0; i < meterItems.Count; i++)
        {
            string path = $"$.meters[{i}]";
            if (i > 0)
            {
                errors.Add(new RigError(path, "only one site meter is supported: remove this entry or the first", $"\"{meterItems[i].Id}\""));
            }

            CheckHost(path, meterItems[i].Host, errors);
            if (ClaimId(ids, meterItems[i].Id, path, errors))
            {
                meters.Add(meterItems[i] with { Path = path });
            }
        }

        return new RigDefinition
        {
            Name = file.Name,
            Description = file.Description ?? string.Empty,
            Source = source,
            SamplingPeriodMs = periodMs,
            Buses = buses,
            Sensors = sensors,
            PowerChannels = channels,
            TemperatureSensors = thermometers,
            Gpio = gpio,
            Health = health,
            Aggregation = aggregation,
            Inverters = inverters,
            Meters = meters,
        };
    }

    /// <summary>
    /// Records <paramref name="id"/> as the id of the entry at <paramref name="path"/>: false (and a fault) when it is not
    /// one MQTT topic level (<see cref="TopicLevel"/>: ids name the devices' topics and Sparkplug devices) or is taken.
    /// </summary>
    private static bool ClaimId(Dictionary<string, string> ids, string id, string path, List<RigError> errors)
    {
        if (TopicLevel.Problem(id) is { } problem)
        {
            errors.Add(new RigError(path + ".id", $"must be {TopicLevel.Rule}: it {problem}", Quote(id)));
            return false;
        }

        if (ids.TryGetValue(id, out string? first))
        {
            errors.Add(new RigError(path + ".id", $"is already used at {first}: ids must be unique across the rig", Quote(id)));
            return false;
        }

        ids[id] = path;
        return true;
    }

    private static List<RigBus> ReadBuses(IReadOnlyList<RigBusJson> items, List<RigError> errors, Dictionary<string, string> ids, bool hardware)
    {
        var buses = new List<RigBus>();
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"$.buses[{i}]";
            RigBusJson b = items[i];
            RigBusKind kind = BusKinds[b.Kind];
            if (kind == RigBusKind.Linux && b.Device is null)
            {
                errors.Add(new RigError(path + ".device", "is missing: a linux bus needs its character device, e.g. \"/dev/i2c-1\""));
            }

            if (kind == RigBusKind.Simulated && hardware)
            {
                errors.Add(new RigError(path + ".kind", "a rig file given as --rig runs on real hardware, where only \"linux\" buses can be opened: "
                    + "write \"kind\": \"linux\" with its \"device\" (e.g. \"/dev/i2c-1\"), or run the simulated rig with --rig sim", "\"simulated\""));
            }

            if (ClaimId(ids, b.Id, path, errors))
            {
                buses.Add(new RigBus(b.Id, kind, b.Device, b.SpeedHz ?? 400_000, path));
            }
        }

        return buses;
    }

    private static List<RigGpioLine> ReadGpio(IReadOnlyList<RigGpioJson> items, List<RigError> errors, Dictionary<string, string> ids)
    {
        var lines = new List<RigGpioLine>();
        var used = new Dictionary<(string, int), string>();
        var singletons = new Dictionary<RigGpioRole, string>();
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"$.gpio[{i}]";
            RigGpioJson g = items[i];
            RigGpioRole role = Roles[g.Role];
            GpioDirection defaultDirection = role is RigGpioRole.InverterEnable or RigGpioRole.StatusLed or RigGpioRole.Output
                ? GpioDirection.Output
                : GpioDirection.Input;
            GpioDirection direction = g.Direction switch
            {
                "input" => GpioDirection.Input,
                "output" => GpioDirection.Output,
                _ => defaultDirection,
            };
            if (direction != defaultDirection && role is not (RigGpioRole.Input or RigGpioRole.Output))
            {
                errors.Add(new RigError(path + ".direction", $"role \"{g.Role}\" is {(defaultDirection == GpioDirection.Input ? "an input" : "an output")}: remove \"direction\"", $"\"{g.Direction}\""));
            }

            bool activeLow = g.ActiveLow ?? (role == RigGpioRole.EmergencyStop || role == RigGpioRole.Alert);
            // E-stop sense reads the run permit (high while the hard-wired chain is closed): pressed, 24 V lost or a broken
            // wire all read low = asserted, hence active-low with a pull-down by default (hardware/README.md).
            GpioBias bias = g.Bias is null ? (role == RigGpioRole.EmergencyStop ? GpioBias.PullDown : GpioBias.AsIs) : Biases[g.Bias];
            GpioEdgeDetection edges = g.Edges is null
                ? (direction == GpioDirection.Input ? (role == RigGpioRole.Alert ? GpioEdgeDetection.Rising : GpioEdgeDetection.Both) : GpioEdgeDetection.None)
                : EdgeChoices[g.Edges];
            int debounce = g.DebounceUs ?? (role == RigGpioRole.EmergencyStop ? 5000 : 0);
            bool initial = g.Initial ?? false;
            GpioDrive drive = g.Drive is null ? GpioDrive.PushPull : Drives[g.Drive];

            if (direction == GpioDirection.Output && (edges != GpioEdgeDetection.None || debounce != 0))
            {
                errors.Add(new RigError(path + ".edges", "edges and debounceUs apply to inputs only: remove them from this output"));
            }

            if (direction == GpioDirection.Input && (drive != GpioDrive.PushPull || initial))
            {
                errors.Add(new RigError(path + ".drive", "drive and initial apply to outputs only: remove them from this input"));
            }

            if (role is RigGpioRole.EmergencyStop or RigGpioRole.InverterEnable or RigGpioRole.StatusLed)
            {
                if (singletons.TryGetValue(role, out string? other))
                {
                    errors.Add(new RigError(path + ".role", $"only one \"{g.Role}\" line is allowed (the first is {other})", $"\"{g.Role}\""));
                }
                else
                {
                    singletons[role] = path;
                }
            }

            if (used.TryGetValue((g.Chip, g.Line), out string? owner))
            {
                errors.Add(new RigError(path + ".line", $"line {g.Line} on chip \"{g.Chip}\" is already used at {owner}", g.Line.ToString(CultureInfo.InvariantCulture)));
            }
            else
            {
                used[(g.Chip, g.Line)] = path;
            }

            if (ClaimId(ids, g.Id, path, errors))
            {
                var settings = new GpioLineSettings(g.Line, direction)
                {
                    ActiveLow = activeLow,
                    Bias = bias,
                    Edges = direction == GpioDirection.Input ? edges : GpioEdgeDetection.None,
                    DebounceUs = direction == GpioDirection.Input ? debounce : 0,
                    InitialActive = direction == GpioDirection.Output && initial,
                    Drive = direction == GpioDirection.Output ? drive : GpioDrive.PushPull,
                    Consumer = "edge:" + g.Id,
                };
                lines.Add(new RigGpioLine { Id = g.Id, Role = role, Chip = g.Chip, Line = g.Line, Settings = settings, Path = path });
            }
        }

        return lines;
    }

    private static List<RigSensor> ReadSensors(IReadOnlyList<RigSensorJson> items, List<RigError> errors, Dictionary<string, string> ids,
        List<RigBus> buses, List<RigGpioLine> gpio, RigHealth health, double periodMs, Dictionary<(string, int), string> addresses)
    {
        var sensors = new List<RigSensor>();
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"$.sensors[{i}]";
            RigSensorJson s = items[i];
            int before = errors.Count;
            RigSensorType type = SensorTypes[s.Type];
            string chip = s.Type.ToUpperInvariant();
            RigBus? bus = buses.Find(b => b.Id == s.Bus);
            if (bus is null)
            {
                errors.Add(new RigError(path + ".bus", $"no such bus in $.buses: use one of {string.Join(", ", buses.Select(b => "\"" + b.Id + "\""))}", $"\"{s.Bus}\""));
            }

            if (s.Address is < 0x40 or > 0x4F)
            {
                errors.Add(new RigError(path + ".address", "must be 0x40–0x4F: the A1/A0 straps of an INA226/INA228 give only these", string.Create(CultureInfo.InvariantCulture, $"0x{s.Address:X2}")));
            }

            InaAveragingCounts.TryFromCount(s.Averaging ?? 1, out InaAveraging averaging);
            IReadOnlyList<int> times = type == RigSensorType.Ina226 ? Ina226ConversionTimes.Supported : Ina228ConversionTimes.Supported;
            int defaultTime = type == RigSensorType.Ina226 ? 332 : 280;
            string timeRule = $"must be one of {string.Join(", ", times)} µs for {chip}";
            int busUs = s.BusConversionUs ?? defaultTime;
            int shuntUs = s.ShuntConversionUs ?? defaultTime;
            if (!times.Contains(busUs))
            {
                errors.Add(new RigError(path + ".busConversionUs", timeRule, busUs.ToString(CultureInfo.InvariantCulture)));
            }

            if (!times.Contains(shuntUs))
            {
                errors.Add(new RigError(path + ".shuntConversionUs", timeRule, shuntUs.ToString(CultureInfo.InvariantCulture)));
            }

            Ina228AdcRange adcRange = s.AdcRange is null ? Ina228AdcRange.Auto : AdcRanges[s.AdcRange];
            if (type == RigSensorType.Ina226)
            {
                if (s.TemperatureConversionUs is { } t)
                {
                    errors.Add(new RigError(path + ".temperatureConversionUs", "applies to INA228 only: remove it", t.ToString(CultureInfo.InvariantCulture)));
                }

                if (s.AdcRange is { } r)
                {
                    errors.Add(new RigError(path + ".adcRange", "applies to INA228 only: remove it", $"\"{r}\""));
                }
            }

            ConversionReadyMode ready = s.ConversionReady is null ? ConversionReadyMode.Polling : ReadyModes[s.ConversionReady];
            if (ready == ConversionReadyMode.AlertPin && s.AlertGpio is null)
            {
                errors.Add(new RigError(path + ".alertGpio", "is missing: \"conversionReady\": \"alert\" needs the id of the GPIO input wired to ALERT"));
            }

            if (s.AlertGpio is { } alertGpio)
            {
                RigGpioLine? line = gpio.Find(g => g.Id == alertGpio);
                if (line is null)
                {
                    errors.Add(new RigError(path + ".alertGpio", "no such line in $.gpio: add it (role \"alert\") or fix the id", $"\"{alertGpio}\""));
                }
                else if (line.Settings.Direction != GpioDirection.Input || line.Settings.Edges == GpioEdgeDetection.None)
                {
                    errors.Add(new RigError(path + ".alertGpio", "must name an input with edge detection (role \"alert\")", $"\"{alertGpio}\""));
                }

                if (ready != ConversionReadyMode.AlertPin)
                {
                    errors.Add(new RigError(path + ".alertGpio", "is only used with \"conversionReady\": \"alert\": set that or remove alertGpio", $"\"{alertGpio}\""));
                }
            }

            double minPowerW = s.MinPowerW ?? double.NegativeInfinity;
            double maxPowerW = s.MaxPowerW ?? double.PositiveInfinity;
            if (maxPowerW <= minPowerW)
            {
                errors.Add(new RigError(path + ".maxPowerW", $"must be above minPowerW ({F(minPowerW)}): swap them or fix one", F(maxPowerW)));
            }

            double minBusV = s.MinBusVoltageV ?? double.NegativeInfinity;
            double maxBusV = s.MaxBusVoltageV ?? double.PositiveInfinity;
            if (maxBusV <= minBusV)
            {
                errors.Add(new RigError(path + ".maxBusVoltageV", $"must be above minBusVoltageV ({F(minBusV)}): swap them or fix one", F(maxBusV)));
            }

            RigSensorSimulation simulation = new(
                s.Simulation?.LoadShare ?? double.NaN, s.Simulation?.BusVoltageV ?? double.NaN, s.Simulation?.SourceOhm ?? 0, s.Simulation?.NoiseLsb ?? 0);
            double maxBus = type == RigSensorType.Ina226 ? 36 : 85;
            if (simulation.BusVoltageV > maxBus)
            {
                errors.Add(new RigError(path + ".simulation.busVoltageV", $"must be at most {F(maxBus)} V for {chip} (the chip's common-mode limit)", F(simulation.BusVoltageV)));
            }

            CheckCalibration(path, errors, type, s.ShuntOhm, s.MaxCurrentA, s.CurrentLsbA ?? double.NaN, adcRange);
            CheckStale(path, errors, type, averaging, busUs, shuntUs, health, periodMs);
            if (bus is not null)
            {
                if (addresses.TryGetValue((bus.Id, s.Address), out string? other))
                {
                    errors.Add(new RigError(path + ".address", $"is already used on bus \"{bus.Id}\" at {other}: strap a different A1/A0", Hex(s.Address)));
                }
                else
                {
                    addresses[(bus.Id, s.Address)] = path;
                }
            }

            if (ClaimId(ids, s.Id, path, errors) && errors.Count == before)
            {
                sensors.Add(new RigSensor
                {
                    Id = s.Id,
                    Type = type,
                    Bus = s.Bus,
                    Address = s.Address,
                    ShuntOhm = s.ShuntOhm,
                    MaxCurrentA = s.MaxCurrentA,
                    CurrentLsbA = s.CurrentLsbA ?? double.NaN,
                    Rack = s.Rack,
                    Weight = s.Weight ?? 1,
                    Averaging = averaging,
                    BusConversionUs = busUs,
                    ShuntConversionUs = shuntUs,
                    TemperatureConversionUs = s.TemperatureConversionUs ?? 50,
                    AdcRange = adcRange,
                    ConversionReady = ready,
                    AlertGpio = s.AlertGpio,
                    MinPowerW = minPowerW,
                    MaxPowerW = maxPowerW,
                    MinBusVoltageV = minBusV,
                    MaxBusVoltageV = maxBusV,
                    SlowReadEvery = s.SlowReadEvery ?? 10,
                    Simulation = simulation,
                    Path = path,
                });
            }
        }

        return sensors;
    }

    private static List<RigPowerChannel> ReadPowerChannels(IReadOnlyList<RigPowerChannelJson> items, List<RigError> errors, Dictionary<string, string> ids,
        List<RigBus> buses, Dictionary<(string, int), string> addresses)
    {
        var channels = new List<RigPowerChannel>();
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"$.powerChannels[{i}]";
            RigPowerChannelJson c = items[i];
            int before = errors.Count;
            CheckBusAndAddress(path, c.Bus, c.Address, buses, addresses, errors, "wire ADDR to another pin (0x48–0x4B)");
            var channel = new Ads1115ChannelOptions
            {
                Input = c.Input is null ? InputMultiplexer.AIN0 : AdcInputs[c.Input],
                Range = c.RangeV is null ? MeasuringRange.FS4096 : AdcRangesV[c.RangeV.Value],
                DataRate = c.DataRateSps is null ? DataRate.SPS860 : AdcRates[c.DataRateSps.Value],
                GainWPerV = c.GainWPerV,
                OffsetW = c.OffsetW ?? 0,
                MinVolts = c.MinVolts ?? double.NegativeInfinity,
                MaxVolts = c.MaxVolts ?? double.PositiveInfinity,
            };
            if (c.GainWPerV == 0)
            {
                errors.Add(new RigError(path + ".gainWPerV", "must not be 0: the transfer function powerW = gainWPerV × volts + offsetW would read a constant", F(c.GainWPerV)));
            }

            if (channel.MaxVolts <= channel.MinVolts)
            {
                errors.Add(new RigError(path + ".maxVolts", $"must be above minVolts ({F(channel.MinVolts)}): swap them or fix one", F(channel.MaxVolts)));
            }

            double fullScale = Ads1115ChannelOptions.FullScaleVolts(channel.Range);
            if (c.MaxVolts is { } maxV && maxV >= fullScale)
            {
                errors.Add(new RigError(path + ".maxVolts", $"must be below the full scale of rangeV ({F(fullScale)} V): the ADC saturates there — pick a larger rangeV", F(maxV)));
            }

            double minPowerW = c.MinPowerW ?? double.NegativeInfinity;
            double maxPowerW = c.MaxPowerW ?? double.PositiveInfinity;
            if (maxPowerW <= minPowerW)
            {
                errors.Add(new RigError(path + ".maxPowerW", $"must be above minPowerW ({F(minPowerW)}): swap them or fix one", F(maxPowerW)));
            }

            if (ClaimId(ids, c.Id, path, errors) && errors.Count == before)
            {
                channels.Add(new RigPowerChannel
                {
                    Id = c.Id,
                    Bus = c.Bus,
                    Address = c.Address,
                    Channel = channel,
                    MinPowerW = minPowerW,
                    MaxPowerW = maxPowerW,
                    Rack = c.Rack,
                    Weight = c.Weight ?? 1,
                    SimulatedLoadShare = c.Simulation?.LoadShare ?? double.NaN,
                    SimulatedNoiseVolts = c.Simulation?.NoiseVolts ?? 0,
                    Path = path,
                });
            }
        }

        return channels;
    }

    private static List<RigTemperatureSensor> ReadTemperatureSensors(IReadOnlyList<RigTemperatureSensorJson> items, List<RigError> errors,
        Dictionary<string, string> ids, List<RigBus> buses, RigHealth health, double periodMs, Dictionary<(string, int), string> addresses)
    {
        var sensors = new List<RigTemperatureSensor>();
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"$.temperatureSensors[{i}]";
            RigTemperatureSensorJson t = items[i];
            int before = errors.Count;
            CheckBusAndAddress(path, t.Bus, t.Address, buses, addresses, errors, "set A2..A0 to another address (0x48–0x4F)");
            double hysteresis = t.HysteresisC ?? 2;
            double low = t.LowC ?? double.NegativeInfinity;
            double minC = t.MinPlausibleC ?? -40;
            double maxC = t.MaxPlausibleC ?? 125;
            if (maxC <= minC)
            {
                errors.Add(new RigError(path + ".maxPlausibleC", $"must be above minPlausibleC ({F(minC)}): swap them or fix one", F(maxC)));
            }
            else if (t.HighC <= minC || t.HighC >= maxC)
            {
                errors.Add(new RigError(path + ".highC", $"must lie inside the plausible range {F(minC)}…{F(maxC)} °C, or the alarm could never be raised", F(t.HighC)));
            }

            if (t.LowC is { } lowC && lowC + hysteresis >= t.HighC - hysteresis)
            {
                errors.Add(new RigError(path + ".lowC", $"the low band (clears at lowC + hysteresisC) must end below where the high band clears (highC − hysteresisC = {F(t.HighC - hysteresis)} °C): lower lowC or the hysteresis", F(lowC)));
            }

            int readEveryMs = t.ReadEveryMs ?? 1000;
            if (readEveryMs < periodMs)
            {
                errors.Add(new RigError(path + ".readEveryMs", $"must be at least $.sampling.periodMs ({F(periodMs)} ms): the sensor is read on its bus's sampler thread", readEveryMs.ToString(CultureInfo.InvariantCulture)));
            }

            if (ClaimId(ids, t.Id, path, errors) && errors.Count == before)
            {
                sensors.Add(new RigTemperatureSensor
                {
                    Id = t.Id,
                    Bus = t.Bus,
                    Address = t.Address,
                    Options = new TemperatureSensorOptions
                    {
                        ReadEveryPeriods = Math.Max(1, (int)Math.Round(readEveryMs / periodMs)),
                        HighC = t.HighC,
                        LowC = low,
                        HysteresisC = hysteresis,
                        MinPlausibleC = minC,
                        MaxPlausibleC = maxC,
                        BusErrorReads = health.BusErrorPeriods,
                    },
                    SimulatedTemperatureC = t.Simulation?.TemperatureC ?? 25,
                    Path = path,
                });
            }
        }

        return sensors;
    }

    /// <summary>The bus must exist and the address be free on it (INA sensors, power channels and thermometers share the buses).</summary>
    /// <summary>A host is a DNS name or an IPv4/IPv6 address: a port (<c>127.0.0.1:502</c>) or a space is refused here, not at the first connection.</summary>
    private static void CheckHost(string path, string? host, List<RigError> errors)
    {
        if (host is not null && Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            string hint = host.Contains(':', StringComparison.Ordinal) && Uri.CheckHostName(host[..host.LastIndexOf(':')]) != UriHostNameType.Unknown
                ? "a host name or address without a port (the port goes in \"port\")"
                : "a host name or an IPv4/IPv6 address";
            errors.Add(new RigError(path + ".host", $"must be {hint}", $"\"{host}\""));
        }
    }

    private static void CheckBusAndAddress(string path, string busId, int address, List<RigBus> buses, Dictionary<(string, int), string> addresses,
        List<RigError> errors, string fix)
    {
        RigBus? bus = buses.Find(b => b.Id == busId);
        if (bus is null)
        {
            errors.Add(new RigError(path + ".bus", $"no such bus in $.buses: use one of {string.Join(", ", buses.Select(b => "\"" + b.Id + "\""))}", $"\"{busId}\""));
            return;
        }

        if (addresses.TryGetValue((bus.Id, address), out string? other))
        {
            errors.Add(new RigError(path + ".address", $"is already used on bus \"{bus.Id}\" at {other}: {fix}", Hex(address)));
        }
        else
        {
            addresses[(bus.Id, address)] = path;
        }
    }

    private static string Hex(int address) => string.Create(CultureInfo.InvariantCulture, $"0x{address:X2}");

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A string value as the file wrote it, shortened like the schema's values (an id of 70 000 characters is not echoed whole).</summary>
    private static string Quote(string text) => OptionError.Shorten("\"" + text + "\"");

    /// <summary>
    /// Every string that is not text (a lone surrogate escape) and every number in the document a double cannot hold: beyond ±1.8e308 (it would read as infinity) or nonzero but
    /// below 5e-324 in magnitude (it would read as 0).
    /// </summary>
    private static void CheckScalars(JsonElement element, string path, List<RigError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty p in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = p.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        errors.Add(new RigError(path, NotText + " (in a key name)"));
                        continue;
                    }

                    CheckScalars(p.Value, path + "." + name, errors);
                }

                break;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                }
                catch (InvalidOperationException)
                {
                    errors.Add(new RigError(path, NotText, OptionError.Shorten(element.GetRawText())));
                }

                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    CheckScalars(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]"), errors);
                }

                break;
            case JsonValueKind.Number:
                string written = element.GetRawText();
                double value = double.Parse(written, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (double.IsInfinity(value))
                {
                    errors.Add(new RigError(path, "is too large: a number here must lie within ±1.8e308 (and within this key's range)", OptionError.Shorten(written)));
                }
                else if (value == 0 && written.AsSpan(0, Mantissa(written)).IndexOfAnyInRange('1', '9') >= 0)
                {
                    errors.Add(new RigError(path, "is too close to 0 to be told from 0 (below 5e-324): write 0 or a value this key accepts", OptionError.Shorten(written)));
                }

                break;
        }
    }

    private const string NotText = "escapes half a UTF-16 surrogate pair (\\uD800–\\uDFFF alone), which is not text: remove it";

    private static int Mantissa(string number)
    {
        int e = number.AsSpan().IndexOfAny('e', 'E');
        return e < 0 ? number.Length : e;
    }

    private static void CheckCalibration(string path, List<RigError> errors, RigSensorType type, double shuntOhm, double maxCurrentA, double currentLsbA, Ina228AdcRange range)
    {
        try
        {
            if (type == RigSensorType.Ina226)
            {
                Ina226Calibration.Compute(shuntOhm, maxCurrentA, currentLsbA);
            }
            else
            {
                Ina228Calibration.Compute(shuntOhm, maxCurrentA, range, currentLsbA);
            }
        }
        catch (ArgumentException e)
        {
            // The chip's rule names the value it refused (shuntOhm, maxCurrentA or currentLsbA): the fault is reported there.
            string message = e.Message;
            int cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
            cut = cut > 0 ? cut : message.IndexOf(Environment.NewLine, StringComparison.Ordinal);
            (string key, double value) = e.ParamName switch
            {
                "shuntOhm" => ("shuntOhm", shuntOhm),
                "currentLsbA" => ("currentLsbA", currentLsbA),
                _ => ("maxCurrentA", maxCurrentA),
            };
            errors.Add(new RigError(path + "." + key, (cut > 0 ? message[..cut] : message).TrimEnd('.'), F(value)));
        }
    }

    private static void CheckStale(string path, List<RigError> errors, RigSensorType type, InaAveraging averaging, int busUs, int shuntUs, RigHealth health, double periodMs)
    {
        double conversionMs = (busUs + shuntUs) * averaging.SampleCount() / 1000.0;
        double allowedMs = health.StalePeriods * periodMs;
        if (conversionMs >= allowedMs)
        {
            errors.Add(new RigError(path + ".averaging", string.Create(CultureInfo.InvariantCulture,
                $"one {type.ToString().ToUpperInvariant()} result takes {conversionMs:0.###} ms, but $.health.stalePeriods × $.sampling.periodMs = {allowedMs:0.###} ms: the sensor would always be stale — shorten the conversion or raise stalePeriods"),
                averaging.SampleCount().ToString(CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>The names the loader maps to enums (the schema's <c>enum</c> lists must match; a test compares them).</summary>
    internal static IReadOnlyDictionary<string, IReadOnlyCollection<string>> Choices { get; } = new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal)
    {
        ["bus.kind"] = BusKinds.Keys,
        ["sensor.type"] = SensorTypes.Keys,
        ["sensor.conversionReady"] = ReadyModes.Keys,
        ["sensor.adcRange"] = AdcRanges.Keys,
        ["powerChannel.input"] = AdcInputs.Keys,
        ["gpio.role"] = Roles.Keys,
        ["gpio.bias"] = Biases.Keys,
        ["gpio.edges"] = EdgeChoices.Keys,
        ["gpio.drive"] = Drives.Keys,
    };
}
