using System.Collections;
using System.Reflection;
using System.Text.Json;
using Edge.Daemon;

namespace Edge.Configuration;

/// <summary>
/// Checks the shape of a configuration document against the options classes before the configuration binder sees it:
/// a JSON <c>null</c> (<c>$.Mqtt.Enabled = null</c>), an object or array where a single value is expected, a single
/// value or object where a list is expected (<c>$.Mqtt.FailoverServers = {…}</c>, which the binder would ignore or
/// report without a path), and list items of the wrong kind — each with its JSON path and the fix. Keys no option takes
/// are left to <see cref="UnknownOptionKeys"/> (which suggests the spelling); the values' own text is checked there too.
/// </summary>
internal static class ConfigShape
{
    /// <summary>Every shape fault of the sections of <paramref name="root"/> that <paramref name="sections"/> names.</summary>
    public static IReadOnlyList<string> Problems(JsonElement root, IReadOnlyDictionary<string, Type> sections)
    {
        var problems = new List<string>();
        foreach (JsonProperty section in root.EnumerateObject())
        {
            if (section.Value.ValueKind == JsonValueKind.Object && sections.TryGetValue(section.Name, out Type? type))
            {
                WalkObject(section.Value, type, "$." + section.Name, problems);
            }
        }

        return problems;
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Edge's own assemblies are kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj): every option class and its properties are there to reflect on.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Edge's own assemblies are kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj): every option class and its properties are there to reflect on.")]
    private static void WalkObject(JsonElement obj, Type type, string path, List<string> problems)
    {
        foreach (JsonProperty member in obj.EnumerateObject())
        {
            PropertyInfo? property = type.GetProperty(member.Name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is not null)
            {
                Walk(member.Value, property.PropertyType, $"{path}.{member.Name}", problems);
            }
        }
    }

    private static void Walk(JsonElement value, Type type, string path, List<string> problems)
    {
        string expected = Expected(type);
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                problems.Add($"{path} = null: give {expected}, or remove the key");
                return;
            case JsonValueKind.Object when UnknownOptionKeys.IsNestedOptions(type):
                WalkObject(value, type, path, problems);
                return;
            case JsonValueKind.Array when ElementType(type) is { } element:
                int i = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    Walk(item, element, $"{path}[{i++}]", problems);
                }

                return;
        }

        string? got = value.ValueKind switch
        {
            JsonValueKind.Object => value.EnumerateObject().Any() ? "an object" : "an empty object {}",
            JsonValueKind.Array => "an array",
            _ => null,
        };
        if (got is not null)
        {
            problems.Add($"{path}: {got} where {expected} is expected");
        }
        else if (UnknownOptionKeys.IsNestedOptions(type) || ElementType(type) is not null)
        {
            string shown = ConfigFile.Shorten(value);
            problems.Add($"{path} = {shown}: {KindOf(value)} where {expected} is expected"
                + (ElementType(type) is null ? string.Empty : $" — write [{shown}]"));
        }
    }

    /// <summary>The element type when <paramref name="type"/> is a list the binder fills (not a string).</summary>
    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        return type.IsArray ? type.GetElementType() : type.GetGenericArguments() is [Type element] ? element : typeof(object);
    }

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => "a boolean",
    };

    /// <summary>What a value of <paramref name="type"/> is, in words ("a number", "true or false", "a list").</summary>
    private static string Expected(Type type)
    {
        if (UnknownOptionKeys.IsNestedOptions(type))
        {
            return "an object { \"Key\": value, … }";
        }

        if (ElementType(type) is not null)
        {
            return "a list [ … ] ([] for none)";
        }

        Type target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum)
        {
            return $"one of {string.Join(", ", Enum.GetNames(target))}";
        }

        return Type.GetTypeCode(target) switch
        {
            TypeCode.Boolean => "true or false",
            TypeCode.String => "a string",
            TypeCode.Double or TypeCode.Single or TypeCode.Decimal or TypeCode.Byte or TypeCode.SByte
                or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64
                or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 => "a number",
            _ when target == typeof(TimeSpan) => "a duration like \"00:00:05\"",
            _ => "a single value",
        };
    }
}
