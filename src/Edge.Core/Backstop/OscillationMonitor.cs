using Edge.Core.Metrics;

namespace Edge.Core.Backstop;

/// <summary>
/// Grid- and load-side power in configurable bands, every period: each band's amplitude (the peak of the sine with the
/// same in-band mean square, from <see cref="BandMonitor"/>'s band-pass) and its dominant frequency (the strongest of
/// a bank of log-spaced resonators across the band, refined by a parabola through its neighbours in log frequency).
/// Allocation-free after construction; deterministic.
/// </summary>
public sealed class OscillationMonitor
{
    private readonly BandMonitor[] _bands;
    private readonly Resonator[][] _gridBank, _loadBank;

    /// <summary>Creates the monitor for <paramref name="bands"/> at period <paramref name="periodS"/>.</summary>
    public OscillationMonitor(IReadOnlyList<BandSpec> bands, double periodS, double averagingS, int resonatorsPerBand)
    {
        ArgumentNullException.ThrowIfNull(bands);
        if (!(periodS > 0) || !(averagingS > 0) || resonatorsPerBand < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(periodS), "Period and averaging time must be positive, at least 2 resonators.");
        }

        double rateHz = 1 / periodS;
        double alpha = -double.ExpM1(-periodS / averagingS);
        Bands = [.. bands];
        _bands = new BandMonitor[bands.Count];
        _gridBank = new Resonator[bands.Count][];
        _loadBank = new Resonator[bands.Count][];
        GridAmplitudeW = new double[bands.Count];
        LoadAmplitudeW = new double[bands.Count];
        GridDominantHz = new double[bands.Count];
        LoadDominantHz = new double[bands.Count];
        for (int b = 0; b < bands.Count; b++)
        {
            BandSpec spec = bands[b];
            _bands[b] = new BandMonitor(periodS, spec.LowHz, spec.HighHz, averagingS);
            double ratio = Math.Pow(spec.HighHz / spec.LowHz, 1.0 / (resonatorsPerBand - 1));
            double q = Math.Max(0.7, 1 / (Math.Sqrt(ratio) - (1 / Math.Sqrt(ratio))));
            _gridBank[b] = new Resonator[resonatorsPerBand];
            _loadBank[b] = new Resonator[resonatorsPerBand];
            for (int k = 0; k < resonatorsPerBand; k++)
            {
                double f = spec.LowHz * Math.Pow(ratio, k);
                _gridBank[b][k] = new Resonator(f, q, rateHz, alpha);
                _loadBank[b][k] = new Resonator(f, q, rateHz, alpha);
            }
        }
    }

    /// <summary>The watched bands.</summary>
    public IReadOnlyList<BandSpec> Bands { get; }

    /// <summary>Grid amplitude per band, W (peak of the equivalent sine).</summary>
    public double[] GridAmplitudeW { get; }

    /// <summary>Load amplitude per band, W.</summary>
    public double[] LoadAmplitudeW { get; }

    /// <summary>Dominant grid frequency per band, Hz.</summary>
    public double[] GridDominantHz { get; }

    /// <summary>Dominant load frequency per band, Hz.</summary>
    public double[] LoadDominantHz { get; }

    /// <summary>Adds one period. Non-finite inputs are skipped. Allocation-free.</summary>
    public void Add(double loadW, double gridW)
    {
        if (!double.IsFinite(loadW) || !double.IsFinite(gridW))
        {
            return;
        }

        for (int b = 0; b < _bands.Length; b++)
        {
            BandMonitor m = _bands[b];
            m.Add(loadW, gridW);
            GridAmplitudeW[b] = Math.Sqrt(2 * m.GridPowerW2);
            LoadAmplitudeW[b] = Math.Sqrt(2 * m.LoadPowerW2);
            GridDominantHz[b] = Dominant(_gridBank[b], gridW);
            LoadDominantHz[b] = Dominant(_loadBank[b], loadW);
        }
    }

    /// <summary>
    /// The largest <paramref name="measure"/> of <paramref name="signal"/> over all bands, or of band
    /// <paramref name="band"/>: amplitude (W) or slope equivalent (amplitude × 2π × dominant frequency, W/s).
    /// </summary>
    public double Value(BackstopSignal signal, int? band, BackstopMeasure measure)
    {
        if (measure == BackstopMeasure.AmplitudeW)
        {
            return AmplitudeW(signal, band);
        }

        double[] a = signal == BackstopSignal.Grid ? GridAmplitudeW : LoadAmplitudeW;
        double[] f = signal == BackstopSignal.Grid ? GridDominantHz : LoadDominantHz;
        if (band is { } i)
        {
            return 2 * Math.PI * a[i] * f[i];
        }

        double max = 0;
        for (int b = 0; b < a.Length; b++)
        {
            max = Math.Max(max, 2 * Math.PI * a[b] * f[b]);
        }

        return max;
    }

    /// <summary>The largest amplitude of <paramref name="signal"/> over all bands, or of band <paramref name="band"/>.</summary>
    public double AmplitudeW(BackstopSignal signal, int? band)
    {
        double[] a = signal == BackstopSignal.Grid ? GridAmplitudeW : LoadAmplitudeW;
        if (band is { } i)
        {
            return a[i];
        }

        double max = 0;
        for (int b = 0; b < a.Length; b++)
        {
            max = Math.Max(max, a[b]);
        }

        return max;
    }

    private static double Dominant(Resonator[] bank, double x)
    {
        int best = 0;
        for (int k = 0; k < bank.Length; k++)
        {
            bank[k].Step(x);
            if (bank[k].MeanSquare > bank[best].MeanSquare)
            {
                best = k;
            }
        }

        if (best == 0 || best == bank.Length - 1)
        {
            return bank[best].CentreHz;
        }

        // Parabola through log-power at three log-spaced centres: the vertex, in steps of the log spacing.
        double l = Math.Log(bank[best - 1].MeanSquare + 1e-300);
        double c = Math.Log(bank[best].MeanSquare + 1e-300);
        double r = Math.Log(bank[best + 1].MeanSquare + 1e-300);
        double den = l - (2 * c) + r;
        double offset = den < 0 ? Math.Clamp(0.5 * (l - r) / den, -0.5, 0.5) : 0;
        double logStep = Math.Log(bank[best + 1].CentreHz / bank[best].CentreHz);
        return bank[best].CentreHz * Math.Exp(offset * logStep);
    }
}
