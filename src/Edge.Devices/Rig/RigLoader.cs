using System.Globalization;
using System.Text.Json;
using Edge.Devices.Gpio;
using Edge.Devices.Ina226;
using Edge.Devices.Ina228;
using Edge.Devices.Shunts;

namespace Edge.Devices.Rig;

/// <summary>
/// Loads and validates rig files. Every fault is collected with its JSON path (<c>$.sensors[3].shuntOhm: must be a
/// number &gt; 0 Ω (got -1)</c>) and the whole list is thrown as one <see cref="RigException"/>; nothing half-valid is
/// returned. Beyond types and ranges it checks cross references (bus ids, ALERT lines), unique ids and addresses,
/// whether each shunt/current pair can be calibrated on its chip, and whether the stale limit can be met by each
/// sensor's conversion time.
/// </summary>
public static class RigLoader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
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
    public static RigDefinition Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RigException(path, [new RigError("$", $"cannot read the file: {e.Message}")]);
        }

        return Parse(text, path);
    }

    /// <summary>Parses rig JSON; <paramref name="source"/> names it in messages.</summary>
    public static RigDefinition Parse(string json, string source = "inline")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line
                ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, byte {e.BytePositionInLine + 1}")
                : string.Empty;
            throw new RigException(source, [new RigError("$", $"not valid JSON{where}: {e.Message}")]);
        }

        using (document)
        {
            var errors = new List<RigError>();
            RigDefinition? rig = Read(document.RootElement, source, errors);
            if (errors.Count > 0 || rig is null)
            {
                throw new RigException(source, errors);
            }

            return rig;
        }
    }

    private static RigDefinition? Read(JsonElement root, string source, List<RigError> errors)
    {
        var r = new RigJson(root, "$", errors);
        if (!r.IsObject)
        {
            return null;
        }

        string name = r.String("name", required: true) ?? "?";
        string description = r.String("description", required: false) ?? string.Empty;
        _ = r.String("$schema", required: false);

        double periodMs = 1;
        if (r.TryGet("sampling", out JsonElement samplingElement))
        {
            var s = new RigJson(samplingElement, r.At("sampling"), errors);
            periodMs = s.Number("periodMs", false, 1, v => v > 0 && v <= 1000, "must be a number of ms in (0, 1000]");
            s.RejectUnknown();
        }

        RigHealth health = ReadHealth(r, errors);
        RigAggregation aggregation = ReadAggregation(r, errors);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        List<RigBus> buses = ReadBuses(r, errors, ids);
        List<RigGpioLine> gpio = ReadGpio(r, errors, ids);
        List<RigSensor> sensors = ReadSensors(r, errors, ids, buses, gpio, health, periodMs);
        List<RigDeviceEntry> inverters = ReadDevices(r, "inverters", errors, ids);
        List<RigDeviceEntry> meters = ReadDevices(r, "meters", errors, ids);
        r.RejectUnknown();

        return new RigDefinition
        {
            Name = name,
            Description = description,
            Source = source,
            SamplingPeriodMs = periodMs,
            Buses = buses,
            Sensors = sensors,
            Gpio = gpio,
            Health = health,
            Aggregation = aggregation,
            Inverters = inverters,
            Meters = meters,
        };
    }

    private static RigHealth ReadHealth(RigJson r, List<RigError> errors)
    {
        if (!r.TryGet("health", out JsonElement element))
        {
            return new RigHealth(3, 2, 2000);
        }

        var h = new RigJson(element, r.At("health"), errors);
        var health = new RigHealth(
            h.Integer("stalePeriods", false, 3, v => v >= 1, "must be an integer ≥ 1"),
            h.Integer("busErrorPeriods", false, 2, v => v >= 1, "must be an integer ≥ 1"),
            h.Integer("stuckSamples", false, 2000, v => v >= 0, "must be an integer ≥ 0 (0 = off)"));
        h.RejectUnknown();
        return health;
    }

    private static RigAggregation ReadAggregation(RigJson r, List<RigError> errors)
    {
        if (!r.TryGet("aggregation", out JsonElement element))
        {
            return new RigAggregation(5, 0.5);
        }

        var a = new RigJson(element, r.At("aggregation"), errors);
        var aggregation = new RigAggregation(
            a.Number("decayS", false, 5, v => v > 0, "must be a number of s > 0"),
            a.Number("maxEstimatedFraction", false, 0.5, v => v >= 0 && v < 1, "must be a number in [0, 1)"));
        a.RejectUnknown();
        return aggregation;
    }

    private static bool ClaimId(Dictionary<string, string> ids, string id, string path, List<RigError> errors)
    {
        if (ids.TryGetValue(id, out string? first))
        {
            errors.Add(new RigError(path + ".id", $"\"{id}\" is already used at {first}"));
            return false;
        }

        ids[id] = path;
        return true;
    }

    private static List<RigBus> ReadBuses(RigJson r, List<RigError> errors, Dictionary<string, string> ids)
    {
        var buses = new List<RigBus>();
        List<JsonElement> items = r.Array("buses", required: false);
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"{r.At("buses")}[{i}]";
            var b = new RigJson(items[i], path, errors);
            if (!b.IsObject)
            {
                continue;
            }

            string? id = b.String("id", true);
            RigBusKind kind = b.Choice("kind", true, RigBusKind.Linux, BusKinds);
            string? device = b.String("device", kind == RigBusKind.Linux);
            if (device is not null && !device.StartsWith("/dev/", StringComparison.Ordinal))
            {
                b.Error("device", $"must be a character-device path like \"/dev/i2c-1\" (got \"{device}\")");
            }

            int speed = b.Integer("speedHz", false, 400_000, v => v is >= 10_000 and <= 3_400_000, "must be an integer in [10000, 3400000] Hz");
            b.RejectUnknown();
            if (id is not null && ClaimId(ids, id, path, errors))
            {
                buses.Add(new RigBus(id, kind, device, speed, path));
            }
        }

        return buses;
    }

    private static List<RigGpioLine> ReadGpio(RigJson r, List<RigError> errors, Dictionary<string, string> ids)
    {
        var lines = new List<RigGpioLine>();
        var used = new Dictionary<(string, int), string>();
        var singletons = new Dictionary<RigGpioRole, string>();
        List<JsonElement> items = r.Array("gpio", required: false);
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"{r.At("gpio")}[{i}]";
            var g = new RigJson(items[i], path, errors);
            if (!g.IsObject)
            {
                continue;
            }

            string? id = g.String("id", true);
            RigGpioRole role = g.Choice("role", true, RigGpioRole.Input, Roles);
            string? chip = null;
            if (g.TryGet("chip", out JsonElement chipElement))
            {
                chip = chipElement.ValueKind switch
                {
                    JsonValueKind.String when !string.IsNullOrWhiteSpace(chipElement.GetString()) => chipElement.GetString(),
                    JsonValueKind.Number when chipElement.TryGetInt32(out int n) && n >= 0 => n.ToString(CultureInfo.InvariantCulture),
                    _ => null,
                };
                if (chip is null)
                {
                    g.Error("chip", $"must be a chip path, name, number, label or \"sim\" (got {RigJson.Describe(chipElement)})");
                }
            }
            else
            {
                g.Error("chip", "is required (e.g. \"gpiochip0\", \"pinctrl-rp1\" or \"sim\")");
            }

            int line = g.Integer("line", true, 0, v => v is >= 0 and < 1024, "must be an integer line offset in [0, 1023]");
            GpioDirection defaultDirection = role is RigGpioRole.InverterEnable or RigGpioRole.StatusLed or RigGpioRole.Output
                ? GpioDirection.Output
                : GpioDirection.Input;
            var directions = new Dictionary<string, GpioDirection>(StringComparer.Ordinal) { ["input"] = GpioDirection.Input, ["output"] = GpioDirection.Output };
            GpioDirection direction = g.Choice("direction", false, defaultDirection, directions);
            if (direction != defaultDirection && role is not (RigGpioRole.Input or RigGpioRole.Output))
            {
                g.Error("direction", $"role \"{RoleName(role)}\" is {(defaultDirection == GpioDirection.Input ? "an input" : "an output")}");
            }

            bool activeLow = g.Boolean("activeLow", role == RigGpioRole.EmergencyStop || role == RigGpioRole.Alert);
            // E-stop sense reads the run permit (high while the hard-wired chain is closed): pressed, 24 V lost or a broken
            // wire all read low = asserted, hence active-low with a pull-down by default (hardware/README.md).
            GpioBias bias = g.Choice("bias", false, role == RigGpioRole.EmergencyStop ? GpioBias.PullDown : GpioBias.AsIs, Biases);
            GpioEdgeDetection edges = g.Choice("edges", false,
                direction == GpioDirection.Input ? (role == RigGpioRole.Alert ? GpioEdgeDetection.Rising : GpioEdgeDetection.Both) : GpioEdgeDetection.None,
                EdgeChoices);
            int debounce = g.Integer("debounceUs", false, role == RigGpioRole.EmergencyStop ? 5000 : 0, v => v is >= 0 and <= 1_000_000,
                "must be an integer in [0, 1000000] µs");
            bool initial = g.Boolean("initial", false);
            GpioDrive drive = g.Choice("drive", false, GpioDrive.PushPull, Drives);
            g.RejectUnknown();

            if (direction == GpioDirection.Output && (edges != GpioEdgeDetection.None || debounce != 0))
            {
                g.Error("edges", "edges and debounceUs apply to inputs only");
            }

            if (direction == GpioDirection.Input && (drive != GpioDrive.PushPull || initial))
            {
                g.Error("drive", "drive and initial apply to outputs only");
            }

            if (role is RigGpioRole.EmergencyStop or RigGpioRole.InverterEnable or RigGpioRole.StatusLed)
            {
                if (singletons.TryGetValue(role, out string? other))
                {
                    g.Error("role", $"only one \"{RoleName(role)}\" line is allowed (first at {other})");
                }
                else
                {
                    singletons[role] = path;
                }
            }

            if (chip is not null && used.TryGetValue((chip, line), out string? owner))
            {
                g.Error("line", $"line {line} on chip \"{chip}\" is already used at {owner}");
            }
            else if (chip is not null)
            {
                used[(chip, line)] = path;
            }

            if (id is not null && chip is not null && ClaimId(ids, id, path, errors))
            {
                var settings = new GpioLineSettings(line, direction)
                {
                    ActiveLow = activeLow,
                    Bias = bias,
                    Edges = direction == GpioDirection.Input ? edges : GpioEdgeDetection.None,
                    DebounceUs = direction == GpioDirection.Input ? debounce : 0,
                    InitialActive = direction == GpioDirection.Output && initial,
                    Drive = direction == GpioDirection.Output ? drive : GpioDrive.PushPull,
                    Consumer = "edge:" + id,
                };
                lines.Add(new RigGpioLine { Id = id, Role = role, Chip = chip, Line = line, Settings = settings, Path = path });
            }
        }

        return lines;
    }

    private static string RoleName(RigGpioRole role) => Roles.First(p => p.Value == role).Key;

    private static List<RigSensor> ReadSensors(RigJson r, List<RigError> errors, Dictionary<string, string> ids,
        List<RigBus> buses, List<RigGpioLine> gpio, RigHealth health, double periodMs)
    {
        var sensors = new List<RigSensor>();
        var addresses = new Dictionary<(string, int), string>();
        List<JsonElement> items = r.Array("sensors", required: true);
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"{r.At("sensors")}[{i}]";
            var s = new RigJson(items[i], path, errors);
            if (!s.IsObject)
            {
                continue;
            }

            string? id = s.String("id", true);
            RigSensorType type = s.Choice("type", true, RigSensorType.Ina226, SensorTypes);
            string? busId = s.String("bus", true);
            RigBus? bus = busId is null ? null : buses.Find(b => b.Id == busId);
            if (busId is not null && bus is null)
            {
                s.Error("bus", $"no bus \"{busId}\" in $.buses (known: {string.Join(", ", buses.Select(b => b.Id))})");
            }

            int address = ReadAddress(s);
            double shuntOhm = s.Number("shuntOhm", true, double.NaN, v => v > 0, "must be a number > 0 Ω");
            double maxCurrentA = s.Number("maxCurrentA", true, double.NaN, v => v > 0, "must be a number > 0 A");
            double currentLsbA = s.Number("currentLsbA", false, double.NaN, v => v > 0, "must be a number > 0 A");
            string rack = s.String("rack", true) ?? "?";
            double weight = s.Number("weight", false, 1, v => v > 0, "must be a number > 0");
            int averagingCount = s.Integer("averaging", false, 1, v => InaAveragingCounts.TryFromCount(v, out _),
                "must be one of " + string.Join(", ", InaAveragingCounts.Supported));
            InaAveragingCounts.TryFromCount(averagingCount, out InaAveraging averaging);
            IReadOnlyList<int> times = type == RigSensorType.Ina226 ? Ina226ConversionTimes.Supported : Ina228ConversionTimes.Supported;
            int defaultTime = type == RigSensorType.Ina226 ? 332 : 280;
            string timeRule = $"must be one of {string.Join(", ", times)} µs for {type.ToString().ToUpperInvariant()}";
            int busUs = s.Integer("busConversionUs", false, defaultTime, times.Contains, timeRule);
            int shuntUs = s.Integer("shuntConversionUs", false, defaultTime, times.Contains, timeRule);
            int temperatureUs = 50;
            Ina228AdcRange adcRange = Ina228AdcRange.Auto;
            if (type == RigSensorType.Ina228)
            {
                temperatureUs = s.Integer("temperatureConversionUs", false, 50, times.Contains, timeRule);
                adcRange = s.Choice("adcRange", false, Ina228AdcRange.Auto, AdcRanges);
            }
            else
            {
                foreach (string only228 in new[] { "temperatureConversionUs", "adcRange" })
                {
                    if (s.TryGet(only228, out _))
                    {
                        s.Error(only228, "applies to INA228 only");
                    }
                }
            }

            ConversionReadyMode ready = s.Choice("conversionReady", false, ConversionReadyMode.Polling, ReadyModes);
            string? alertGpio = s.String("alertGpio", ready == ConversionReadyMode.AlertPin);
            if (alertGpio is not null)
            {
                RigGpioLine? line = gpio.Find(g => g.Id == alertGpio);
                if (line is null)
                {
                    s.Error("alertGpio", $"no GPIO line \"{alertGpio}\" in $.gpio");
                }
                else if (line.Settings.Direction != GpioDirection.Input || line.Settings.Edges == GpioEdgeDetection.None)
                {
                    s.Error("alertGpio", $"GPIO line \"{alertGpio}\" must be an input with edge detection");
                }

                if (ready != ConversionReadyMode.AlertPin)
                {
                    s.Error("alertGpio", "is only used with \"conversionReady\": \"alert\"");
                }
            }

            double minPowerW = s.Number("minPowerW", false, double.NegativeInfinity, _ => true, "must be a number of W");
            double maxPowerW = s.Number("maxPowerW", false, double.PositiveInfinity, v => v > minPowerW, "must be a number of W above minPowerW");
            double minBusV = s.Number("minBusVoltageV", false, double.NegativeInfinity, _ => true, "must be a number of V");
            double maxBusV = s.Number("maxBusVoltageV", false, double.PositiveInfinity, v => v > minBusV, "must be a number of V above minBusVoltageV");
            int slowEvery = s.Integer("slowReadEvery", false, 10, v => v >= 0, "must be an integer ≥ 0 (0 = never)");
            RigSensorSimulation simulation = ReadSimulation(s, errors, type);
            s.RejectUnknown();

            CheckCalibration(s, type, shuntOhm, maxCurrentA, currentLsbA, adcRange);
            CheckStale(s, type, averaging, busUs, shuntUs, health, periodMs, r);
            if (bus is not null && address >= 0)
            {
                if (addresses.TryGetValue((bus.Id, address), out string? other))
                {
                    s.Error("address", $"0x{address:X2} on bus \"{bus.Id}\" is already used at {other}");
                }
                else
                {
                    addresses[(bus.Id, address)] = path;
                }
            }

            if (id is not null && busId is not null && ClaimId(ids, id, path, errors))
            {
                sensors.Add(new RigSensor
                {
                    Id = id,
                    Type = type,
                    Bus = busId,
                    Address = address,
                    ShuntOhm = shuntOhm,
                    MaxCurrentA = maxCurrentA,
                    CurrentLsbA = currentLsbA,
                    Rack = rack,
                    Weight = weight,
                    Averaging = averaging,
                    BusConversionUs = busUs,
                    ShuntConversionUs = shuntUs,
                    TemperatureConversionUs = temperatureUs,
                    AdcRange = adcRange,
                    ConversionReady = ready,
                    AlertGpio = alertGpio,
                    MinPowerW = minPowerW,
                    MaxPowerW = maxPowerW,
                    MinBusVoltageV = minBusV,
                    MaxBusVoltageV = maxBusV,
                    SlowReadEvery = slowEvery,
                    Simulation = simulation,
                    Path = path,
                });
            }
        }

        return sensors;
    }

    private static int ReadAddress(RigJson s)
    {
        const string Rule = "must be a 7-bit address of an INA226/INA228, 0x40–0x4F (A1/A0 strapping), as \"0x40\" or 64";
        if (!s.TryGet("address", out JsonElement v))
        {
            s.Error("address", "is required (" + Rule + ")");
            return -1;
        }

        int address = -1;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n))
        {
            address = n;
        }
        else if (v.ValueKind == JsonValueKind.String && v.GetString() is { } text && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
                 int.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int h))
        {
            address = h;
        }

        if (address is < 0x40 or > 0x4F)
        {
            s.Error("address", $"{Rule} (got {RigJson.Describe(v)})");
            return -1;
        }

        return address;
    }

    private static RigSensorSimulation ReadSimulation(RigJson s, List<RigError> errors, RigSensorType type)
    {
        if (!s.TryGet("simulation", out JsonElement element))
        {
            return new RigSensorSimulation(double.NaN, double.NaN, 0, 0);
        }

        var m = new RigJson(element, s.At("simulation"), errors);
        double maxBus = type == RigSensorType.Ina226 ? 36 : 85;
        var simulation = new RigSensorSimulation(
            m.Number("loadShare", false, double.NaN, v => v >= 0 && v <= 1, "must be a fraction in [0, 1]"),
            m.Number("busVoltageV", false, double.NaN, v => v > 0 && v <= maxBus, $"must be a number of V in (0, {maxBus}] (the chip's common-mode limit)"),
            m.Number("sourceOhm", false, 0, v => v >= 0, "must be a number ≥ 0 Ω"),
            m.Number("noiseLsb", false, 0, v => v >= 0 && v <= 1000, "must be a number of LSB in [0, 1000]"));
        m.RejectUnknown();
        return simulation;
    }

    private static void CheckCalibration(RigJson s, RigSensorType type, double shuntOhm, double maxCurrentA, double currentLsbA, Ina228AdcRange range)
    {
        if (double.IsNaN(shuntOhm) || double.IsNaN(maxCurrentA))
        {
            return;
        }

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
            string message = e.Message;
            int cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
            s.Error("maxCurrentA", cut > 0 ? message[..cut] : message);
        }
    }

    private static void CheckStale(RigJson s, RigSensorType type, InaAveraging averaging, int busUs, int shuntUs, RigHealth health, double periodMs, RigJson root)
    {
        double conversionMs = (busUs + shuntUs) * averaging.SampleCount() / 1000.0;
        double allowedMs = health.StalePeriods * periodMs;
        if (conversionMs >= allowedMs)
        {
            s.Error("averaging", string.Create(CultureInfo.InvariantCulture,
                $"one {type.ToString().ToUpperInvariant()} result takes {conversionMs:0.###} ms, but {root.At("health")}.stalePeriods × sampling.periodMs = {allowedMs:0.###} ms: the sensor would always be stale — shorten the conversion or raise stalePeriods"));
        }
    }

    private static List<RigDeviceEntry> ReadDevices(RigJson r, string name, List<RigError> errors, Dictionary<string, string> ids)
    {
        var devices = new List<RigDeviceEntry>();
        List<JsonElement> items = r.Array(name, required: false);
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"{r.At(name)}[{i}]";
            if (items[i].ValueKind != JsonValueKind.Object)
            {
                errors.Add(new RigError(path, $"must be an object (got {RigJson.Describe(items[i])})"));
                continue;
            }

            // Only "id" and "type" are checked here; the device's driver validates the rest with this path as prefix.
            var d = new RigJson(items[i], path, errors);
            string? id = d.String("id", true);
            string? type = d.String("type", true);
            if (id is not null && type is not null && ClaimId(ids, id, path, errors))
            {
                devices.Add(new RigDeviceEntry(id, type, path, items[i].Clone()));
            }
        }

        return devices;
    }
}
