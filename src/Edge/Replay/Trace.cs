namespace Edge.Replay;

/// <summary>A load trace: power over time, as read from a file or sampled from a generated profile.</summary>
/// <param name="Name">Short name (file name or profile spec).</param>
/// <param name="Source">Where it came from (path or profile description).</param>
/// <param name="Format">How it was read: <c>csv</c>, <c>nvidia-smi</c> or <c>profile</c>.</param>
/// <param name="TimeS">Sample times, s since the first sample (non-decreasing).</param>
/// <param name="PowerW">Power at each sample time, W.</param>
/// <param name="NativeSampleRateHz">The trace's own sample rate (1 / median interval), Hz.</param>
/// <param name="Warnings">Things the reader tolerated and the user should know (e.g. a truncated last line).</param>
public sealed record Trace(
    string Name,
    string Source,
    string Format,
    double[] TimeS,
    double[] PowerW,
    double NativeSampleRateHz,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Time of the last sample, s.</summary>
    public double DurationS => TimeS[^1];

    /// <summary>
    /// Resamples onto a regular grid of <paramref name="periodS"/> by zero-order hold: each period takes the last
    /// sample at or before its start. Covers [0, DurationS].
    /// </summary>
    public double[] Resample(double periodS)
    {
        var samples = new TraceSample[TimeS.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = new TraceSample(TimeS[i], PowerW[i]);
        }

        return [.. TraceScan.Periods(samples, periodS, int.MaxValue, Name)];
    }
}
