using System.Globalization;
using System.Text;
using Edge.Runtime.Files;

namespace Edge.Replay;

/// <summary>
/// A CSV trace file read as a stream (DESIGN §6; the formats are described on <see cref="TraceReader"/>): the header
/// is read and checked when the trace is opened, the rows each time <see cref="Samples"/> is enumerated, one line at
/// a time, so memory does not depend on the file's length. Hostile input is refused early and described, never
/// echoed: a file that is binary (NUL bytes, a compressed or executable signature), a line longer than
/// <see cref="MaxLineChars"/>, a gap between rows longer than the stated limit, a path that is not a regular file (a FIFO
/// is refused before it is opened), a power beyond ±<see cref="MaxPowerW"/>, ambiguous or
/// duplicated columns, a row with more cells than the header, a time that does not advance (plain CSV); quoted cells are
/// shown with control characters escaped and cut to a readable length.
/// </summary>
public sealed class CsvTrace : ILoadTrace
{
    /// <summary>The longest line accepted, characters.</summary>
    public const int MaxLineChars = 1 << 20;

    /// <summary>
    /// The largest power a cell may hold once in W, 10 GW: more than any site draws (the largest campuses are a few GW),
    /// so a larger value is a unit or export error, not a load.
    /// </summary>
    public const double MaxPowerW = 1e10;

    /// <summary>Rows read to learn how an nvidia-smi log groups into polls.</summary>
    private const int PollLearningRows = 1 << 20;

    private readonly Func<TextReader> _open;
    private readonly TraceReadOptions _options;
    private readonly int _headerLine;
    private readonly char _delimiter;
    private readonly bool _decimalComma;
    private readonly string[] _columns;
    private readonly int _timeCol;
    private readonly int[] _powerCols;
    private readonly int _indexCol;
    private readonly double[] _unitScales;
    private readonly double _nameTimeScale;
    private (double ThresholdS, int GpuCount)? _polls;

    private CsvTrace(string path, Func<TextReader> open, TraceReadOptions options)
    {
        Source = path;
        Name = System.IO.Path.GetFileName(path);
        _open = open;
        _options = options;
        using TextReader reader = open();
        var lines = new LineReader(reader, path);
        string? header = null;
        while (lines.Next(out string line, out _))
        {
            if (line.Trim().Length > 0)
            {
                header = line;
                break;
            }
        }

        if (header is null)
        {
            throw new TraceFormatException($"{path}: the file is empty (a header row and at least two data rows are needed).");
        }

        _headerLine = lines.LineNumber;
        _delimiter = TraceReader.DelimiterOf(header);
        _decimalComma = _delimiter != ',';
        _columns = TraceReader.SplitFields(header, _delimiter);
        bool nvidia = Array.Exists(_columns, c => c.StartsWith("power.draw", StringComparison.OrdinalIgnoreCase))
                      && Array.Exists(_columns, c => c.Equals("timestamp", StringComparison.OrdinalIgnoreCase));
        _timeCol = TraceReader.FindTimeColumn(_columns, options.TimeColumn, path, _headerLine);
        _powerCols = TraceReader.FindPowerColumns(_columns, options.PowerColumn, path, _headerLine);
        if (Array.IndexOf(_powerCols, _timeCol) >= 0)
        {
            throw new TraceFormatException(path, _headerLine, 0, string.Empty,
                $"the power column '{_columns[_timeCol]}' is the time column{(options.TimeColumn is null ? "" : " (--time-column)")} too: name the power column(s) with --power-column{(options.TimeColumn is null ? ", the time column with --time-column" : "")}.");
        }

        _indexCol = nvidia ? Array.FindIndex(_columns, c => c.Equals("index", StringComparison.OrdinalIgnoreCase)) : -1;
        foreach (int used in (int[])[_timeCol, .. _powerCols, _indexCol])
        {
            // A column the trace is read from, named twice: which one holds the data is ambiguous.
            int twin = -1;
            for (int j = 0; j < _columns.Length && used >= 0 && twin < 0; j++)
            {
                twin = j != used && _columns[j].Equals(_columns[used], StringComparison.OrdinalIgnoreCase) ? j : -1;
            }

            if (twin >= 0)
            {
                int second = Math.Max(used, twin);
                throw new TraceFormatException(path, _headerLine, second + 1, _columns[second],
                    string.Create(CultureInfo.InvariantCulture, $"the header names this column twice (columns {Math.Min(used, twin) + 1} and {second + 1}): which one holds the data is ambiguous; rename one."));
            }
        }

        _unitScales = new double[_powerCols.Length];
        for (int k = 0; k < _powerCols.Length; k++)
        {
            _unitScales[k] = TraceReader.UnitScaleFromName(_columns[_powerCols[k]]) * options.PowerScale;
        }

        _nameTimeScale = TraceReader.TimeScaleFromName(_columns[_timeCol]);
        Format = nvidia ? "nvidia-smi" : "csv";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Source { get; }

    /// <inheritdoc />
    public string Format { get; }

    /// <inheritdoc />
    public double? KnownSampleRateHz => null;

    /// <inheritdoc />
    public double ReadFraction { get; private set; }

    private string Path => Source;

    /// <summary>Opens the file at <paramref name="path"/> and checks that it is a text CSV with usable columns.</summary>
    public static CsvTrace Open(string path, TraceReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (InputFile.Problem(path) is { } problem)
        {
            // Before opening: a FIFO would block for ever, a device (/dev/zero) never end.
            throw new TraceFormatException($"{path}: {problem}.");
        }

        try
        {
            var head = new byte[8192];
            int read;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            }

            if (BinaryKind(head.AsSpan(0, read)) is { } kind)
            {
                throw new TraceFormatException($"{path}: {kind}, not a text CSV file; give a CSV trace (a header row, then time and power per row).");
            }

            return new CsvTrace(path, () => new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, 1 << 16), options);
        }
        catch (IOException e)
        {
            throw new TraceFormatException($"{path}: cannot read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TraceFormatException($"{path}: cannot read: {e.Message}", e);
        }
    }

    /// <summary>A trace over CSV <paramref name="text"/> held in memory; <paramref name="path"/> names it in messages.</summary>
    public static CsvTrace FromText(string text, string path, TraceReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        string body = text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        return new CsvTrace(path, () => new StringReader(body), options);
    }

    /// <summary>What binary data the first bytes of a file look like, or null for text.</summary>
    internal static string? BinaryKind(ReadOnlySpan<byte> head)
    {
        static bool Starts(ReadOnlySpan<byte> h, params byte[] magic) => h.StartsWith(magic);
        string? named =
            Starts(head, 0x1f, 0x8b) ? "gzip-compressed data" :
            Starts(head, 0x50, 0x4b, 0x03, 0x04) ? "a ZIP archive (or an .xlsx workbook: export it as CSV)" :
            Starts(head, 0x42, 0x5a, 0x68) ? "bzip2-compressed data" :
            Starts(head, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00) ? "xz-compressed data" :
            Starts(head, 0x28, 0xb5, 0x2f, 0xfd) ? "zstd-compressed data" :
            Starts(head, 0x50, 0x41, 0x52, 0x31) ? "a Parquet file" :
            Starts(head, 0x7f, 0x45, 0x4c, 0x46) ? "an ELF executable" :
            Starts(head, 0x89, 0x50, 0x4e, 0x47) ? "a PNG image" :
            Starts(head, 0x25, 0x50, 0x44, 0x46) ? "a PDF document" :
            Starts(head, 0x89, 0x48, 0x44, 0x46) ? "an HDF5 file" :
            Starts(head, 0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59) ? "a NumPy .npy array" :
            null;
        if (named is not null)
        {
            return "binary data: " + named;
        }

        int nul = head.IndexOf((byte)0);
        if (nul >= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"binary data (a NUL byte at offset {nul})");
        }

        int control = 0;
        foreach (byte b in head)
        {
            control += b < 0x20 && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t' ? 1 : 0;
        }

        return control > 16 && control * 20 > head.Length
            ? string.Create(CultureInfo.InvariantCulture, $"binary data ({control} control bytes in the first {head.Length})")
            : null;
    }

    /// <inheritdoc />
    public IEnumerable<TraceSample> Samples(ICollection<string>? warnings)
    {
        if (Format == "csv")
        {
            return Plain(warnings);
        }

        _polls ??= _indexCol >= 0 ? LearnIndexedPolls() : LearnPollGap();
        return _indexCol >= 0 ? PollsByIndex(warnings, _polls.Value.GpuCount) : PollsByGap(warnings, _polls.Value.ThresholdS, _polls.Value.GpuCount);
    }

    private IEnumerable<TraceSample> Plain(ICollection<string>? warnings)
    {
        double firstS = 0, lastS = 0;
        long count = 0;
        foreach (Row r in Rows(warnings))
        {
            if (count == 0)
            {
                firstS = r.TimeS;
            }

            count++;
            lastS = r.TimeS - firstS;
            yield return new TraceSample(lastS, r.PowerW);
        }

        if (count >= 2 && lastS <= 0)
        {
            throw new TraceFormatException($"{Path}: all rows have the same time; a trace must span some time.");
        }
    }

    private (double ThresholdS, int GpuCount) LearnIndexedPolls()
    {
        int gpus = 1;
        int rows = 0;
        foreach (Row r in Rows(null))
        {
            gpus = Math.Max(gpus, r.Gpu + 1);
            if (++rows >= PollLearningRows)
            {
                break;
            }
        }

        return (0, gpus);
    }

    /// <summary>Learns the gap between polls and the GPU count from the first rows (bounded; see <see cref="NvidiaPolls"/>).</summary>
    private (double ThresholdS, int GpuCount) LearnPollGap()
    {
        var times = new List<double>();
        foreach (Row r in Rows(null))
        {
            times.Add(r.TimeS);
            if (times.Count >= PollLearningRows)
            {
                break;
            }
        }

        if (times.Count < 2)
        {
            return (-1, 1);
        }

        double threshold = NvidiaPolls.GapThreshold(times);
        return (threshold, NvidiaPolls.MostCommonGroupSize(times, threshold));
    }

    private IEnumerable<TraceSample> PollsByIndex(ICollection<string>? warnings, int gpuCount)
    {
        var polls = new NvidiaPolls(gpuCount);
        double firstS = double.NaN, pollStartS = 0;
        bool any = false;
        foreach (Row r in Rows(warnings))
        {
            if (!any)
            {
                any = true;
                firstS = r.TimeS;
                pollStartS = r.TimeS;
            }
            else if (polls.Seen(r.Gpu))
            {
                yield return new TraceSample(pollStartS - firstS, polls.EndPoll());
                pollStartS = r.TimeS;
            }

            polls.Set(r.Gpu, r.PowerW);
        }

        if (any)
        {
            yield return new TraceSample(pollStartS - firstS, polls.EndPoll());
        }

        polls.Report(warnings, gapThresholdS: null);
    }

    private IEnumerable<TraceSample> PollsByGap(ICollection<string>? warnings, double thresholdS, int gpuCount)
    {
        var polls = new NvidiaPolls(gpuCount);
        double firstS = double.NaN, chunkStartS = 0, previousS = 0;
        int filled = 0;
        bool any = false;
        foreach (Row r in Rows(warnings))
        {
            if (!any)
            {
                firstS = r.TimeS;
            }

            // A new poll starts after a long gap; a run of rows longer than the GPU count holds several polls.
            bool newGroup = !any || r.TimeS - previousS > thresholdS;
            any = true;
            if (filled > 0 && (newGroup || filled == gpuCount))
            {
                yield return new TraceSample(chunkStartS - firstS, polls.EndPoll());
                filled = 0;
            }

            if (filled == 0)
            {
                chunkStartS = r.TimeS;
            }

            polls.Set(filled++, r.PowerW);
            previousS = r.TimeS;
        }

        if (filled > 0)
        {
            yield return new TraceSample(chunkStartS - firstS, polls.EndPoll());
        }

        polls.Report(warnings, gpuCount > 1 ? thresholdS : null);
    }

    /// <summary>The data rows with a power value, checked; times in seconds from the file's own origin.</summary>
    private IEnumerable<Row> Rows(ICollection<string>? warnings)
    {
        using TextReader reader = _open();
        var lines = new LineReader(reader, Path);
        while (lines.LineNumber < _headerLine && lines.Next(out _, out _))
        {
        }

        int width = _columns.Length;
        bool? numericTime = null;
        bool strictTime = Format == "csv"; // an nvidia-smi poll writes one row per GPU with the same time
        double timeScale = double.NaN;
        long firstTicks = 0;
        bool firstDate = true;
        double previousS = double.NegativeInfinity;
        long rows = 0, missingRows = 0;
        string? firstMissing = null;
        Stream? file = (reader as StreamReader)?.BaseStream;
        long fileLength = file is { CanSeek: true } ? Math.Max(1, file.Length) : 0;
        while (lines.Next(out string raw, out bool terminated))
        {
            if (fileLength > 0 && (lines.LineNumber & 0xFFF) == 0)
            {
                ReadFraction = Math.Min(1, (double)file!.Position / fileLength);
            }

            if (raw.Trim().Length == 0)
            {
                continue;
            }

            int lineNo = lines.LineNumber;
            string[] f = TraceReader.SplitFields(raw, _delimiter);
            if (f.Length < width)
            {
                if (!terminated)
                {
                    warnings?.Add($"{Path}:{lineNo}: last line is cut short ({f.Length} of {width} fields, no final newline) — skipped, as written by a logger killed mid-write.");
                    continue;
                }

                throw new TraceFormatException(Path, lineNo, 0, string.Empty, $"expected {width} fields as in the header, found {f.Length}.");
            }

            if (f.Length > width)
            {
                throw new TraceFormatException(Path, lineNo, 0, string.Empty, $"expected {width} fields as in the header, found {f.Length}: a cell without a column.");
            }

            string timeCell = f[_timeCol];
            numericTime ??= TraceReader.TryParseNumber(timeCell, _decimalComma, out _);
            double timeS;
            if (numericTime.Value)
            {
                if (!TraceReader.TryParseNumber(timeCell, _decimalComma, out double rawTime))
                {
                    throw new TraceFormatException(Path, lineNo, _timeCol + 1, _columns[_timeCol], $"{Show(timeCell)} is not a number of seconds.");
                }

                if (double.IsNaN(timeScale))
                {
                    timeScale = TraceReader.TimeScaleOf(_columns[_timeCol], _nameTimeScale, rawTime, Path, warnings);
                }

                timeS = rawTime * timeScale;
            }
            else
            {
                if (!TraceReader.TryParseDate(timeCell, _decimalComma, out long ticks))
                {
                    throw new TraceFormatException(Path, lineNo, _timeCol + 1, _columns[_timeCol], $"{Show(timeCell)} is not a date-time (expected e.g. 2025-07-27 00:34:45.155 or ISO-8601) nor seconds.");
                }

                if (firstDate)
                {
                    firstTicks = ticks;
                    firstDate = false;
                }

                timeS = (ticks - firstTicks) / (double)TimeSpan.TicksPerSecond;
            }

            if (timeS < previousS)
            {
                throw new TraceFormatException(Path, lineNo, _timeCol + 1, _columns[_timeCol], $"time goes backwards ({Show(timeCell)} after a later time); rows must be in time order.");
            }

            if (timeS == previousS && strictTime)
            {
                // Zero-order hold keeps only the last of equal times: the earlier row would vanish unseen.
                throw new TraceFormatException(Path, lineNo, _timeCol + 1, _columns[_timeCol], $"time does not advance ({Show(timeCell)} again); rows must be in strictly increasing time order, one row per instant.");
            }

            if (double.IsFinite(previousS) && timeS - previousS > _options.MaxGapS)
            {
                throw new TraceFormatException(Path, lineNo, _timeCol + 1, _columns[_timeCol], string.Create(CultureInfo.InvariantCulture,
                    $"a gap of {timeS - previousS:G4} s since the previous row, longer than the limit of {_options.MaxGapS:G4} s: the last value would be held through it. Check the time column's unit, split the trace, or allow it with --max-gap-s."));
            }

            previousS = timeS;
            double powerW = 0;
            bool missing = false;
            for (int k = 0; k < _powerCols.Length; k++)
            {
                string cell = f[_powerCols[k]];
                if (TraceReader.IsMissing(cell))
                {
                    missing = true;
                    break;
                }

                if (!TraceReader.TryParsePower(cell, _decimalComma, out double columnW))
                {
                    throw new TraceFormatException(Path, lineNo, _powerCols[k] + 1, _columns[_powerCols[k]], $"{Show(cell)} is not a power (expected a number, optionally with W, kW or MW; an empty cell, NaN or [N/A] marks a missing value).");
                }

                columnW *= _unitScales[k];
                if (!(Math.Abs(columnW) <= MaxPowerW))
                {
                    throw new TraceFormatException(Path, lineNo, _powerCols[k] + 1, _columns[_powerCols[k]], string.Create(CultureInfo.InvariantCulture,
                        $"{Show(cell)} is {columnW:G4} W, beyond the {MaxPowerW:G2} W (10 GW) any site draws: check the column's unit and --power-scale."));
                }

                // A negative cell is kept: a meter's offset at idle, or generation behind it, is what the site saw.
                powerW += columnW;
            }

            if (!(Math.Abs(powerW) <= MaxPowerW))
            {
                throw new TraceFormatException(Path, lineNo, 0, string.Empty, string.Create(CultureInfo.InvariantCulture,
                    $"the power columns sum to {powerW:G4} W, beyond the {MaxPowerW:G2} W (10 GW) any site draws: check the columns' units and --power-scale."));
            }

            if (missing)
            {
                missingRows++;
                firstMissing ??= $"{Path}:{lineNo}";
                continue;
            }

            int gpu = -1;
            if (_indexCol >= 0 && (!int.TryParse(f[_indexCol], NumberStyles.Integer, CultureInfo.InvariantCulture, out gpu) || gpu < 0 || gpu > NvidiaPolls.MaxGpus - 1))
            {
                throw new TraceFormatException(Path, lineNo, _indexCol + 1, _columns[_indexCol], $"{Show(f[_indexCol])} is not a GPU index.");
            }

            rows++;
            yield return new Row(timeS, powerW, gpu);
        }

        if (missingRows > 0)
        {
            warnings?.Add(string.Create(CultureInfo.InvariantCulture,
                $"{missingRows} row(s) had no power value (empty, NaN or [N/A]; first at {firstMissing}) and were skipped: the previous value holds across them."));
        }

        if (rows < 2)
        {
            string why = missingRows > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({missingRows} more had no power value)") : string.Empty;
            throw new TraceFormatException($"{Path}: at least two data rows are needed, found {rows}{why}.");
        }
    }

    /// <summary>A cell quoted for a message: control characters escaped, long text cut.</summary>
    internal static string Show(string cell)
    {
        const int max = 40;
        var sb = new StringBuilder("'");
        foreach (char c in cell.Length > max ? cell[..max] : cell)
        {
            if (char.IsControl(c) || c == '\uFFFD' || char.IsSurrogate(c))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                sb.Append(c);
            }
        }

        sb.Append('\'');
        if (cell.Length > max)
        {
            sb.Append(CultureInfo.InvariantCulture, $"… ({cell.Length} characters)");
        }

        return sb.ToString();
    }

    private readonly record struct Row(double TimeS, double PowerW, int Gpu);

    /// <summary>Lines of a text reader, each at most <see cref="MaxLineChars"/> long; a NUL character means binary data.</summary>
    private sealed class LineReader(TextReader reader, string path)
    {
        private readonly char[] _buffer = new char[1 << 16];
        private readonly StringBuilder _line = new();
        private int _pos, _len;

        /// <summary>1-based number of the line returned last.</summary>
        public int LineNumber { get; private set; }

        public bool Next(out string line, out bool terminated)
        {
            _line.Clear();
            bool any = false;
            while (true)
            {
                if (_pos == _len)
                {
                    _len = reader.Read(_buffer, 0, _buffer.Length);
                    _pos = 0;
                    if (_len == 0)
                    {
                        terminated = false;
                        line = _line.ToString().TrimEnd('\r');
                        if (any)
                        {
                            LineNumber++;
                        }

                        return any;
                    }
                }

                any = true;
                int end = Array.IndexOf(_buffer, '\n', _pos, _len - _pos);
                int stop = end < 0 ? _len : end;
                int nul = Array.IndexOf(_buffer, '\0', _pos, stop - _pos);
                if (nul >= 0)
                {
                    throw new TraceFormatException($"{path}:{LineNumber + 1}: binary data (a NUL character), not a text CSV file.");
                }

                _line.Append(_buffer, _pos, stop - _pos);
                if (_line.Length > MaxLineChars)
                {
                    throw new TraceFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"{path}:{LineNumber + 1}: a line longer than {MaxLineChars} characters: not a CSV trace (binary data, or no line breaks)."));
                }

                _pos = stop;
                if (end >= 0)
                {
                    _pos++;
                    LineNumber++;
                    terminated = true;
                    line = _line.ToString().TrimEnd('\r');
                    return true;
                }
            }
        }
    }
}
