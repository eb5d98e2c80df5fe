using System.Globalization;
using System.Text.Json;
using Edge.Runtime.Files;

namespace Edge.Modbus.Registers;

/// <summary>
/// Shared parsing of register maps described as JSON (meter and inverter maps): points, word order, and errors that
/// name the map, the JSON path, the offending value and what is allowed.
/// </summary>
internal static class RegisterMapJson
{
    public static RegisterPoint[] Points(JsonElement e, string path, string kind, string origin, WordOrder order)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            var list = new List<RegisterPoint>();
            int i = 0;
            foreach (JsonElement item in e.EnumerateArray())
            {
                list.Add(Point(item, $"{path}[{i++}]", kind, origin, order));
            }

            return list.Count > 0 ? [.. list] : throw Error(kind, origin, path, "a point or a non-empty array of points");
        }

        return [Point(e, path, kind, origin, order)];
    }

    public static RegisterPoint Point(JsonElement e, string path, string kind, string origin, WordOrder order)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Error(kind, origin, path, "an object with address and type");
        }

        if (!e.TryGetProperty("address", out JsonElement a) || a.ValueKind != JsonValueKind.Number || !a.TryGetInt32(out int address) || address is < 0 or > 65535)
        {
            throw Error(kind, origin, $"{path}.address", "an integer in [0, 65535]", a.ValueKind == JsonValueKind.Undefined ? "missing" : a.GetRawText());
        }

        string typeText = OptionalString(e, "type", kind, origin) ?? throw Error(kind, origin, $"{path}.type", "one of int16, uint16, int32, uint32, float32, int64, uint64", "missing");
        RegisterType type = typeText switch
        {
            "int16" => RegisterType.Int16,
            "uint16" => RegisterType.UInt16,
            "int32" => RegisterType.Int32,
            "uint32" => RegisterType.UInt32,
            "float32" => RegisterType.Float32,
            "int64" => RegisterType.Int64,
            "uint64" => RegisterType.UInt64,
            _ => throw Error(kind, origin, $"{path}.type", "one of int16, uint16, int32, uint32, float32, int64, uint64", typeText),
        };
        double scale = 1;
        if (e.TryGetProperty("scale", out JsonElement s) && (s.ValueKind != JsonValueKind.Number || !double.IsFinite(scale = s.GetDouble()) || scale == 0))
        {
            throw Error(kind, origin, $"{path}.scale", "a finite, non-zero number", s.GetRawText());
        }

        WordOrder pointOrder = ParseOrder(OptionalString(e, "wordOrder", kind, origin), $"{path}.wordOrder", kind, origin, order);
        if (address + RegisterCodec.SizeOf(type) > 65536)
        {
            throw Error(kind, origin, $"{path}.address", "an address that leaves room for the value", address.ToString(CultureInfo.InvariantCulture));
        }

        return new RegisterPoint((ushort)address, type, scale, pointOrder);
    }

    public static WordOrder ParseOrder(string? text, string path, string kind, string origin, WordOrder fallback) => text switch
    {
        null => fallback,
        "high-first" => WordOrder.HighWordFirst,
        "low-first" => WordOrder.LowWordFirst,
        _ => throw Error(kind, origin, path, "\"high-first\" or \"low-first\"", text),
    };

    public static string? OptionalString(JsonElement e, string name, string kind, string origin) =>
        !e.TryGetProperty(name, out JsonElement v) ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw Error(kind, origin, name, "a string", v.GetRawText());

    public static FormatException Error(string kind, string origin, string path, string allowed, string? value = null) =>
        new($"{kind} map {origin}: {path}{(value is null ? "" : $" = {value}")} is invalid: must be {allowed}.");

    /// <summary>Largest register-map file read, bytes (a map is a few kB).</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>
    /// The text of a map file, read through <see cref="InputFile"/> (a FIFO, device or directory is refused without being
    /// opened; at most <see cref="MaxFileBytes"/> are read). Throws <see cref="FormatException"/> naming the file.
    /// </summary>
    public static string ReadFile(string path, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (InputFile.Problem(path) is { } problem)
        {
            throw new FormatException($"{kind} map file '{path}' {problem}.");
        }

        try
        {
            return InputFile.TryReadBounded(path, MaxFileBytes, out byte[] bytes)
                ? InputFile.DecodeUtf8(bytes)
                : throw new FormatException($"{kind} map file '{path}' is larger than {MaxFileBytes / 1024 / 1024} MiB: a register map is a few kB — is it the right file?");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{kind} map file '{path}' cannot be read: {e.Message}", e);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new FormatException($"{kind} map file '{path}' is not UTF-8 text (a map is JSON).", e);
        }
    }
}
