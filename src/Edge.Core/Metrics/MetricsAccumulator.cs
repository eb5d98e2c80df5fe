namespace Edge.Core.Metrics;

/// <summary>
/// One run's DESIGN §5 metrics, accumulated period by period in memory that does not grow with the run: the ramp
/// figures through a <see cref="RampTracker"/>, the grid's Welch spectrum segment by segment, and running extremes and
/// sums for the rest. The load's spectrum is shared by every run over the same trace, so it is passed to
/// <see cref="Result"/>. <see cref="Add"/> allocates nothing.
/// </summary>
public sealed class MetricsAccumulator
{
    private readonly MetricsOptions _o;
    private double _peakW = double.NegativeInfinity, _minW = double.PositiveInfinity, _throughputJ;
    private double _socMin = double.PositiveInfinity, _socMax = double.NegativeInfinity, _socLast = double.NaN;
    private long _saturated, _count;

    /// <summary>Creates the accumulator for a run of <paramref name="periods"/> periods (it sizes the Welch segment).</summary>
    public MetricsAccumulator(MetricsOptions o, long periods)
    {
        ArgumentNullException.ThrowIfNull(o);
        _o = o;
        Ramp = new RampTracker(o);
        GridSpectrum = new Welch(1.0 / o.PeriodS, WelchSegmentLength(o.PeriodS, periods));
    }

    /// <summary>The ramp tracker (its rolling rise, fall and violation flag describe the latest period).</summary>
    public RampTracker Ramp { get; }

    /// <summary>The grid's Welch estimate.</summary>
    public Welch GridSpectrum { get; }

    /// <summary>Energy moved through the battery so far, Wh.</summary>
    public double BatteryThroughputWh => _throughputJ / 3600.0;

    /// <summary>
    /// The Welch segment length for a series of <paramref name="seriesLength"/> samples: 100 s of samples, or the whole
    /// series when it is shorter (DESIGN §5).
    /// </summary>
    public static int WelchSegmentLength(double periodS, long seriesLength)
    {
        long segment = (long)Math.Round(MetricsOptions.WelchSegmentS / periodS);
        return (int)Math.Clamp(Math.Min(segment, seriesLength), 2, int.MaxValue);
    }

    /// <summary>Adds one period: grid and actual battery power, W; SoC at its end, %; whether the battery was at a limit.</summary>
    public void Add(double gridW, double batteryW, double socPct, bool saturated)
    {
        _count++;
        Ramp.Add(gridW);
        GridSpectrum.Add(gridW);
        if (gridW > _peakW)
        {
            _peakW = gridW;
        }

        if (gridW < _minW)
        {
            _minW = gridW;
        }

        _throughputJ += Math.Abs(batteryW) * _o.PeriodS;
        if (socPct < _socMin)
        {
            _socMin = socPct;
        }

        if (socPct > _socMax)
        {
            _socMax = socPct;
        }

        _socLast = socPct;
        if (saturated)
        {
            _saturated++;
        }
    }

    /// <summary>The metrics of the periods added, with the load's spectrum for the band ratio.</summary>
    public GridMetrics Result(Welch.Spectrum loadSpectrum)
    {
        ArgumentNullException.ThrowIfNull(loadSpectrum);
        if (_count < 2)
        {
            throw new InvalidOperationException("Metrics need at least two periods.");
        }

        RampMetrics.Result ramp = Ramp.Result();
        double bandHigh = _o.EffectiveBandHighHz;
        double loadBand = loadSpectrum.BandPower(_o.BandLowHz, bandHigh);
        double gridBand = GridSpectrum.Result().BandPower(_o.BandLowHz, bandHigh);
        double ratio = loadBand > 0 ? gridBand / loadBand : gridBand > 0 ? double.PositiveInfinity : double.NaN;
        return new GridMetrics(
            ramp.MaxRiseWPerS,
            ramp.MaxFallWPerS,
            ramp.ViolationS,
            ramp.DynamicRangeNeededW,
            ratio,
            _o.BandLowHz,
            bandHigh,
            _peakW,
            _minW,
            BatteryThroughputWh,
            _socMin,
            _socMax,
            _socLast,
            _saturated * _o.PeriodS);
    }
}
