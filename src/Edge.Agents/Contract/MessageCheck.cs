using System.Globalization;

namespace Edge.Agents.Contract;

/// <summary>Collects value errors of one message, each as <c>$.path: what was wrong</c>.</summary>
public sealed class MessageCheck
{
    private readonly List<string> _errors = [];

    /// <summary>The errors found so far.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Adds an error at <paramref name="path"/>.</summary>
    public void Fail(string path, string message) => _errors.Add($"{path}: {message}");

    /// <summary>Requires a finite number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public void Range(string path, double value, double min, double max)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            Fail(path, string.Create(CultureInfo.InvariantCulture, $"{value} is outside [{min}, {max}]"));
        }
    }

    /// <summary>Like the non-optional overload, for an optional value (null passes).</summary>
    public void Range(string path, double? value, double min, double max)
    {
        if (value is { } v)
        {
            Range(path, v, min, max);
        }
    }

    /// <summary>Requires an identity: 1–64 of <c>A–Z a–z 0–9 . _ : -</c>.</summary>
    public void Id(string path, string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            Fail(path, "must be 1–64 characters");
            return;
        }

        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
            {
                Fail(path, "may hold only A–Z a–z 0–9 . _ : -");
                return;
            }
        }
    }

    /// <summary>Requires a date-time with an explicit UTC offset inside the years 2000–2200.</summary>
    public void Time(string path, DateTimeOffset value)
    {
        if (value.Year is < 2000 or > 2200)
        {
            Fail(path, "is not a plausible time");
        }
    }
}
