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
    private ModbusMeterMap(string name, string source, ModbusFunction function, MeterPoint[] power, MeterPoint[] voltage, MeterPoint[] current)
    {
        Name = name;
        Source = source;
        Function = function;
        Power = power;
        Voltage = voltage;
        Current = current;
        int first = int.MaxValue, last = 0;
        foreach (MeterPoint p in power.Concat(voltage).Concat(current))
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
    public IReadOnlyList<MeterPoint> Power { get; }

    /// <summary>Points averaged into the voltage, V (may be empty).</summary>
    public IReadOnlyList<MeterPoint> Voltage { get; }

    /// <summary>Points summed into the current, A (may be empty).</summary>
    public IReadOnlyList<MeterPoint> Current { get; }

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
    public static ModbusMeterMap LoadFile(string path) => Parse(File.ReadAllText(path), path);

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
                throw Error(origin, "$", "an object");
            }

            string name = OptionalString(root, "name", origin) ?? origin;
            string source = OptionalString(root, "source", origin) ?? "";
            ModbusFunction function = (OptionalString(root, "function", origin) ?? "holding") switch
            {
                "holding" => ModbusFunction.ReadHoldingRegisters,
                "input" => ModbusFunction.ReadInputRegisters,
                string other => throw Error(origin, "function", "\"holding\" or \"input\"", other),
            };
            WordOrder order = ParseOrder(OptionalString(root, "wordOrder", origin), "wordOrder", origin, WordOrder.HighWordFirst);
            if (!root.TryGetProperty("power", out JsonElement power))
            {
                throw new FormatException($"meter map {origin}: \"power\" is missing: every meter map must say where active power is.");
            }

            MeterPoint[] powerPoints = Points(power, "power", origin, order);
            MeterPoint[] voltage = root.TryGetProperty("voltage", out JsonElement v) ? Points(v, "voltage", origin, order) : [];
            MeterPoint[] current = root.TryGetProperty("current", out JsonElement c) ? Points(c, "current", origin, order) : [];
            var map = new ModbusMeterMap(name, source, function, powerPoints, voltage, current);
            if (map.SpanRegisters > 125)
            {
                throw new FormatException($"meter map {origin}: the points span {map.SpanRegisters} registers from {map.FirstAddress}; at most 125 (one read) are supported.");
            }

            return map;
        }
    }

    private static MeterPoint[] Points(JsonElement e, string path, string origin, WordOrder order)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            var list = new List<MeterPoint>();
            int i = 0;
            foreach (JsonElement item in e.EnumerateArray())
            {
                list.Add(Point(item, $"{path}[{i++}]", origin, order));
            }

            return list.Count > 0 ? [.. list] : throw Error(origin, path, "a point or a non-empty array of points");
        }

        return [Point(e, path, origin, order)];
    }

    private static MeterPoint Point(JsonElement e, string path, string origin, WordOrder order)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Error(origin, path, "an object with address and type");
        }

        if (!e.TryGetProperty("address", out JsonElement a) || a.ValueKind != JsonValueKind.Number || !a.TryGetInt32(out int address) || address is < 0 or > 65535)
        {
            throw Error(origin, $"{path}.address", "an integer in [0, 65535]", a.ValueKind == JsonValueKind.Undefined ? "missing" : a.GetRawText());
        }

        string typeText = OptionalString(e, "type", origin) ?? throw Error(origin, $"{path}.type", "one of int16, uint16, int32, uint32, float32, int64, uint64", "missing");
        RegisterType type = typeText switch
        {
            "int16" => RegisterType.Int16,
            "uint16" => RegisterType.UInt16,
            "int32" => RegisterType.Int32,
            "uint32" => RegisterType.UInt32,
            "float32" => RegisterType.Float32,
            "int64" => RegisterType.Int64,
            "uint64" => RegisterType.UInt64,
            _ => throw Error(origin, $"{path}.type", "one of int16, uint16, int32, uint32, float32, int64, uint64", typeText),
        };
        double scale = 1;
        if (e.TryGetProperty("scale", out JsonElement s) && (s.ValueKind != JsonValueKind.Number || !double.IsFinite(scale = s.GetDouble()) || scale == 0))
        {
            throw Error(origin, $"{path}.scale", "a finite, non-zero number", s.GetRawText());
        }

        WordOrder pointOrder = ParseOrder(OptionalString(e, "wordOrder", origin), $"{path}.wordOrder", origin, order);
        if (address + RegisterCodec.SizeOf(type) > 65536)
        {
            throw Error(origin, $"{path}.address", "an address that leaves room for the value", address.ToString(CultureInfo.InvariantCulture));
        }

        return new MeterPoint((ushort)address, type, scale, pointOrder);
    }

    private static WordOrder ParseOrder(string? text, string path, string origin, WordOrder fallback) => text switch
    {
        null => fallback,
        "high-first" => WordOrder.HighWordFirst,
        "low-first" => WordOrder.LowWordFirst,
        _ => throw Error(origin, path, "\"high-first\" or \"low-first\"", text),
    };

    private static string? OptionalString(JsonElement e, string name, string origin) =>
        !e.TryGetProperty(name, out JsonElement v) ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw Error(origin, name, "a string", v.GetRawText());

    private static FormatException Error(string origin, string path, string allowed, string? value = null) =>
        new($"meter map {origin}: {path}{(value is null ? "" : $" = {value}")} is invalid: must be {allowed}.");
}
