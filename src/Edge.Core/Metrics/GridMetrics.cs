namespace Edge.Core.Metrics;

/// <summary>
/// The metrics of DESIGN §5 — one implementation used by tests, replay and benchmarks. They are computed on what
/// really happened (the battery's actual power), not on setpoints.
/// </summary>
/// <param name="MaxRiseWPerS">Largest rise in any ramp window ÷ window, W/s.</param>
/// <param name="MaxFallWPerS">Largest fall in any ramp window ÷ window, W/s.</param>
/// <param name="RampViolationS">Periods whose window breaks a ramp limit (beyond dynamic range and 0.1 %) × period, s.</param>
/// <param name="DynamicRangeNeededW">The smallest dynamic range that would bring <paramref name="RampViolationS"/> to 0, W.</param>
/// <param name="BandEnergyRatio">In-band power of grid ÷ that of load (Welch); NaN when the load has none.</param>
/// <param name="BandLowHz">Lower band edge used, Hz.</param>
/// <param name="BandHighHz">Upper band edge used, Hz.</param>
/// <param name="PeakGridW">Highest grid power, W.</param>
/// <param name="MinGridW">Lowest grid power, W.</param>
/// <param name="BatteryThroughputWh">∫|battery power| dt, Wh.</param>
/// <param name="SocMinPct">Lowest SoC, %.</param>
/// <param name="SocMaxPct">Highest SoC, %.</param>
/// <param name="SocFinalPct">SoC at the end, %.</param>
/// <param name="SaturatedS">Time the battery was at a limit, s.</param>
public sealed record GridMetrics(
    double MaxRiseWPerS,
    double MaxFallWPerS,
    double RampViolationS,
    double DynamicRangeNeededW,
    double BandEnergyRatio,
    double BandLowHz,
    double BandHighHz,
    double PeakGridW,
    double MinGridW,
    double BatteryThroughputWh,
    double SocMinPct,
    double SocMaxPct,
    double SocFinalPct,
    double SaturatedS)
{
    /// <summary>
    /// Computes every metric of whole series (tests and small tools; the replay feeds a
    /// <see cref="MetricsAccumulator"/> period by period instead). All spans have one entry per period;
    /// <paramref name="saturated"/> marks periods in which the battery was held at a limit.
    /// </summary>
    public static GridMetrics Compute(
        ReadOnlySpan<double> loadW,
        ReadOnlySpan<double> gridW,
        ReadOnlySpan<double> batteryW,
        ReadOnlySpan<double> socPct,
        ReadOnlySpan<bool> saturated,
        MetricsOptions o)
    {
        int n = gridW.Length;
        if (n < 2 || loadW.Length != n || batteryW.Length != n || socPct.Length != n || saturated.Length != n)
        {
            throw new ArgumentException("Metrics need at least two samples and equally long series.");
        }

        var accumulator = new MetricsAccumulator(o, n);
        var load = new Welch(1.0 / o.PeriodS, accumulator.GridSpectrum.SegmentLength);
        for (int k = 0; k < n; k++)
        {
            load.Add(loadW[k]);
            accumulator.Add(gridW[k], batteryW[k], socPct[k], saturated[k]);
        }

        return accumulator.Result(load.Result());
    }

    /// <summary>
    /// In-band power of <paramref name="gridW"/> over that of <paramref name="loadW"/> (DESIGN §5: Welch, Hann, 100 s
    /// segments or the whole series if shorter, 50 % overlap, mean removed, FFT length = segment length, bins by
    /// centre frequency in [lowHz, highHz]). NaN when neither carries in-band power.
    /// </summary>
    public static double InBandRatio(ReadOnlySpan<double> loadW, ReadOnlySpan<double> gridW, double periodS, double lowHz, double highHz)
    {
        int segment = MetricsAccumulator.WelchSegmentLength(periodS, loadW.Length);
        double rateHz = 1.0 / periodS;
        double loadBand = Welch.Estimate(loadW, rateHz, segment).BandPower(lowHz, highHz);
        double gridBand = Welch.Estimate(gridW, rateHz, segment).BandPower(lowHz, highHz);
        return loadBand > 0 ? gridBand / loadBand : gridBand > 0 ? double.PositiveInfinity : double.NaN;
    }
}
