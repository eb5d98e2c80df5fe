using System.Collections;
using System.Reflection;
using Edge.Core;
using Microsoft.Extensions.Configuration;

namespace Edge.Daemon;

/// <summary>
/// Finds configuration keys that no option takes — a misspelt section (<c>Controler:RampUpWPerS</c>), an unknown
/// key (<c>Controller:Bogus</c>) or a read-only figure (<c>Loop:PeriodNs</c>) — so a typo stops Edge with the key's
/// full path instead of being ignored silently. Top-level keys without children (a stray <c>EDGE_SOMETHING</c>
/// variable) are not options and are left alone.
/// </summary>
internal static class UnknownOptionKeys
{
    /// <summary>Every key under <paramref name="configuration"/> that no section in <paramref name="sections"/> binds.</summary>
    public static IReadOnlyList<OptionError> Find(IConfiguration configuration, IReadOnlyDictionary<string, Type> sections)
    {
        var errors = new List<OptionError>();
        foreach (IConfigurationSection section in configuration.GetChildren())
        {
            bool hasChildren = section.GetChildren().Any();
            if (sections.TryGetValue(section.Key, out Type? type))
            {
                Walk(section, type, errors);
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

    private static void Walk(IConfigurationSection section, Type type, List<OptionError> errors)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            PropertyInfo? property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            bool nested = property is not null && IsNestedOptions(property.PropertyType);
            bool collection = property is not null && property.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(property.PropertyType);
            if (property is null || (property.SetMethod?.IsPublic != true && !nested && !collection))
            {
                var known = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.SetMethod?.IsPublic == true)
                    .Select(p => p.Name);
                errors.Add(new OptionError(child.Path, child.Value ?? "…", $"{section.Path} has no option '{child.Key}'; its options are {string.Join(", ", known)}"));
            }
            else if (nested)
            {
                Walk(child, property.PropertyType, errors);
            }
        }
    }

    private static bool IsNestedOptions(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type);
}
