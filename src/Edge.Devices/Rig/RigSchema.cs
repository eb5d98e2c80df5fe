using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Core;
using Json.Schema;

namespace Edge.Devices.Rig;

/// <summary>
/// The rig-file JSON Schema (<c>hardware/rigs/rig.schema.json</c>, embedded) and the translation of its evaluation
/// into sentences a person can act on: every failing value with its JSONPath, the value found, and what would be
/// accepted (built from the schema's own <c>type</c>/<c>minimum</c>/<c>enum</c>/<c>description</c>), unknown keys
/// with a "did you mean". Every fault of the file is reported at once.
/// </summary>
public static class RigSchema
{
    private const string ResourceName = "Edge.Devices.rig.schema.json";
    private static readonly Lazy<(JsonSchema Schema, JsonDocument Document)> Loaded = new(Load);

    /// <summary>The schema text as published.</summary>
    public static string Text { get; } = ReadText();

    /// <summary>The schema as a JSON document (for tests comparing it to the typed records).</summary>
    public static JsonElement Root => Loaded.Value.Document.RootElement;

    /// <summary>Validates <paramref name="instance"/> against the schema; returns every fault (empty when valid).</summary>
    public static IReadOnlyList<RigError> Validate(JsonElement instance)
    {
        EvaluationResults results = Loaded.Value.Schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        var errors = new List<RigError>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (EvaluationResults node in results.Details ?? [])
        {
            if (node.IsValid || node.Errors is not { Count: > 0 } nodeErrors)
            {
                continue;
            }

            string[] instanceSegments = Segments(node.InstanceLocation.ToString());
            string[] schemaSegments = Segments(Uri.UnescapeDataString(node.SchemaLocation.Fragment.TrimStart('#')));
            foreach (string keyword in nodeErrors.Keys)
            {
                foreach (RigError e in Describe(instance, instanceSegments, schemaSegments, keyword, nodeErrors[keyword]))
                {
                    if (seen.Add(e.ToString()))
                    {
                        errors.Add(e);
                    }
                }
            }
        }

        if (errors.Count == 0)
        {
            errors.Add(new RigError("$", "does not match hardware/rigs/rig.schema.json"));
        }

        return errors;
    }

    /// <summary>JSONPath (<c>$.inverters[0].unitId</c>) of a JSON Pointer's segments inside <paramref name="root"/>.</summary>
    internal static string PathOf(JsonElement root, IReadOnlyList<string> segments)
    {
        var path = new StringBuilder("$");
        JsonElement current = root;
        foreach (string segment in segments)
        {
            if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                path.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                current = index < current.GetArrayLength() ? current[index] : default;
            }
            else
            {
                path.Append('.').Append(segment);
                current = current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out JsonElement child) ? child : default;
            }
        }

        return path.ToString();
    }

    /// <summary>The value as a person would recognise it: JSON text, shortened.</summary>
    internal static string Show(JsonElement value)
    {
        string text = value.ValueKind switch
        {
            JsonValueKind.Object => "{…}",
            JsonValueKind.Array => "[…]",
            JsonValueKind.Undefined => "nothing",
            _ => value.GetRawText(),
        };
        return OptionError.Shorten(text);
    }

    /// <summary>What a subschema accepts, in words ("an integer from 1 to 247", "one of \"poll\", \"alert\"").</summary>
    internal static string Accepts(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return "a valid value";
        }

        if (schema.TryGetProperty("enum", out JsonElement choices))
        {
            return "one of " + string.Join(", ", choices.EnumerateArray().Select(c => c.GetRawText()));
        }

        var kinds = new List<string>();
        if (schema.TryGetProperty("type", out JsonElement type))
        {
            IEnumerable<string> names = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString() ?? "") : [type.GetString() ?? ""];
            foreach (string name in names)
            {
                kinds.Add(name switch
                {
                    "integer" => "an integer" + Range(schema),
                    "number" => "a number" + Range(schema),
                    "string" => (schema.TryGetProperty("minLength", out _) ? "a non-empty string" : "a string") + Example(schema),
                    "boolean" => "true or false (without quotes)",
                    "array" => "a list [ … ]",
                    "object" => "an object { … }",
                    _ => name,
                });
            }
        }

        return kinds.Count == 0 ? "a valid value" : string.Join(" or ", kinds);
    }

    private static string Range(JsonElement s)
    {
        string? min = s.TryGetProperty("minimum", out JsonElement a) ? a.GetRawText() : null;
        string? max = s.TryGetProperty("maximum", out JsonElement b) ? b.GetRawText() : null;
        string? xmin = s.TryGetProperty("exclusiveMinimum", out JsonElement c) ? c.GetRawText() : null;
        string? xmax = s.TryGetProperty("exclusiveMaximum", out JsonElement d) ? d.GetRawText() : null;
        return (min, max, xmin, xmax) switch
        {
            ({ } lo, { } hi, _, _) => $" from {lo} to {hi}",
            ({ } lo, null, _, { } xhi) => $" ≥ {lo} and < {xhi}",
            (null, { } hi, { } xlo, _) => $" > {xlo} and ≤ {hi}",
            ({ } lo, null, _, null) => $" ≥ {lo}",
            (null, null, { } xlo, _) => $" > {xlo}",
            (null, { } hi, null, _) => $" ≤ {hi}",
            _ => string.Empty,
        };
    }

    private static string Example(JsonElement s) =>
        s.TryGetProperty("examples", out JsonElement examples) && examples.GetArrayLength() > 0 ? $" like {examples[0].GetRawText()}" : string.Empty;

    private static string Meaning(JsonElement s) =>
        s.ValueKind == JsonValueKind.Object && s.TryGetProperty("description", out JsonElement d) ? $" ({d.GetString()})" : string.Empty;

    private static IEnumerable<RigError> Describe(JsonElement root, string[] at, string[] schemaAt, string keyword, string libraryMessage)
    {
        JsonElement value = Walk(root, at);
        string path = PathOf(root, at);
        // The schema location ends in the failing keyword; its parent is the subschema of the value.
        string[] subschemaAt = schemaAt.Length > 0 && schemaAt[^1] == keyword ? schemaAt[..^1] : schemaAt;
        JsonElement subschema = Walk(Root, subschemaAt);
        switch (keyword)
        {
            case "required":
            {
                var present = value.ValueKind == JsonValueKind.Object ? value.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal) : [];
                foreach (JsonElement name in subschema.GetProperty("required").EnumerateArray())
                {
                    string key = name.GetString()!;
                    if (!present.Contains(key))
                    {
                        JsonElement property = Resolve(subschema.GetProperty("properties").GetProperty(key));
                        yield return new RigError($"{path}.{key}", $"required: write {Accepts(property)}{Meaning(property)}");
                    }
                }

                yield break;
            }

            case "additionalProperties":
            {
                if (value.ValueKind != JsonValueKind.Object)
                {
                    yield break;
                }

                string[] known = [.. subschema.GetProperty("properties").EnumerateObject().Select(p => p.Name)];
                foreach (JsonProperty p in value.EnumerateObject())
                {
                    if (!known.Contains(p.Name, StringComparer.Ordinal))
                    {
                        string? close = Spelling.Closest(p.Name, known);
                        string hint = close is null ? $"{path} takes {string.Join(", ", known)}" : $"did you mean \"{close}\"?";
                        yield return new RigError($"{path}.{p.Name}", $"unknown key: {hint}", Show(p.Value));
                    }
                }

                yield break;
            }

            case "" or "$false" or "false" when Array.LastIndexOf(schemaAt, "additionalProperties") >= 0 && at.Length > 0:
            {
                // A key matched "additionalProperties": false (the evaluator reports it as the false schema failing at that key).
                string parentPath = PathOf(root, at[..^1]);
                JsonElement parentSchema = Walk(Root, schemaAt[..Array.LastIndexOf(schemaAt, "additionalProperties")]);
                string[] known = parentSchema.TryGetProperty("properties", out JsonElement props) ? [.. props.EnumerateObject().Select(p => p.Name)] : [];
                string name = at.Length > 0 ? at[^1] : "?";
                string? close = Spelling.Closest(name, known);
                yield return new RigError(path, close is null ? $"unknown key: {parentPath} takes {string.Join(", ", known)}" : $"unknown key: did you mean \"{close}\"?", Show(value));
                yield break;
            }

            case "pattern" or "maxLength" when subschema.TryGetProperty("maxLength", out _) && subschema.TryGetProperty("description", out JsonElement rule):
                // An id: its description is the rule in words (the pattern itself would tell a person nothing).
                yield return new RigError(path, $"must be {rule.GetString()}", Show(value));
                yield break;

            case "type" or "enum" or "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" or "minLength" or "maxLength" or "pattern" or "const":
                yield return new RigError(path, $"must be {Accepts(subschema)}{Meaning(subschema)}", Show(value));
                yield break;

            default:
                yield return new RigError(path, $"{libraryMessage} [{keyword} at {string.Join("/", schemaAt)}]", Show(value));
                yield break;
        }
    }

    /// <summary>Follows a local <c>$ref</c> ("#/$defs/x").</summary>
    private static JsonElement Resolve(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out JsonElement r) && r.GetString() is { } reference && reference.StartsWith('#')
            ? Walk(Root, Segments(reference[1..]))
            : schema;

    private static JsonElement Walk(JsonElement element, IEnumerable<string> segments)
    {
        JsonElement current = element;
        foreach (string s in segments)
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(s, out JsonElement child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < current.GetArrayLength())
            {
                current = current[i];
            }
            else
            {
                return default;
            }
        }

        return current;
    }

    private static string[] Segments(string pointer) =>
        pointer.Length == 0 ? [] : [.. pointer.TrimStart('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static string ReadText()
    {
        using Stream stream = typeof(RigSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded rig schema {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // A registry of its own: the global one refuses a second schema with the same $id (e.g. a tool loading the file too).
    private static (JsonSchema, JsonDocument) Load() =>
        (JsonSchema.FromText(Text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }), JsonDocument.Parse(Text));
}
