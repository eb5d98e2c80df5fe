namespace Edge.Replay;

/// <summary>What a first pass over a trace found: its extent and, resampled at the control period, its range.</summary>
/// <param name="Name">Short name.</param>
/// <param name="Source">Path or profile description.</param>
/// <param name="Format"><c>csv</c>, <c>nvidia-smi</c> or <c>profile</c>.</param>
/// <param name="Samples">Samples in the trace (after grouping nvidia-smi polls).</param>
/// <param name="DurationS">Time of the last sample, s.</param>
/// <param name="NativeSampleRateHz">The trace's own sample rate (1 / median interval), Hz.</param>
/// <param name="Periods">Control periods the replay runs.</param>
/// <param name="PeakW">Highest load per period, W.</param>
/// <param name="MinW">Lowest load per period, W.</param>
/// <param name="MeanW">Mean load per period, W.</param>
/// <param name="Warnings">Things the reader tolerated and the user should know.</param>
public sealed record TraceSummary(
    string Name,
    string Source,
    string Format,
    long Samples,
    double DurationS,
    double NativeSampleRateHz,
    long Periods,
    double PeakW,
    double MinW,
    double MeanW,
    IReadOnlyList<string> Warnings);
