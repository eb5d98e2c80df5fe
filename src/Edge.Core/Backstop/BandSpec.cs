namespace Edge.Core.Backstop;

/// <summary>One watched frequency band, Hz (low &lt; high).</summary>
/// <param name="LowHz">Lower edge, Hz.</param>
/// <param name="HighHz">Upper edge, Hz.</param>
public sealed record BandSpec(double LowHz, double HighHz);
