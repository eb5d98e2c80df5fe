using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Edge.Core;
using Microsoft.Extensions.Configuration;

namespace Edge.Daemon;

/// <summary>
/// Finds configuration keys that no option takes — a misspelt section (<c>Controler:RampUpWPerS</c>), an unknown
/// key (<c>Controller:Bogus</c>, with a "did you mean") or a read-only figure (<c>Loop:PeriodNs</c>) — and values
/// the option's type cannot hold (<c>Controller:RampUpWPerS = "fast"</c> is not a number), all in one list, so a typo
/// stops Edge with the key's full path instead of being ignored silently or reported one at a time in .NET's words.
/// Top-level keys without children (a stray <c>EDGE_SOMETHING</c> variable) are not options and are left alone (the
/// configuration file refuses them itself: <see cref="Configuration.ConfigFile"/>).
/// </summary>
internal static class UnknownOptionKeys
{
    /// <summary>
    /// Every key under <paramref name="configuration"/> that no section in <paramref name="sections"/> binds, and every
    /// key of <paramref name="setElsewhere"/> (full path → what sets that value instead): an option the class has but
    /// the command overwrites, so that a value is never read and then silently replaced.
    /// </summary>
    public static IReadOnlyList<OptionError> Find(IConfiguration configuration, IReadOnlyDictionary<string, Type> sections, IReadOnlyDictionary<string, string>? setElsewhere = null)
    {
        setElsewhere ??= NothingElsewhere;
        var errors = new List<OptionError>();
        foreach (IConfigurationSection section in configuration.GetChildren())
        {
            bool hasChildren = section.GetChildren().Any();
            if (sections.TryGetValue(section.Key, out Type? type))
            {
                Walk(section, type, setElsewhere, errors);
            }
            else if (hasChildren)
            {
                foreach ((string key, string? value) in section.AsEnumerable())
                {
                    if (value is not null)
                    {
                        errors.Add(new OptionError(key, value, $"there is no section '{section.Key}'; the sections are {string.Join(", ", sections.Keys)}"));
                    }
                }
            }
        }

        return errors;
    }

    private static readonly IReadOnlyDictionary<string, string> NothingElsewhere = new Dictionary<string, string>();

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Edge's own assemblies are kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj): every option class and its properties are there to reflect on.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Edge's own assemblies are kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj): every option class and its properties are there to reflect on.")]
    private static void Walk(IConfigurationSection section, Type type, IReadOnlyDictionary<string, string> setElsewhere, List<OptionError> errors)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (setElsewhere.TryGetValue(child.Path, out string? instead))
            {
                errors.Add(new OptionError(child.Path, child.Value ?? "…", $"this command does not read it: {instead}"));
                continue;
            }

            PropertyInfo? property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            bool nested = property is not null && IsNestedOptions(property.PropertyType);
            bool collection = property is not null && property.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(property.PropertyType);
            if (property is null || (property.SetMethod?.IsPublic != true && !nested && !collection))
            {
                string[] known = [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.SetMethod?.IsPublic == true && !setElsewhere.ContainsKey($"{section.Path}:{p.Name}"))
                    .Select(p => p.Name)];
                string? close = Spelling.Closest(child.Key, known);
                errors.Add(new OptionError(child.Path, child.Value ?? "…", close is null
                    ? $"{section.Path} has no option '{child.Key}'; its options are {string.Join(", ", known)}"
                    : $"{section.Path} has no option '{child.Key}' — did you mean {section.Path}:{close}?"));
            }
            else if (nested)
            {
                Walk(child, property.PropertyType, setElsewhere, errors);
            }
            else if (collection)
            {
                ListItems(child, errors);
            }
            else if (child.GetChildren().Any())
            {
                // Controller:RampUpWPerS:Foo=5 (or EDGE_Controller__RampUpWPerS__Foo): the binder would say only "binding failed".
                foreach ((string key, string? value) in child.AsEnumerable())
                {
                    if (value is not null)
                    {
                        errors.Add(new OptionError(key, value, $"{child.Path} is a single value, not a section: write {child.Path}=VALUE"));
                    }
                }
            }
            else if (child.Value is { } value && !collection && TypeProblem(property.PropertyType, value) is { } problem)
            {
                errors.Add(new OptionError(child.Path, $"\"{value}\"", problem));
            }
        }
    }

    /// <summary>
    /// A list of single values (<c>Mqtt:FailoverServers</c>) holds items numbered 0, 1, 2, … without gaps, each a
    /// single value: a word key (<c>Mqtt:FailoverServers:x</c>), an item with parts (<c>Mqtt:FailoverServers:0:Host</c>)
    /// or a gap (<c>Mqtt:FailoverServers:5</c> alone, which the binder would read as item 0 — and report as such) is refused.
    /// </summary>
    private static void ListItems(IConfigurationSection list, List<OptionError> errors)
    {
        int next = 0;
        foreach (IConfigurationSection item in list.GetChildren())
        {
            bool numbered = int.TryParse(item.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
                && index.ToString(System.Globalization.CultureInfo.InvariantCulture) == item.Key;
            if (numbered && item.Value is { } single && !item.GetChildren().Any())
            {
                if (index != next)
                {
                    errors.Add(new OptionError(item.Path, single, $"the items of {list.Path} are numbered 0, 1, 2, … without gaps: this one would be read as {list.Path}:{next}"));
                }

                next++;
                continue;
            }

            foreach ((string key, string? value) in item.AsEnumerable())
            {
                if (value is not null)
                {
                    errors.Add(new OptionError(key, value, numbered
                        ? $"each item of {list.Path} is a single value, not a section: write {item.Path}=VALUE"
                        : $"{list.Path} is a list: its items are numbered from 0 ({list.Path}:0=VALUE, {list.Path}:1=…)"));
                }
            }
        }
    }

    /// <summary>Why <paramref name="value"/> cannot be bound to <paramref name="type"/>, in plain words; null when it can.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only the converters of the primitive option types (numbers, bool, enums of Edge's own kept assemblies, TimeSpan) are asked for.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Edge's own assemblies are kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj): every option class and its properties are there to reflect on.")]
    internal static string? TypeProblem(Type type, string value)
    {
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string) || (Nullable.GetUnderlyingType(type) is not null && value.Length == 0))
        {
            return null;
        }

        // Whole numbers are decimal digits: the binder's converter also reads 0x4A0F as hexadecimal (a port of 18959
        // where 4 was meant), which no one writes on purpose.
        bool integral = !target.IsEnum && Type.GetTypeCode(target) is TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16
            or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64;
        try
        {
            // The converter the configuration binder itself uses, so what passes here binds there.
            if ((!integral || IsDecimalWholeNumber(value)) && TypeDescriptor.GetConverter(target).ConvertFromInvariantString(value) is not null)
            {
                return null;
            }
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
        }

        if (target.IsEnum)
        {
            return $"must be one of {string.Join(", ", Enum.GetNames(target))}";
        }

        return Type.GetTypeCode(target) switch
        {
            TypeCode.Double or TypeCode.Single or TypeCode.Decimal => "is not a number: write digits with a decimal point, no units (e.g. 500 or 0.5)",
            TypeCode.Boolean => "must be true or false",
            TypeCode.Byte => "must be a whole number from 0 to 255",
            TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => "must be a whole number (no decimal point, no units)",
            TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 => "must be a whole number ≥ 0 (no decimal point, no units)",
            _ when target == typeof(TimeSpan) => "must be a duration like 00:00:05",
            _ => $"cannot be read as {target.Name}",
        };
    }

    private static bool IsDecimalWholeNumber(string value)
    {
        ReadOnlySpan<char> v = value.AsSpan().Trim();
        if (v.Length > 0 && (v[0] == '-' || v[0] == '+'))
        {
            v = v[1..];
        }

        return v.Length > 0 && !v.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>True when <paramref name="type"/> is an options class of its own (a sub-section, like <c>Mqtt:Credentials</c>).</summary>
    internal static bool IsNestedOptions(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type);
}
