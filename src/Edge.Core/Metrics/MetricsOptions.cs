namespace Edge.Core.Metrics;

/// <summary>The parameters the docs/DESIGN.md §5 metrics are judged against.</summary>
/// <param name="PeriodS">Sample period of the series, s.</param>
/// <param name="RampUpWPerS">Up-ramp limit, W/s.</param>
/// <param name="RampDownWPerS">Down-ramp limit, W/s.</param>
/// <param name="RampWindowS">Ramp window, s (1 by default).</param>
/// <param name="DynamicRangeW">Short-term deviation tolerated on top of the ramp, W.</param>
/// <param name="BandLowHz">Lower band edge, Hz.</param>
/// <param name="BandHighHz">Upper band edge, Hz (further capped at half the native sample rate).</param>
/// <param name="NativeSampleRateHz">Sample rate of the original trace, Hz (the band stops at half of it).</param>
public sealed record MetricsOptions(
    double PeriodS,
    double RampUpWPerS,
    double RampDownWPerS,
    double RampWindowS = 1,
    double DynamicRangeW = 0,
    double BandLowHz = 0.1,
    double BandHighHz = 20,
    double NativeSampleRateHz = double.PositiveInfinity)
{
    /// <summary>Relative tolerance on ramp limits (0.1 %, docs/DESIGN.md §5).</summary>
    public const double RampTolerance = 0.001;

    /// <summary>Welch segment length, s (docs/DESIGN.md §5).</summary>
    public const double WelchSegmentS = 100;

    /// <summary>The upper band edge actually used: min(BandHighHz, native rate / 2, series rate / 2).</summary>
    public double EffectiveBandHighHz => Math.Min(BandHighHz, Math.Min(NativeSampleRateHz, 1.0 / PeriodS) / 2);
}
