using System.Text.Json;
using Edge.Modbus.Registers;

namespace Edge.Modbus.Inverter;

/// <summary>
/// A non-SunSpec battery inverter's register map, described as data (JSON, in the spirit of evcc's device templates).
/// All addresses are 0-based protocol addresses; all values are scaled to SI units (W, %, Wh, s) by <c>scale</c>
/// (a negative scale flips a sign: Edge's convention is positive = discharge).
/// <code>
/// { "name": "...", "source": "manual and table the addresses come from",
///   "readFunction": "holding" | "input", "wordOrder": "high-first" | "low-first",
///   "setpoint":            { "address": 1000, "type": "int32", "scale": 1 },        // required, W, written with FC 16
///   "power":               { "address": 2000, "type": "int16", "scale": 1 },        // required, measured W
///   "soc":                 { ... },  "allowedCharge": { ... }, "allowedDischarge": { ... },
///   "capacity":            { ... },  "rated": { ... },                              // optional reads (%, W, Wh, W)
///   "fault":               { "address": 3000, "type": "uint16", "mask": 65535 },    // optional: (raw AND mask) ≠ 0 → fault
///   "ramp":                { "address": 1100, "type": "uint16", "scale": 1, "unit": "pct-per-s" | "w-per-s" },
///   "revertTimeout":       { "address": 1102, "type": "uint32", "scale": 1 },       // seconds per raw unit
///   "revertSetpoint":      { "address": 1104, "type": "int32", "scale": 1 },        // written 0 W
///   "enable":              { "address": 1106, "value": 1 },                          // FC 6 after the bumpless setpoint
///   "revertEnable":        { "address": 1107, "value": 1 },
///   "deviceHeartbeat":     { "address": 3001 },                                      // a counter the device increments
///   "controllerHeartbeat": { "address": 1108 } }                                     // the single-writer lease register
/// </code>
/// Errors name the file, the JSON path, the value and what is allowed.
/// </summary>
public sealed class InverterMap
{
    private const string Kind = "inverter";

    private InverterMap()
    {
    }

    /// <summary>Device name.</summary>
    public string Name { get; private init; } = "";

    /// <summary>Where the register facts come from.</summary>
    public string Source { get; private init; } = "";

    /// <summary>FC 3 or FC 4 for the read points.</summary>
    public ModbusFunction ReadFunction { get; private init; }

    /// <summary>Active-power setpoint, W.</summary>
    public RegisterPoint Setpoint { get; private init; } = null!;

    /// <summary>Measured AC power, W.</summary>
    public RegisterPoint Power { get; private init; } = null!;

    /// <summary>State of charge, %.</summary>
    public RegisterPoint? Soc { get; private init; }

    /// <summary>Allowed charge power, W.</summary>
    public RegisterPoint? AllowedCharge { get; private init; }

    /// <summary>Allowed discharge power, W.</summary>
    public RegisterPoint? AllowedDischarge { get; private init; }

    /// <summary>Usable capacity, Wh.</summary>
    public RegisterPoint? Capacity { get; private init; }

    /// <summary>Rated power, W.</summary>
    public RegisterPoint? Rated { get; private init; }

    /// <summary>Fault register and the bits that mean "fault".</summary>
    public (RegisterPoint Point, ulong Mask)? Fault { get; private init; }

    /// <summary>Ramp-limit register and its unit (true: % of rated power per second; false: W/s).</summary>
    public (RegisterPoint Point, bool Percent)? Ramp { get; private init; }

    /// <summary>Revert (communication-loss) timeout, s.</summary>
    public RegisterPoint? RevertTimeout { get; private init; }

    /// <summary>Setpoint taken on revert (written 0 W).</summary>
    public RegisterPoint? RevertSetpoint { get; private init; }

    /// <summary>Register and value that enable remote control.</summary>
    public (ushort Address, ushort Value)? Enable { get; private init; }

    /// <summary>Register and value that keep remote control enabled after a revert.</summary>
    public (ushort Address, ushort Value)? RevertEnable { get; private init; }

    /// <summary>A counter the device increments (frozen = stale).</summary>
    public ushort? DeviceHeartbeat { get; private init; }

    /// <summary>The controller heartbeat (lease) register.</summary>
    public ushort? ControllerHeartbeat { get; private init; }

    /// <summary>Names of the maps shipped inside Edge.Modbus under Maps/Inverters.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } = typeof(InverterMap).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("Edge.Modbus.Maps.inverter-", StringComparison.Ordinal))
        .Select(n => n["Edge.Modbus.Maps.".Length..^".json".Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Loads a shipped map by name (e.g. "inverter-edge-sim-704").</summary>
    public static InverterMap LoadBuiltIn(string name)
    {
        using Stream? s = typeof(InverterMap).Assembly.GetManifestResourceStream($"Edge.Modbus.Maps.{name}.json")
            ?? throw new FormatException($"No built-in inverter map '{name}' (known: {string.Join(", ", BuiltIn)}).");
        using var reader = new StreamReader(s);
        return Parse(reader.ReadToEnd(), name);
    }

    /// <summary>Loads a map from a JSON file.</summary>
    public static InverterMap LoadFile(string path) => Parse(RegisterMapJson.ReadFile(path, Kind), path);

    /// <summary>Parses a map; throws <see cref="FormatException"/> naming <paramref name="origin"/> and the field.</summary>
    public static InverterMap Parse(string json, string origin)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"inverter map {origin}: not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw RegisterMapJson.Error(Kind, origin, "$", "an object");
            }

            WordOrder order = RegisterMapJson.ParseOrder(RegisterMapJson.OptionalString(root, "wordOrder", Kind, origin), "wordOrder", Kind, origin, WordOrder.HighWordFirst);
            RegisterPoint? Optional(string name) => root.TryGetProperty(name, out JsonElement e) ? RegisterMapJson.Point(e, name, Kind, origin, order) : null;
            RegisterPoint Required(string name) => Optional(name) ?? throw new FormatException($"inverter map {origin}: \"{name}\" is missing: every inverter map must say where it is.");
            return new InverterMap
            {
                Name = RegisterMapJson.OptionalString(root, "name", Kind, origin) ?? origin,
                Source = RegisterMapJson.OptionalString(root, "source", Kind, origin) ?? "",
                ReadFunction = (RegisterMapJson.OptionalString(root, "readFunction", Kind, origin) ?? "holding") switch
                {
                    "holding" => ModbusFunction.ReadHoldingRegisters,
                    "input" => ModbusFunction.ReadInputRegisters,
                    string other => throw RegisterMapJson.Error(Kind, origin, "readFunction", "\"holding\" or \"input\"", other),
                },
                Setpoint = Required("setpoint"),
                Power = Required("power"),
                Soc = Optional("soc"),
                AllowedCharge = Optional("allowedCharge"),
                AllowedDischarge = Optional("allowedDischarge"),
                Capacity = Optional("capacity"),
                Rated = Optional("rated"),
                Fault = Optional("fault") is { } f ? (f, Unsigned(root.GetProperty("fault"), "mask", ulong.MaxValue, "fault.mask", origin)) : null,
                Ramp = Optional("ramp") is { } r ? (r, RampUnit(root.GetProperty("ramp"), origin)) : null,
                RevertTimeout = Optional("revertTimeout"),
                RevertSetpoint = Optional("revertSetpoint"),
                Enable = AddressValue(root, "enable", origin),
                RevertEnable = AddressValue(root, "revertEnable", origin),
                DeviceHeartbeat = AddressOnly(root, "deviceHeartbeat", origin),
                ControllerHeartbeat = AddressOnly(root, "controllerHeartbeat", origin),
            };
        }
    }

    private static bool RampUnit(JsonElement ramp, string origin) => RegisterMapJson.OptionalString(ramp, "unit", Kind, origin) switch
    {
        null or "pct-per-s" => true,
        "w-per-s" => false,
        string other => throw RegisterMapJson.Error(Kind, origin, "ramp.unit", "\"pct-per-s\" or \"w-per-s\"", other),
    };

    private static (ushort, ushort)? AddressValue(JsonElement root, string name, string origin) =>
        root.TryGetProperty(name, out JsonElement e)
            ? ((ushort)Unsigned(e, "address", 65535, $"{name}.address", origin, required: true), (ushort)Unsigned(e, "value", 65535, $"{name}.value", origin, required: true))
            : null;

    private static ushort? AddressOnly(JsonElement root, string name, string origin) =>
        root.TryGetProperty(name, out JsonElement e) ? (ushort)Unsigned(e, "address", 65535, $"{name}.address", origin, required: true) : null;

    private static ulong Unsigned(JsonElement e, string name, ulong max, string path, string origin, bool required = false)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out JsonElement v))
        {
            return required ? throw RegisterMapJson.Error(Kind, origin, path, $"an integer in [0, {max}]", "missing") : max;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out ulong x) && x <= max
            ? x
            : throw RegisterMapJson.Error(Kind, origin, path, $"an integer in [0, {max}]", v.GetRawText());
    }
}
