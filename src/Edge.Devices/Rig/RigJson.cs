using System.Globalization;
using System.Text.Json;

namespace Edge.Devices.Rig;

/// <summary>
/// Reads one JSON object property by property, recording a <see cref="RigError"/> with the JSON path for anything
/// wrong (missing, wrong type, out of range, unknown property with a "did you mean" hint) instead of stopping at the
/// first fault.
/// </summary>
internal sealed class RigJson
{
    private readonly JsonElement _object;
    private readonly List<RigError> _errors;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    internal RigJson(JsonElement element, string path, List<RigError> errors)
    {
        _object = element;
        Path = path;
        _errors = errors;
        IsObject = element.ValueKind == JsonValueKind.Object;
        if (!IsObject)
        {
            errors.Add(new RigError(path, $"must be an object (got {Describe(element)})"));
        }
    }

    internal string Path { get; }

    internal bool IsObject { get; }

    internal string At(string name) => Path + "." + name;

    internal void Error(string name, string message) => _errors.Add(new RigError(At(name), message));

    internal bool TryGet(string name, out JsonElement value)
    {
        _known.Add(name);
        value = default;
        return IsObject && _object.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    internal string? String(string name, bool required, string? fallback = null)
    {
        if (!TryGet(name, out JsonElement v))
        {
            if (required)
            {
                Error(name, "is required (a string)");
            }

            return fallback;
        }

        if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
        {
            Error(name, $"must be a non-empty string (got {Describe(v)})");
            return fallback;
        }

        return v.GetString();
    }

    internal double Number(string name, bool required, double fallback, Func<double, bool> valid, string rule)
    {
        if (!TryGet(name, out JsonElement v))
        {
            if (required)
            {
                Error(name, $"is required ({rule})");
            }

            return fallback;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d))
        {
            Error(name, $"{rule} (got {Describe(v)})");
            return fallback;
        }

        if (!double.IsFinite(d) || !valid(d))
        {
            Error(name, $"{rule} (got {d.ToString("R", CultureInfo.InvariantCulture)})");
            return fallback;
        }

        return d;
    }

    internal int Integer(string name, bool required, int fallback, Func<int, bool> valid, string rule)
    {
        if (!TryGet(name, out JsonElement v))
        {
            if (required)
            {
                Error(name, $"is required ({rule})");
            }

            return fallback;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i))
        {
            Error(name, $"{rule} (got {Describe(v)})");
            return fallback;
        }

        if (!valid(i))
        {
            Error(name, $"{rule} (got {i.ToString(CultureInfo.InvariantCulture)})");
            return fallback;
        }

        return i;
    }

    internal bool Boolean(string name, bool fallback)
    {
        if (!TryGet(name, out JsonElement v))
        {
            return fallback;
        }

        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(name, $"must be true or false (got {Describe(v)})");
            return fallback;
        }

        return v.GetBoolean();
    }

    internal T Choice<T>(string name, bool required, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        string? text = String(name, required);
        if (text is null)
        {
            return fallback;
        }

        if (choices.TryGetValue(text, out T? value))
        {
            return value;
        }

        Error(name, $"must be one of {string.Join(", ", choices.Keys.Select(k => "\"" + k + "\""))} (got \"{text}\")");
        return fallback;
    }

    internal List<JsonElement> Array(string name, bool required)
    {
        if (!TryGet(name, out JsonElement v))
        {
            if (required)
            {
                Error(name, "is required (an array)");
            }

            return [];
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            Error(name, $"must be an array (got {Describe(v)})");
            return [];
        }

        return [.. v.EnumerateArray()];
    }

    /// <summary>Reports every property that was never asked for.</summary>
    internal void RejectUnknown()
    {
        if (!IsObject)
        {
            return;
        }

        foreach (JsonProperty p in _object.EnumerateObject())
        {
            if (_known.Contains(p.Name))
            {
                continue;
            }

            string? close = _known.Where(k => Distance(k, p.Name) <= 2).OrderBy(k => Distance(k, p.Name)).FirstOrDefault();
            Error(p.Name, close is null
                ? $"unknown property (known: {string.Join(", ", _known.Order(StringComparer.Ordinal))})"
                : $"unknown property — did you mean \"{close}\"?");
        }
    }

    internal static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "\"" + v.GetString() + "\"",
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    private static int Distance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
