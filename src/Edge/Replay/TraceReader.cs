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
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        string[] lines = text.Split('\n');
        bool lastTerminated = text.EndsWith('\n');
        int headerLine = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerLine < 0)
        {
            throw new TraceFormatException($"{path}: the file is empty (a header row and at least two data rows are needed).");
        }

        char delimiter = DelimiterOf(lines[headerLine]);
        bool decimalComma = delimiter != ',';
        string[] columns = SplitFields(lines[headerLine], delimiter);
        bool nvidia = Array.Exists(columns, c => c.StartsWith("power.draw", StringComparison.OrdinalIgnoreCase))
                      && Array.Exists(columns, c => c.Equals("timestamp", StringComparison.OrdinalIgnoreCase));
        int timeCol = FindTimeColumn(columns, options.TimeColumn, path, headerLine + 1);
        int[] powerCols = FindPowerColumns(columns, options.PowerColumn, path, headerLine + 1);
        int indexCol = nvidia ? Array.FindIndex(columns, c => c.Equals("index", StringComparison.OrdinalIgnoreCase)) : -1;
        double[] unitScales = new double[powerCols.Length];
        for (int k = 0; k < powerCols.Length; k++)
        {
            unitScales[k] = UnitScaleFromName(columns[powerCols[k]]) * options.PowerScale;
        }

        double nameTimeScale = TimeScaleFromName(columns[timeCol]);
        double timeScale = double.NaN;

        var warnings = new List<string>();
        var times = new List<double>();
        var powers = new List<double>();
        var gpuIndex = new List<int>();
        bool? numericTime = null;
        long firstTicks = 0;
        bool firstTime = true;
        double previousS = double.NegativeInfinity;
        int missingRows = 0;
        string? firstMissing = null;
        for (int i = headerLine + 1; i < lines.Length; i++)
        {
            string raw = lines[i].TrimEnd('\r');
            if (raw.Trim().Length == 0)
            {
                continue;
            }

            int lineNo = i + 1;
            string[] f = SplitFields(raw, delimiter);
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

            numericTime ??= TryParseNumber(f[timeCol], decimalComma, out _);
            double timeS;
            if (numericTime.Value)
            {
                if (!TryParseNumber(f[timeCol], decimalComma, out double rawTime))
                {
                    throw new TraceFormatException(path, lineNo, timeCol + 1, columns[timeCol], $"'{f[timeCol]}' is not a number of seconds.");
                }

                if (double.IsNaN(timeScale))
                {
                    timeScale = TimeScaleOf(columns[timeCol], nameTimeScale, rawTime, path, warnings);
                }

                timeS = rawTime * timeScale;
            }
            else
            {
                if (!TryParseDate(f[timeCol], decimalComma, out long ticks))
                {
                    throw new TraceFormatException(path, lineNo, timeCol + 1, columns[timeCol], $"'{f[timeCol]}' is not a date-time (expected e.g. 2025-07-27 00:34:45.155 or ISO-8601) nor seconds.");
                }

                if (firstTime)
                {
                    firstTicks = ticks;
                    firstTime = false;
                }

                timeS = (ticks - firstTicks) / (double)TimeSpan.TicksPerSecond;
            }

            if (timeS < previousS)
            {
                throw new TraceFormatException(path, lineNo, timeCol + 1, columns[timeCol], string.Create(CultureInfo.InvariantCulture, $"time goes backwards ({f[timeCol]} after a later time); rows must be in time order."));
            }

            previousS = timeS;
            double powerW = 0;
            bool missing = false;
            for (int k = 0; k < powerCols.Length; k++)
            {
                string cell = f[powerCols[k]];
                if (IsMissing(cell))
                {
                    missing = true;
                    break;
                }

                if (!TryParsePower(cell, decimalComma, out double columnW))
                {
                    throw new TraceFormatException(path, lineNo, powerCols[k] + 1, columns[powerCols[k]], $"'{cell}' is not a power (expected a number, optionally with W, kW or MW; an empty cell, NaN or [N/A] marks a missing value).");
                }

                powerW += columnW * unitScales[k];
            }

            if (missing)
            {
                missingRows++;
                firstMissing ??= $"{path}:{lineNo}";
                continue;
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
            powers.Add(powerW);
        }

        if (missingRows > 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{missingRows} row(s) had no power value (empty, NaN or [N/A]; first at {firstMissing}) and were skipped: the previous value holds across them."));
        }

        if (times.Count < 2)
        {
            string why = missingRows > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({missingRows} more had no power value)") : string.Empty;
            throw new TraceFormatException($"{path}: at least two data rows are needed, found {times.Count}{why}.");
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

    /// <summary>The header's delimiter: whichever of tab, semicolon and comma it holds most of (comma on a tie or none).</summary>
    private static char DelimiterOf(string header)
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
    private static string[] SplitFields(string line, char delimiter)
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

    private static int FindTimeColumn(string[] columns, string? wanted, string path, int line)
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
    private static int[] FindPowerColumns(string[] columns, string? wanted, string path, int line)
    {
        if (wanted is not null)
        {
            int whole = Array.FindIndex(columns, c => c.Equals(wanted.Trim(), StringComparison.OrdinalIgnoreCase));
            if (whole >= 0)
            {
                return [whole];
            }

            string[] names = wanted.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (names.Length == 0)
            {
                throw new TraceFormatException(path, line, 0, string.Empty, $"--power-column '{wanted}' names no column.");
            }

            int[] picked = new int[names.Length];
            for (int k = 0; k < names.Length; k++)
            {
                picked[k] = ColumnNamed(columns, names[k], path, line);
            }

            return picked;
        }

        foreach (string candidate in PowerNames)
        {
            int i = Array.FindIndex(columns, c => c.Equals(candidate, StringComparison.OrdinalIgnoreCase));
            if (i >= 0)
            {
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

    private static int ColumnNamed(string[] columns, string wanted, string path, int line)
    {
        int i = Array.FindIndex(columns, c => c.Equals(wanted, StringComparison.OrdinalIgnoreCase));
        return i >= 0
            ? i
            : throw new TraceFormatException(path, line, 0, string.Empty, $"no column named '{wanted}' (columns: {string.Join(", ", columns)}).");
    }

    /// <summary>Seconds per unit of a numeric time column named with a unit (<c>_ms</c>, <c>[us]</c> …); NaN when the name has none.</summary>
    private static double TimeScaleFromName(string column)
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
    private static double TimeScaleOf(string column, double fromName, double first, string path, List<string> warnings)
    {
        if (!double.IsNaN(fromName))
        {
            return fromName;
        }

        double magnitude = Math.Abs(first);
        (double scale, string unit) = magnitude >= 1e17 ? (1e-9, "nanoseconds") : magnitude >= 1e14 ? (1e-6, "microseconds") : magnitude >= 1e11 ? (1e-3, "milliseconds") : (1.0, "seconds");
        if (scale != 1)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path}: time column '{column}' starts at {first:G6}, too large for seconds: read as Unix-epoch {unit} (name the column e.g. {column}_ms to say so)."));
        }

        return scale;
    }

    private static bool IsMissing(string cell)
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

    private static bool TryParseNumber(string text, bool decimalComma, out double value)
    {
        string t = decimalComma && text.Contains(',', StringComparison.Ordinal) && !text.Contains('.', StringComparison.Ordinal)
            ? text.Replace(',', '.')
            : text;
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    private static double UnitScaleFromName(string column)
    {
        string c = column.ToLowerInvariant();
        return c.EndsWith("_mw", StringComparison.Ordinal) || c.EndsWith("[mw]", StringComparison.Ordinal) ? 1e6
            : c.EndsWith("_kw", StringComparison.Ordinal) || c.EndsWith("[kw]", StringComparison.Ordinal) ? 1e3
            : 1.0;
    }

    private static bool TryParsePower(string text, bool decimalComma, out double powerW)
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

    private static bool TryParseDate(string text, bool decimalComma, out long ticks)
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
