using System.Globalization;

namespace Edge.Cli;

/// <summary>
/// Parsed arguments of one subcommand: <c>--name value</c> options, <c>--flag</c> switches and positional words.
/// Every getter names the option in its error, and <see cref="ThrowOnUnused"/> rejects options nobody asked for
/// (a typo never passes silently).
/// </summary>
public sealed class CommandArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/>; <paramref name="switches"/> are options that take no value.</summary>
    public CommandArgs(IReadOnlyList<string> args, IReadOnlySet<string> switches)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                string name = a[2..];
                string? value = null;
                int eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    value = name[(eq + 1)..];
                    name = name[..eq];
                }
                else if (!switches.Contains(name))
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new UsageException($"Option --{name} needs a value.");
                    }

                    if (args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new UsageException($"Option --{name} needs a value, but the next word is the option '{args[i + 1]}' (to give a value that starts with --, write --{name}=VALUE).");
                    }

                    value = args[++i];
                }

                if (!_options.TryAdd(name, value))
                {
                    throw new UsageException($"Option --{name} is given twice.");
                }
            }
            else
            {
                Positional.Add(a);
            }
        }
    }

    /// <summary>Words that are not options (e.g. <c>Section:Key=value</c> overrides).</summary>
    public List<string> Positional { get; } = [];

    /// <summary>
    /// True when the switch is present. A switch takes no value: <c>--quiet=no</c> is refused rather than read as
    /// present (<c>--planner=false</c> would otherwise turn the planner on); use <see cref="SwitchWithValue"/> for the
    /// few switches that may carry one.
    /// </summary>
    public bool Has(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out string? value))
        {
            return false;
        }

        return value is null
            ? true
            : throw new UsageException($"Switch --{name} takes no value (got --{name}={value}): give --{name} to turn it on, leave it out to leave it off.");
    }

    /// <summary>
    /// A switch that may carry a value: <c>--name</c> (present, value null) or <c>--name=VALUE</c>. The name must be
    /// among the command's switches. Returns whether it is present.
    /// </summary>
    public bool SwitchWithValue(string name, out string? value)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out value);
    }

    /// <summary>The option's text, or null when absent.</summary>
    public string? String(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out string? v) ? v ?? throw new UsageException($"Option --{name} needs a value.") : null;
    }

    /// <summary>The option as a finite number in [min, max], or null when absent.</summary>
    public double? Double(string name, double min = double.MinValue, double max = double.MaxValue)
    {
        string? s = String(name);
        if (s is null)
        {
            return null;
        }

        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
        {
            throw new UsageException($"Option --{name}: '{s}' is not a number.");
        }

        if (v < min || v > max)
        {
            throw new UsageException($"Option --{name}: {s} is out of range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}].");
        }

        return v;
    }

    /// <summary>The option as an integer in [min, max], or null when absent.</summary>
    public long? Long(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        string? s = String(name);
        if (s is null)
        {
            return null;
        }

        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
        {
            throw new UsageException($"Option --{name}: '{s}' is not an integer.");
        }

        if (v < min || v > max)
        {
            throw new UsageException($"Option --{name}: {s} is out of range [{min}, {max}].");
        }

        return v;
    }

    /// <summary>
    /// Longest duration a command accepts (49 days): what a timer can count (<see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>
    /// takes at most 2³² − 2 ms, about 49.7 days). Longer runs are runs until stopped: omit the option.
    /// </summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(49);

    /// <summary>
    /// The option as a duration (<c>20s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, <c>7d</c>, or plain seconds), above 0 and at most
    /// <see cref="MaxDuration"/>, or null when absent.
    /// </summary>
    public TimeSpan? Duration(string name)
    {
        string? s = String(name);
        return s is null ? null : ParseDuration(s, $"--{name}");
    }

    /// <summary>
    /// Parses a duration such as <c>20s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, <c>7d</c> or <c>1.5</c> (seconds), above 0 and at most
    /// <see cref="MaxDuration"/>; anything else is a <see cref="UsageException"/> naming <paramref name="what"/>.
    /// </summary>
    public static TimeSpan ParseDuration(string text, string what)
    {
        string t = text.Trim();
        (string number, double scaleS) = t switch
        {
            _ when t.EndsWith("ms", StringComparison.Ordinal) => (t[..^2], 1e-3),
            _ when t.EndsWith('s') => (t[..^1], 1.0),
            _ when t.EndsWith('m') => (t[..^1], 60.0),
            _ when t.EndsWith('h') => (t[..^1], 3600.0),
            _ when t.EndsWith('d') => (t[..^1], 86_400.0),
            _ => (t, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < 0)
        {
            throw new UsageException($"{what}: '{text}' is not a duration (use e.g. 20s, 500ms, 2m, 1h, 7d).");
        }

        if (v == 0)
        {
            // A run of no time would start the devices only to ramp them out at once.
            throw new UsageException($"{what}: '{text}' is no time at all: give a duration longer than 0, or omit {what} to run until stopped.");
        }

        double seconds = v * scaleS;
        if (!(seconds <= MaxDuration.TotalSeconds))
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{what}: '{text}' is longer than the longest duration Edge can time, {MaxDuration.TotalDays:0} days ({MaxDuration.TotalHours:0}h); omit {what} to run until stopped."));
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Throws a <see cref="UsageException"/> naming any option no getter asked for.</summary>
    public void ThrowOnUnused()
    {
        foreach (string name in _options.Keys)
        {
            if (!_used.Contains(name))
            {
                throw new UsageException($"Unknown option --{name}.");
            }
        }
    }
}
