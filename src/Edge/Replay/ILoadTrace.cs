namespace Edge.Replay;

/// <summary>
/// A load trace that can be read from the start as often as needed, one sample at a time, so a day of samples
/// never has to sit in memory: a CSV file (<see cref="CsvTrace"/>) or a generated profile (<see cref="ProfileTrace"/>).
/// </summary>
public interface ILoadTrace
{
    /// <summary>Short name (file name or profile spec).</summary>
    string Name { get; }

    /// <summary>Where it comes from (path or profile description).</summary>
    string Source { get; }

    /// <summary>How it is read: <c>csv</c>, <c>nvidia-smi</c> or <c>profile</c>.</summary>
    string Format { get; }

    /// <summary>The trace's own sample rate when known without reading it (a profile's), Hz; else null.</summary>
    double? KnownSampleRateHz { get; }

    /// <summary>
    /// Streams the samples from the start, times in seconds since the first sample, non-decreasing. Bad input throws
    /// <see cref="TraceFormatException"/> naming file, line and column; things tolerated go to <paramref name="warnings"/>.
    /// </summary>
    IEnumerable<TraceSample> Samples(ICollection<string>? warnings);
}

/// <summary>One sample of a trace.</summary>
/// <param name="TimeS">Time since the first sample, s.</param>
/// <param name="PowerW">Power, W.</param>
public readonly record struct TraceSample(double TimeS, double PowerW);
