using System.Globalization;

namespace Edge.Replay;

/// <summary>
/// Reads load traces from CSV (docs/DESIGN.md §6): a header row, a time column (seconds, or ISO-8601 / "yyyy-MM-dd HH:mm:ss.fff"
/// date-times) and a power column (W; values may carry a unit such as <c>71.25 W</c>, <c>3.2 kW</c>). Logs written by
/// <c>nvidia-smi --query-gpu=timestamp,power.draw,… --format=csv -lms 100</c> are recognised: each poll writes one row per
/// GPU with nearly the same timestamp, so rows are grouped into polls and summed (an <c>index</c> column, when
/// queried, identifies GPUs exactly; otherwise polls are told apart by the gap between timestamps).
/// Spreadsheet and SCADA exports are read too: the delimiter (comma, semicolon or tab) is taken from the header row, and
/// with a semicolon or tab a decimal comma is accepted (<c>0,05;1234,5</c>); numeric times may be seconds or, by a
/// <c>_ms</c>/<c>_us</c>/<c>_ns</c> suffix or by their magnitude (Unix epoch), milli-, micro- or nanoseconds; several
/// power columns can be summed (<c>--power-column rack1_w+rack2_w</c>).
/// A bad row is an error naming file, line and column. Two tolerances, each reported as a warning: a last line cut short
/// by a logger killed mid-write (no final newline) is skipped, and so are rows whose power is explicitly missing (empty,
/// <c>NaN</c>, <c>[N/A]</c> as nvidia-smi writes it, <c>null</c>): the previous value then holds until the next row.
/// </summary>
public static class TraceReader
{
    private static readonly string[] TimeNames =
    [
        "time_seconds", "time_s", "seconds", "t_s", "time", "t", "timestamp", "datetime", "date_time", "date",
        "time_ms", "timestamp_ms", "t_ms", "time_us", "timestamp_us", "time_ns", "timestamp_ns",
        "ts", "epoch", "epoch_s", "epoch_ms", "unix_time", "unix_ms", "elapsed_s", "elapsed",
    ];

    private static readonly string[] MissingMarkers = ["", "nan", "-nan", "na", "n/a", "[n/a]", "null", "none", "-", "[not supported]", "[unknown error]"];
    private static readonly string[] PowerNames = ["power_w", "power_watts", "load_w", "power", "watts", "w", "power.draw [w]", "power.draw"];

    private static readonly string[] DateFormats =
    [
        "yyyy/MM/dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy/MM/dd'T'HH:mm:ss.FFFFFFF",
    ];

    /// <summary>Opens the file at <paramref name="path"/> as a stream of samples (the replay reads traces this way).</summary>
    public static CsvTrace Open(string path, TraceReadOptions options) => CsvTrace.Open(path, options);

    /// <summary>Reads the whole file at <paramref name="path"/> into memory (for small traces and tests).</summary>
    public static Trace Read(string path, TraceReadOptions options) => Materialize(CsvTrace.Open(path, options), path);

    /// <summary>Parses CSV <paramref name="text"/> into memory; <paramref name="path"/> is used in messages.</summary>
    public static Trace Parse(string text, string path, TraceReadOptions options) => Materialize(CsvTrace.FromText(text, path, options), path);

    private static Trace Materialize(CsvTrace trace, string path)
    {
        var warnings = new List<string>();
        var times = new List<double>();
        var powers = new List<double>();
        var median = new IntervalMedian();
        foreach (TraceSample s in trace.Samples(warnings))
        {
            if (times.Count > 0)
            {
                median.Add(s.TimeS - times[^1]);
            }

            times.Add(s.TimeS);
            powers.Add(s.PowerW);
        }

        double rate = median.Count > 0 ? 1.0 / median.Median() : double.PositiveInfinity;
        return new Trace(Path.GetFileName(path), path, trace.Format, [.. times], [.. powers], rate, warnings);
    }

    /// <summary>The header's delimiter: whichever of tab, semicolon and comma it holds most of (comma on a tie or none).</summary>
    internal static char DelimiterOf(string header)
    {
        int commas = 0, semicolons = 0, tabs = 0;
        foreach (char c in header)
        {
            commas += c == ',' ? 1 : 0;
            semicolons += c == ';' ? 1 : 0;
            tabs += c == '\t' ? 1 : 0;
        }

        return tabs > commas && tabs >= semicolons ? '\t' : semicolons > commas ? ';' : ',';
    }

    /// <summary>Splits a CSV line into trimmed fields; a field in double quotes may hold the delimiter ("" is a quote).</summary>
    internal static string[] SplitFields(string line, char delimiter)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        string l = line.TrimEnd('\r');
        for (int i = 0; i < l.Length; i++)
        {
            char c = l[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < l.Length && l[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString().Trim());
        return [.. fields];
    }

    internal static int FindTimeColumn(string[] columns, string? wanted, string path, int line)
    {
        if (wanted is not null)
        {
            return ColumnNamed(columns, wanted, path, line);
        }

        foreach (string candidate in TimeNames)
        {
            int i = Array.FindIndex(columns, c => c.Equals(candidate, StringComparison.OrdinalIgnoreCase));
            if (i >= 0)
            {
                return i;
            }
        }

        // time_sec, timestamp [ms], Time (s) …
        int prefixed = Array.FindIndex(columns, c => c.StartsWith("time", StringComparison.OrdinalIgnoreCase));
        return prefixed >= 0
            ? prefixed
            : throw new TraceFormatException(path, line, 0, string.Empty,
                $"no time column found (columns: {string.Join(", ", columns)}); name it with --time-column.");
    }

    /// <summary>
    /// The power column(s): <c>--power-column NAME</c>, or <c>A+B+…</c> to sum several; otherwise a well-known name, or
    /// the one column whose name carries a power unit (<c>_w</c>, <c>_kw</c>, <c>[MW]</c> …). Several such columns and
    /// no well-known name is ambiguous: the error lists them and shows how to pick or sum.
    /// </summary>
    internal static int[] FindPowerColumns(string[] columns, string? wanted, string path, int line)
    {
        if (wanted is not null)
        {
            int whole = Array.FindIndex(columns, c => c.Equals(wanted.Trim(), StringComparison.OrdinalIgnoreCase));
            if (whole >= 0)
            {
                return [whole];
            }

            string[] names = wanted.Split('+', StringSplitOptions.TrimEntries);
            if (names.All(n => n.Length == 0))
            {
                throw new TraceFormatException(path, line, 0, string.Empty, $"--power-column '{wanted}' names no column.");
            }

            if (Array.IndexOf(names, string.Empty) >= 0)
            {
                // a_w+ or a_w++b_w: a term was left out, most likely a column that was meant to be summed.
                throw new TraceFormatException(path, line, 0, string.Empty, $"--power-column '{wanted}' has an empty term: write the columns to sum as A+B, each named once.");
            }

            int[] picked = new int[names.Length];
            for (int k = 0; k < names.Length; k++)
            {
                picked[k] = ColumnNamed(columns, names[k], path, line);
                if (Array.IndexOf(picked, picked[k], 0, k) >= 0)
                {
                    throw new TraceFormatException(path, line, 0, string.Empty, $"--power-column '{wanted}' names the column '{columns[picked[k]]}' twice: it would be counted twice; name each column once.");
                }
            }

            return picked;
        }

        foreach (string candidate in PowerNames)
        {
            int i = Array.FindIndex(columns, c => c.Equals(candidate, StringComparison.OrdinalIgnoreCase));
            if (i >= 0)
            {
                // power_w beside power_kw: the same quantity twice, in two units — which one is meant is not ours to guess.
                string stem = PowerStem(columns[i]);
                int other = -1;
                for (int j = 0; j < columns.Length && other < 0; j++)
                {
                    string c = columns[j];
                    bool powerNamed = !c.Equals(stem, StringComparison.OrdinalIgnoreCase) || Array.Exists(PowerNames, n => n.Equals(c, StringComparison.OrdinalIgnoreCase));
                    other = !c.Equals(columns[i], StringComparison.OrdinalIgnoreCase) && PowerStem(c) == stem && powerNamed ? j : -1; // a twin is the caller's
                }

                if (other >= 0)
                {
                    throw new TraceFormatException(path, line, 0, string.Empty,
                        $"two power columns ({columns[Math.Min(i, other)]}, {columns[Math.Max(i, other)]}) hold the same quantity in different units: pick one with --power-column {columns[i]}.");
                }

                return [i];
            }
        }

        var unitNamed = new List<int>();
        for (int i = 0; i < columns.Length; i++)
        {
            string c = columns[i];
            if (UnitScaleFromName(c) != 1 || c.EndsWith("_w", StringComparison.OrdinalIgnoreCase) || c.EndsWith("[w]", StringComparison.OrdinalIgnoreCase))
            {
                unitNamed.Add(i);
            }
        }

        if (unitNamed.Count == 1)
        {
            return [unitNamed[0]];
        }

        if (unitNamed.Count > 1)
        {
            string[] names = unitNamed.ConvertAll(i => columns[i]).ToArray();
            throw new TraceFormatException(path, line, 0, string.Empty,
                $"several power columns ({string.Join(", ", names)}): pick one with --power-column {names[0]}, or sum them with --power-column {string.Join('+', names)}.");
        }

        throw new TraceFormatException(path, line, 0, string.Empty,
            $"no power column found (columns: {string.Join(", ", columns)}); name it with --power-column.");
    }

    /// <summary>A power column's name without its unit: <c>power</c> for <c>power_w</c>, <c>Power [kW]</c>, <c>power_watts</c>.</summary>
    private static string PowerStem(string column)
    {
        string c = column.ToLowerInvariant().Replace(" ", string.Empty, StringComparison.Ordinal);
        foreach (string unit in (string[])["_watts", "_w", "_kw", "_mw", "[w]", "[kw]", "[mw]", "(w)", "(kw)", "(mw)"])
        {
            if (c.EndsWith(unit, StringComparison.Ordinal))
            {
                return c[..^unit.Length];
            }
        }

        return c is "w" or "watts" ? string.Empty : c;
    }

    private static int ColumnNamed(string[] columns, string wanted, string path, int line)
    {
        int i = Array.FindIndex(columns, c => c.Equals(wanted, StringComparison.OrdinalIgnoreCase));
        return i >= 0
            ? i
            : throw new TraceFormatException(path, line, 0, string.Empty, $"no column named '{wanted}' (columns: {string.Join(", ", columns)}).");
    }

    /// <summary>Seconds per unit of a numeric time column named with a unit (<c>_ms</c>, <c>[us]</c> …); NaN when the name has none.</summary>
    internal static double TimeScaleFromName(string column)
    {
        string c = column.ToLowerInvariant().Replace(" ", string.Empty, StringComparison.Ordinal);
        return c.EndsWith("_ms", StringComparison.Ordinal) || c.EndsWith("[ms]", StringComparison.Ordinal) || c.EndsWith("(ms)", StringComparison.Ordinal) ? 1e-3
            : c.EndsWith("_us", StringComparison.Ordinal) || c.EndsWith("[us]", StringComparison.Ordinal) || c.EndsWith("(us)", StringComparison.Ordinal) || c.EndsWith("[µs]", StringComparison.Ordinal) ? 1e-6
            : c.EndsWith("_ns", StringComparison.Ordinal) || c.EndsWith("[ns]", StringComparison.Ordinal) || c.EndsWith("(ns)", StringComparison.Ordinal) ? 1e-9
            : c.EndsWith("_s", StringComparison.Ordinal) || c.EndsWith("[s]", StringComparison.Ordinal) || c.EndsWith("(s)", StringComparison.Ordinal) || c == "seconds" || c == "time_seconds" ? 1
            : double.NaN;
    }

    /// <summary>
    /// The unit of a numeric time column: from its name when it has one; otherwise seconds, unless the first value is too
    /// large to be seconds (≥ 1e11 s is over 3000 years) — then it is a Unix epoch in ms, µs or ns by magnitude, said in a warning.
    /// </summary>
    internal static double TimeScaleOf(string column, double fromName, double first, string path, ICollection<string>? warnings)
    {
        if (!double.IsNaN(fromName))
        {
            return fromName;
        }

        double magnitude = Math.Abs(first);
        (double scale, string unit) = magnitude >= 1e17 ? (1e-9, "nanoseconds") : magnitude >= 1e14 ? (1e-6, "microseconds") : magnitude >= 1e11 ? (1e-3, "milliseconds") : (1.0, "seconds");
        if (scale != 1)
        {
            warnings?.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path}: time column '{column}' starts at {first:G6}, too large for seconds: read as Unix-epoch {unit} (name the column e.g. {column}_ms to say so)."));
        }

        return scale;
    }

    internal static bool IsMissing(string cell)
    {
        foreach (string marker in MissingMarkers)
        {
            if (cell.Equals(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool TryParseNumber(string text, bool decimalComma, out double value)
    {
        string t = decimalComma && text.Contains(',', StringComparison.Ordinal) && !text.Contains('.', StringComparison.Ordinal)
            ? text.Replace(',', '.')
            : text;
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    internal static double UnitScaleFromName(string column)
    {
        string c = column.ToLowerInvariant();
        return c.EndsWith("_mw", StringComparison.Ordinal) || c.EndsWith("[mw]", StringComparison.Ordinal) ? 1e6
            : c.EndsWith("_kw", StringComparison.Ordinal) || c.EndsWith("[kw]", StringComparison.Ordinal) ? 1e3
            : 1.0;
    }

    internal static bool TryParsePower(string text, bool decimalComma, out double powerW)
    {
        string t = text.Trim();
        double scale = 1;
        if (t.EndsWith("MW", StringComparison.Ordinal))
        {
            scale = 1e6;
            t = t[..^2];
        }
        else if (t.EndsWith("kW", StringComparison.Ordinal))
        {
            scale = 1e3;
            t = t[..^2];
        }
        else if (t.EndsWith('W'))
        {
            t = t[..^1];
        }

        bool ok = TryParseNumber(t.Trim(), decimalComma, out powerW);
        powerW *= scale;
        return ok;
    }

    internal static bool TryParseDate(string text, bool decimalComma, out long ticks)
    {
        if (decimalComma && text.LastIndexOf(',') is int comma and > 0 && !text.Contains('.', StringComparison.Ordinal))
        {
            text = string.Concat(text.AsSpan(0, comma), ".", text.AsSpan(comma + 1));
        }

        if (DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset exact)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out exact))
        {
            ticks = exact.UtcTicks;
            return true;
        }

        ticks = 0;
        return false;
    }
}
