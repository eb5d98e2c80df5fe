using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Agents.Contract;

/// <summary>
/// Strict (de)serialisation of every agent-contract message: one UTF-8 JSON object, snake_case names, no comments or
/// trailing commas, no unknown or duplicate fields, required fields present, no null where the type has none, enums
/// as their snake_case names only (never numbers), numbers as numbers (never strings) and then every value in range.
/// A refusal names the JSON path. Messages are small (≤ 4 KiB): a larger payload is refused before parsing.
/// </summary>
public static class AgentJson
{
    /// <summary>Largest payload accepted, bytes.</summary>
    public const int MaxPayloadBytes = 4096;

    /// <summary>The options every agent message is read and written with.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Parses and checks <paramref name="payload"/> as a <typeparamref name="T"/>.</summary>
    public static ParseResult<T> Parse<T>(ReadOnlySpan<byte> payload)
        where T : class, IAgentMessage
    {
        if (payload.Length > MaxPayloadBytes)
        {
            return new ParseResult<T>(null, $"$: payload of {payload.Length} bytes exceeds {MaxPayloadBytes}");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(payload, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));
        }
        catch (JsonException e)
        {
            return new ParseResult<T>(null, Explain(e, typeof(T)));
        }
        catch (NotSupportedException e)
        {
            return new ParseResult<T>(null, "$: " + FirstSentence(e.Message));
        }
        catch (InvalidOperationException e)
        {
            return new ParseResult<T>(null, "$: " + FirstSentence(e.Message));
        }

        if (value is null)
        {
            return new ParseResult<T>(null, "$: must be a JSON object, not null");
        }

        var check = new MessageCheck();
        value.Validate(check);
        return check.Errors.Count == 0 ? new ParseResult<T>(value, null) : new ParseResult<T>(null, string.Join("; ", check.Errors));
    }

    /// <summary>Serialises <paramref name="message"/> (UTF-8).</summary>
    public static byte[] Serialize<T>(T message)
        where T : class, IAgentMessage => JsonSerializer.SerializeToUtf8Bytes(message, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowDuplicateProperties = false,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            NumberHandling = JsonNumberHandling.Strict,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            MaxDepth = 4,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = AgentJsonContext.Default,
        };
        // Enums as their names only, never numbers: the knobs as their command names, the rest snake_case.
        o.Converters.Add(new KebabKnobConverter());
        o.Converters.Add(new JsonStringEnumConverter<AgentKind>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.Converters.Add(new JsonStringEnumConverter<AgentState>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.Converters.Add(new JsonStringEnumConverter<Edge.Core.Forecast.PhaseKind>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.MakeReadOnly();
        return o;
    }

    /// <summary>
    /// The serializer's refusal in the contract's words, at its JSON path: an unknown field named with the known ones, a
    /// duplicate field at its own path, a wrong type as what was expected — never a .NET type or member name.
    /// </summary>
    private static string Explain(JsonException e, Type type)
    {
        string path = e.Path ?? "$";
        string message = e.Message;
        if (Quoted(message, "The JSON property '", "' could not be mapped") is { } unknown)
        {
            string parent = path.EndsWith("." + unknown, StringComparison.Ordinal) ? path[..^(unknown.Length + 1)] : path;
            return parent == "$"
                ? $"$.{unknown}: unknown field (known: {string.Join(", ", Options.GetTypeInfo(type).Properties.Select(p => p.Name))})"
                : $"{parent}.{unknown}: unknown field";
        }

        if (Quoted(message, "Duplicate property '", "'") is { } duplicate)
        {
            string parent = path.EndsWith("." + duplicate, StringComparison.Ordinal) ? path[..^(duplicate.Length + 1)] : path;
            return $"{parent}.{duplicate}: duplicate field";
        }

        if (Quoted(message, "could not be converted to ", ". ") is { } target)
        {
            // The message names the member's own type, or (with compile-time metadata) the message type holding it:
            // the member is then found by its path.
            return $"{path}: must be {Expected(TypeAt(type, path)?.ToString() ?? target)}";
        }

        return $"{path}: {FirstSentence(message)}";
    }

    /// <summary>The declared type of the member at <paramref name="path"/> (<c>$.a</c>, <c>$.a[2]</c>) of a
    /// <paramref name="type"/>, from the contract's metadata; null when the path names no member.</summary>
    private static Type? TypeAt(Type type, string path)
    {
        if (!path.StartsWith("$.", StringComparison.Ordinal))
        {
            return null;
        }

        string member = path[2..];
        int bracket = member.IndexOf('[', StringComparison.Ordinal);
        bool element = bracket > 0;
        if (element)
        {
            member = member[..bracket];
        }

        if (member.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        foreach (System.Text.Json.Serialization.Metadata.JsonPropertyInfo p in Options.GetTypeInfo(type).Properties)
        {
            if (p.Name == member)
            {
                return element ? Options.GetTypeInfo(p.PropertyType).ElementType : p.PropertyType;
            }
        }

        return null;
    }

    private static string? Quoted(string message, string before, string after)
    {
        int start = message.IndexOf(before, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += before.Length;
        int end = message.IndexOf(after, start, StringComparison.Ordinal);
        return end > start ? message[start..end] : null;
    }

    private static string Expected(string dotnetType)
    {
        string t = dotnetType.Replace("System.Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']');
        return t switch
        {
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Int32" or "System.Int64" or "System.UInt32" or "System.UInt64" or "System.Int16" or "System.Byte" => "a whole number",
            "System.String" => "a string",
            "System.Boolean" => "true or false",
            "System.DateTimeOffset" or "System.DateTime" => "a date and time in ISO 8601 with its offset (e.g. 2030-01-01T00:00:00Z)",
            _ when t.StartsWith("System.Collections", StringComparison.Ordinal) || t.EndsWith("[]", StringComparison.Ordinal) => "a list",
            _ when t == typeof(AgentKind).FullName => OneOf(Enum.GetNames<AgentKind>()),
            _ when t == typeof(AgentState).FullName => OneOf(Enum.GetNames<AgentState>()),
            _ when t == typeof(Edge.Core.Forecast.PhaseKind).FullName => OneOf(Enum.GetNames<Edge.Core.Forecast.PhaseKind>()),
            _ when t.StartsWith("Edge.Agents.", StringComparison.Ordinal) => "one of the documented names (a string)",
            _ => "of the documented type",
        };
    }

    /// <summary>The enum's names as the contract spells them (snake_case strings).</summary>
    private static string OneOf(string[] names) =>
        "one of " + string.Join(", ", names.Select(n => "\"" + JsonNamingPolicy.SnakeCaseLower.ConvertName(n) + "\""));

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }

    /// <summary>Knobs are written as their command names (<c>power-cap</c>, <c>smoothing-profile</c>, <c>level</c>).</summary>
    private sealed class KebabKnobConverter : JsonStringEnumConverter<AgentKnob>
    {
        public KebabKnobConverter()
            : base(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
        {
        }
    }
}
