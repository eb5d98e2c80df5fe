using System.Globalization;
using System.Text.Json;
using Edge.Modbus.Registers;

namespace Edge.Modbus.Meters;

/// <summary>
/// A power meter's register map, described as data (JSON, in the spirit of evcc's device templates):
/// <code>
/// { "name": "...", "source": "manual and table the addresses come from",
///   "function": "input" | "holding", "wordOrder": "high-first" | "low-first",
///   "power":   { "address": 52, "type": "float32", "scale": 1, "wordOrder": "high-first" }   // or an array, summed
///   "voltage": { ... } (optional), "current": { ... } or [ ... ] (optional) }
/// </code>
/// Types: int16, uint16, int32, uint32, float32, int64, uint64. Addresses are 0-based protocol addresses.
/// Power is in W after scaling, positive = consumed (import); <see cref="ModbusMeterOptions.InvertSign"/> flips it.
/// </summary>
public sealed class ModbusMeterMap
{
    private ModbusMeterMap(string name, string source, ModbusFunction function, RegisterPoint[] power, RegisterPoint[] voltage, RegisterPoint[] current)
    {
        Name = name;
        Source = source;
        Function = function;
        Power = power;
        Voltage = voltage;
        Current = current;
        int first = int.MaxValue, last = 0;
        foreach (RegisterPoint p in power.Concat(voltage).Concat(current))
        {
            first = Math.Min(first, p.Address);
            last = Math.Max(last, p.Address + p.Size);
        }

        FirstAddress = (ushort)first;
        SpanRegisters = last - first;
    }

    /// <summary>Device name.</summary>
    public string Name { get; }

    /// <summary>Where the register facts come from (manual, table).</summary>
    public string Source { get; }

    /// <summary>FC 3 (holding) or FC 4 (input).</summary>
    public ModbusFunction Function { get; }

    /// <summary>Points summed into the active power, W.</summary>
    public IReadOnlyList<RegisterPoint> Power { get; }

    /// <summary>Points averaged into the voltage, V (may be empty).</summary>
    public IReadOnlyList<RegisterPoint> Voltage { get; }

    /// <summary>Points summed into the current, A (may be empty).</summary>
    public IReadOnlyList<RegisterPoint> Current { get; }

    /// <summary>Lowest address of any point.</summary>
    public ushort FirstAddress { get; }

    /// <summary>Registers from <see cref="FirstAddress"/> to the end of the last point.</summary>
    public int SpanRegisters { get; }

    /// <summary>Names of the maps shipped inside Edge.Modbus (e.g. "eastron-sdm630").</summary>
    public static IReadOnlyList<string> BuiltIn { get; } = typeof(ModbusMeterMap).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("Edge.Modbus.Maps.", StringComparison.Ordinal))
        .Select(n => n["Edge.Modbus.Maps.".Length..^".json".Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Loads a shipped map by name.</summary>
    public static ModbusMeterMap LoadBuiltIn(string name)
    {
        using Stream? s = typeof(ModbusMeterMap).Assembly.GetManifestResourceStream($"Edge.Modbus.Maps.{name}.json")
            ?? throw new FormatException($"No built-in meter map '{name}' (known: {string.Join(", ", BuiltIn)}).");
        using var reader = new StreamReader(s);
        return Parse(reader.ReadToEnd(), name);
    }

    /// <summary>Loads a map from a JSON file.</summary>
    public static ModbusMeterMap LoadFile(string path) => Parse(RegisterMapJson.ReadFile(path, "meter"), path);

    /// <summary>
    /// Parses a map. Throws <see cref="FormatException"/> naming <paramref name="origin"/>, the JSON path and what is allowed.
    /// </summary>
    public static ModbusMeterMap Parse(string json, string origin)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"meter map {origin}: not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw RegisterMapJson.Error("meter", origin, "$", "an object");
            }

            string name = RegisterMapJson.OptionalString(root, "name", "meter", origin) ?? origin;
            string source = RegisterMapJson.OptionalString(root, "source", "meter", origin) ?? "";
            ModbusFunction function = (RegisterMapJson.OptionalString(root, "function", "meter", origin) ?? "holding") switch
            {
                "holding" => ModbusFunction.ReadHoldingRegisters,
                "input" => ModbusFunction.ReadInputRegisters,
                string other => throw RegisterMapJson.Error("meter", origin, "function", "\"holding\" or \"input\"", other),
            };
            WordOrder order = RegisterMapJson.ParseOrder(RegisterMapJson.OptionalString(root, "wordOrder", "meter", origin), "wordOrder", "meter", origin, WordOrder.HighWordFirst);
            if (!root.TryGetProperty("power", out JsonElement power))
            {
                throw new FormatException($"meter map {origin}: \"power\" is missing: every meter map must say where active power is.");
            }

            RegisterPoint[] powerPoints = RegisterMapJson.Points(power, "power", "meter", origin, order);
            RegisterPoint[] voltage = root.TryGetProperty("voltage", out JsonElement v) ? RegisterMapJson.Points(v, "voltage", "meter", origin, order) : [];
            RegisterPoint[] current = root.TryGetProperty("current", out JsonElement c) ? RegisterMapJson.Points(c, "current", "meter", origin, order) : [];
            var map = new ModbusMeterMap(name, source, function, powerPoints, voltage, current);
            if (map.SpanRegisters > 125)
            {
                throw new FormatException($"meter map {origin}: the points span {map.SpanRegisters} registers from {map.FirstAddress}; at most 125 (one read) are supported.");
            }

            return map;
        }
    }
}
