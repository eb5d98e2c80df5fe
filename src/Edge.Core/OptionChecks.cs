namespace Edge.Core;

/// <summary>Small helpers that collect <see cref="OptionError"/>s; used by every options class's <c>Validate</c>.</summary>
public sealed class OptionChecks
{
    private readonly List<OptionError> _errors = [];
    private readonly string _prefix;

    /// <summary>Starts collecting errors for options under <paramref name="prefix"/> (e.g. "Controller").</summary>
    public OptionChecks(string prefix) => _prefix = prefix;

    /// <summary>The errors collected so far.</summary>
    public IReadOnlyList<OptionError> Errors => _errors;

    /// <summary>Adds an error for option <paramref name="name"/>.</summary>
    public void Fail(string name, string value, string allowed) =>
        _errors.Add(new OptionError(_prefix.Length == 0 ? name : $"{_prefix}:{name}", value, allowed));

    /// <summary>Requires a finite value in [min, max] (either bound may be infinite).</summary>
    public void Range(string name, double value, double min, double max, string unit)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            Fail(name, OptionError.Format(value), $"must be a finite number in [{Bound(min)}, {Bound(max)}] {unit}".TrimEnd());
        }
    }

    /// <summary>Requires a finite value strictly greater than <paramref name="min"/> and at most <paramref name="max"/>.</summary>
    public void Above(string name, double value, double min, double max, string unit)
    {
        if (!double.IsFinite(value) || value <= min || value > max)
        {
            Fail(name, OptionError.Format(value), $"must be a finite number in ({Bound(min)}, {Bound(max)}] {unit}".TrimEnd());
        }
    }

    /// <summary>Requires a value that is not NaN (infinities allowed, e.g. "no cap").</summary>
    public void NotNaN(string name, double value, string meaning)
    {
        if (double.IsNaN(value))
        {
            Fail(name, "NaN", meaning);
        }
    }

    private static string Bound(double v) =>
        double.IsPositiveInfinity(v) ? "∞" : double.IsNegativeInfinity(v) ? "−∞" : OptionError.Format(v);
}
