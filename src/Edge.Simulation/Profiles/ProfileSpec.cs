using System.Globalization;

namespace Edge.Simulation.Profiles;

/// <summary>
/// A parsed profile spec <c>name[:key=value,…]</c>, e.g. <c>ai-training:peak_w=2e6,seed=7</c>. Values are checked
/// against the profile's parameter table; unknown keys and out-of-range values are errors naming the key.
/// </summary>
public sealed class ProfileSpec
{
    private static readonly string[] AlwaysShown = ["peak_w", "duration_s", "seed"];
    private readonly Dictionary<string, double> _values;
    private readonly IReadOnlyList<ProfileParameter> _parameters;

    private ProfileSpec(string name, Dictionary<string, double> values, IReadOnlyList<ProfileParameter> parameters)
    {
        Name = name;
        _values = values;
        _parameters = parameters;
    }

    /// <summary>Profile name (before the colon).</summary>
    public string Name { get; }

    /// <summary>Parses <paramref name="spec"/> against <paramref name="parameters"/>; throws <see cref="FormatException"/> naming the problem.</summary>
    public static ProfileSpec Parse(string spec, IReadOnlyList<ProfileParameter> parameters)
    {
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? spec : spec[..colon];
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (ProfileParameter p in parameters)
        {
            values[p.Name] = p.Default;
        }

        var given = new HashSet<string>(StringComparer.Ordinal);
        if (colon >= 0)
        {
            foreach (string pair in spec[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new FormatException($"Profile '{name}': '{pair}' is not key=value.");
                }

                string key = pair[..eq].Trim();
                string text = pair[(eq + 1)..].Trim();
                ProfileParameter? p = parameters.FirstOrDefault(x => x.Name == key)
                    ?? throw new FormatException($"Profile '{name}': unknown parameter '{key}'. Known: {string.Join(", ", parameters.Select(x => x.Name))}.");
                if (!given.Add(key))
                {
                    throw new FormatException($"Profile '{name}': {key} is given twice; give each parameter once.");
                }

                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                {
                    throw new FormatException($"Profile '{name}': {key}='{text}' is not a number.");
                }

                if (v < p.Min || v > p.Max)
                {
                    throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Profile '{name}': {key}={text} is out of range [{p.Min}, {p.Max}] ({p.Description})."));
                }

                values[key] = v;
            }
        }

        return new ProfileSpec(name, values, parameters);
    }

    /// <summary>The value of parameter <paramref name="key"/> (its default when not given).</summary>
    public double this[string key] => _values[key];

    /// <summary>The spec as <c>name:key=value,…</c> text for reports: size, length and seed, plus every parameter not at its default.</summary>
    public string Describe() =>
        Name + ":" + string.Join(",", _parameters
            .Where(p => AlwaysShown.Contains(p.Name) || _values[p.Name] != p.Default)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}={_values[p.Name]:G6}")));
}
