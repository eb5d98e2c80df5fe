using System.Globalization;

namespace Edge.Replay;

/// <summary>
/// Reads load traces from CSV (DESIGN §6): a header row, a time column (seconds, or ISO-8601 / "yyyy-MM-dd HH:mm:ss.fff"
/// date-times) and a power column (W; values may carry a unit such as <c>71.25 W</c>, <c>3.2 kW</c>). Logs written by
/// <c>nvidia-smi --query-gpu=timestamp,power.draw,… --format=csv -lms 100</c> are recognised: each poll writes one row per
/// GPU with nearly the same timestamp, so rows are grouped into polls and summed (an <c>index</c> column, when
/// queried, identifies GPUs exactly; otherwise polls are told apart by the gap between timestamps).
/// A bad row is an error naming file, line and column. The one tolerance: a last line cut short by a logger killed
/// mid-write (no final newline) is skipped with a warning.
/// </summary>
public static class TraceReader
{
    private static readonly string[] TimeNames = ["time_seconds", "time_s", "seconds", "t_s", "time", "t", "timestamp", "datetime", "date_time", "date"];
    private static readonly string[] PowerNames = ["power_w", "power_watts", "load_w", "power", "watts", "w", "power.draw [w]", "power.draw"];

    private static readonly string[] DateFormats =
    [
        "yyyy/MM/dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy/MM/dd'T'HH:mm:ss.FFFFFFF",
    ];

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    public static Trace Read(string path, TraceReadOptions options)
    {
        if (!File.Exists(path))
        {
            throw new TraceFormatException($"{path}: no such file.");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new TraceFormatException($"{path}: cannot read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TraceFormatException($"{path}: cannot read: {e.Message}", e);
        }

        return Parse(text, path, options);
    }

    /// <summary>Parses CSV <paramref name="text"/>; <paramref name="path"/> is used in messages.</summary>
    public static Trace Parse(string text, string path, TraceReadOptions options)
    {
        string[] lines = text.Split('\n');
        bool lastTerminated = text.EndsWith('\n');
        int headerLine = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerLine < 0)
        {
            throw new TraceFormatException($"{path}: the file is empty (a header row and at least two data rows are needed).");
        }

        string[] columns = SplitFields(lines[headerLine]);
        bool nvidia = Array.Exists(columns, c => c.StartsWith("power.draw", StringComparison.OrdinalIgnoreCase))
                      && Array.Exists(columns, c => c.Equals("timestamp", StringComparison.OrdinalIgnoreCase));
        int timeCol = FindColumn(columns, options.TimeColumn, TimeNames, "time", path, headerLine + 1);
        int powerCol = FindColumn(columns, options.PowerColumn, PowerNames, "power", path, headerLine + 1);
        int indexCol = nvidia ? Array.FindIndex(columns, c => c.Equals("index", StringComparison.OrdinalIgnoreCase)) : -1;
        double unitScale = UnitScaleFromName(columns[powerCol]) * options.PowerScale;

        var warnings = new List<string>();
        var times = new List<double>();
        var powers = new List<double>();
        var gpuIndex = new List<int>();
        bool? numericTime = null;
        long firstTicks = 0;
        double previousS = double.NegativeInfinity;
        for (int i = headerLine + 1; i < lines.Length; i++)
        {
            string raw = lines[i].TrimEnd('\r');
            if (raw.Trim().Length == 0)
            {
                continue;
            }

            int lineNo = i + 1;
            string[] f = SplitFields(raw);
            bool isLast = i == lines.Length - 1 || (i == lines.Length - 2 && lines[^1].Length == 0 && lastTerminated);
            if (f.Length < columns.Length)
            {
                if (isLast && !lastTerminated)
                {
                    warnings.Add($"{path}:{lineNo}: last line is cut short ({f.Length} of {columns.Length} fields, no final newline) — skipped, as written by a logger killed mid-write.");
                    continue;
                }

                throw new TraceFormatException(path, lineNo, 0, string.Empty, $"expected {columns.Length} fields as in the header, found {f.Length}.");
            }

            numericTime ??= double.TryParse(f[timeCol], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            double timeS;
            if (numericTime.Value)
            {
                if (!double.TryParse(f[timeCol], NumberStyles.Float, CultureInfo.InvariantCulture, out timeS) || !double.IsFinite(timeS))
                {
                    throw new TraceFormatException(path, lineNo, timeCol + 1, columns[timeCol], $"'{f[timeCol]}' is not a number of seconds.");
                }
            }
            else
            {
                if (!TryParseDate(f[timeCol], out long ticks))
                {
                    throw new TraceFormatException(path, lineNo, timeCol + 1, columns[timeCol], $"'{f[timeCol]}' is not a date-time (expected e.g. 2025-07-27 00:34:45.155 or ISO-8601) nor seconds.");
                }

                if (times.Count == 0)
                {
                    firstTicks = ticks;
                }

                timeS = (ticks - firstTicks) / (double)TimeSpan.TicksPerSecond;
            }

            if (timeS < previousS)
            {
                throw new TraceFormatException(path, lineNo, timeCol + 1, columns[timeCol], string.Create(CultureInfo.InvariantCulture, $"time goes backwards ({f[timeCol]} after a later time); rows must be in time order."));
            }

            previousS = timeS;
            if (!TryParsePower(f[powerCol], out double powerW))
            {
                throw new TraceFormatException(path, lineNo, powerCol + 1, columns[powerCol], $"'{f[powerCol]}' is not a power (expected a number, optionally with W, kW or MW).");
            }

            if (indexCol >= 0)
            {
                if (!int.TryParse(f[indexCol], NumberStyles.Integer, CultureInfo.InvariantCulture, out int gpu) || gpu < 0 || gpu > 4096)
                {
                    throw new TraceFormatException(path, lineNo, indexCol + 1, columns[indexCol], $"'{f[indexCol]}' is not a GPU index.");
                }

                gpuIndex.Add(gpu);
            }

            times.Add(timeS);
            powers.Add(powerW * unitScale);
        }

        if (times.Count < 2)
        {
            throw new TraceFormatException($"{path}: at least two data rows are needed, found {times.Count}.");
        }

        double firstS = times[0];
        string name = Path.GetFileName(path);
        if (nvidia)
        {
            (double[] pollTimes, double[] pollPowers) = indexCol >= 0
                ? NvidiaPolls.ByIndex(times, powers, gpuIndex, warnings)
                : NvidiaPolls.ByGap(times, powers, warnings);
            Shift(pollTimes, pollTimes[0]);
            return new Trace(name, path, "nvidia-smi", pollTimes, pollPowers, RateOf(pollTimes), warnings);
        }

        double[] t = [.. times];
        Shift(t, firstS);
        if (t[^1] <= 0)
        {
            throw new TraceFormatException($"{path}: all rows have the same time; a trace must span some time.");
        }

        return new Trace(name, path, "csv", t, [.. powers], RateOf(t), warnings);
    }

    /// <summary>Splits a CSV line into trimmed fields (quotes around a field are removed).</summary>
    private static string[] SplitFields(string line)
    {
        string[] f = line.TrimEnd('\r').Split(',');
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = f[i].Trim().Trim('"').Trim();
        }

        return f;
    }

    private static int FindColumn(string[] columns, string? wanted, string[] candidates, string what, string path, int line)
    {
        if (wanted is not null)
        {
            int i = Array.FindIndex(columns, c => c.Equals(wanted, StringComparison.OrdinalIgnoreCase));
            return i >= 0
                ? i
                : throw new TraceFormatException(path, line, 0, string.Empty, $"no column named '{wanted}' (columns: {string.Join(", ", columns)}).");
        }

        foreach (string candidate in candidates)
        {
            int i = Array.FindIndex(columns, c => c.Equals(candidate, StringComparison.OrdinalIgnoreCase));
            if (i >= 0)
            {
                return i;
            }
        }

        // Unit-suffixed names (power_kw, load_mw) are power columns too.
        if (what == "power")
        {
            int i = Array.FindIndex(columns, c => UnitScaleFromName(c) != 1 || c.EndsWith("_w", StringComparison.OrdinalIgnoreCase));
            if (i >= 0)
            {
                return i;
            }
        }

        throw new TraceFormatException(path, line, 0, string.Empty,
            $"no {what} column found (columns: {string.Join(", ", columns)}); name it with --{what}-column.");
    }

    private static double UnitScaleFromName(string column)
    {
        string c = column.ToLowerInvariant();
        return c.EndsWith("_mw", StringComparison.Ordinal) || c.EndsWith("[mw]", StringComparison.Ordinal) ? 1e6
            : c.EndsWith("_kw", StringComparison.Ordinal) || c.EndsWith("[kw]", StringComparison.Ordinal) ? 1e3
            : 1.0;
    }

    private static bool TryParsePower(string text, out double powerW)
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

        bool ok = double.TryParse(t.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out powerW) && double.IsFinite(powerW);
        powerW *= scale;
        return ok;
    }

    private static bool TryParseDate(string text, out long ticks)
    {
        if (DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset exact)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out exact))
        {
            ticks = exact.UtcTicks;
            return true;
        }

        ticks = 0;
        return false;
    }

    private static void Shift(double[] t, double originS)
    {
        for (int i = 0; i < t.Length; i++)
        {
            t[i] -= originS;
        }
    }

    private static double RateOf(double[] t)
    {
        var intervals = new List<double>(t.Length);
        for (int i = 1; i < t.Length; i++)
        {
            if (t[i] > t[i - 1])
            {
                intervals.Add(t[i] - t[i - 1]);
            }
        }

        if (intervals.Count == 0)
        {
            return double.PositiveInfinity;
        }

        intervals.Sort();
        return 1.0 / intervals[intervals.Count / 2];
    }
}
