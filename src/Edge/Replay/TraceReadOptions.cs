namespace Edge.Replay;

/// <summary>How to read a CSV trace.</summary>
/// <param name="TimeColumn">Name of the time column (null = detect: time_seconds, time_s, time, timestamp, datetime…).</param>
/// <param name="PowerColumn">Name of the power column (null = detect: power_w, power_watts, load_w, power, power.draw…).</param>
/// <param name="PowerScale">Multiplier from the file's unit to W (1000 for kW, 1e6 for MW).</param>
/// <param name="MaxGapS">Longest gap between consecutive rows accepted, s.</param>
public sealed record TraceReadOptions(string? TimeColumn = null, string? PowerColumn = null, double PowerScale = 1.0, double MaxGapS = TraceReadOptions.DefaultMaxGapS)
{
    /// <summary>The longest gap between rows accepted unless asked, s: holding one value for longer is more likely a unit or logging error than a trace.</summary>
    public const double DefaultMaxGapS = 3600;
}
