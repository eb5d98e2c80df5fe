namespace Edge.Core.Forecast;

/// <summary>
/// Predicts a load that repeats: the load is averaged into bins (0.1 s by default) over the last minutes; at each
/// <see cref="Update"/> (≈ 1 Hz, beside the loop) the period with the strongest normalised autocorrelation is found,
/// the last few cycles are folded at that period into one cycle shape, that shape is removed and the search repeats
/// on what is left — so several concurrent jobs with different iteration periods give one component each. The
/// prediction repeats every component's shape forward from the newest bin; it is weighted by a confidence (the share
/// of the recent variance the components explain) against persistence (the newest bin), so a load with no
/// repetition is predicted as today's controller assumes: it stays where it is.
/// <para>
/// Pure and deterministic (the same samples give the same prediction); every buffer is allocated in the constructor,
/// so <see cref="Add"/>, <see cref="Update"/> and <see cref="Predict"/> allocate nothing. <see cref="Add"/> is O(1)
/// and may run in the control period; <see cref="Update"/> costs O(history × lags × components) and belongs beside
/// the loop. Not thread-safe.
/// </para>
/// </summary>
public sealed class PeriodicPredictor
{
    /// <summary>Cycles folded into a component's shape ("repeat the last cycle", averaged over a few for noise).</summary>
    public const int FoldCycles = 3;

    private const double MinCorrelation = 0.3;
    private const double MultipleTolerance = 0.5;

    private readonly BinnedHistory _history;
    private readonly double[] _x;
    private readonly double[] _residual;
    private readonly int _minLag;
    private readonly int _maxLag;
    private readonly int[] _periodBins;
    private readonly double[][] _shapes;
    private readonly double[] _componentVarianceW2;
    private readonly double[] _acf;
    private double _meanW;
    private int _fitLength;
    private long _fitPushed;

    /// <summary>Creates a predictor.</summary>
    /// <param name="binS">Bin width, s (the prediction's resolution).</param>
    /// <param name="historyS">History kept, s (the autocorrelation looks at this much).</param>
    /// <param name="minPeriodS">Shortest period looked for, s.</param>
    /// <param name="maxPeriodS">Longest period looked for, s (at most half the history).</param>
    /// <param name="maxComponents">Most concurrent periods (jobs) looked for.</param>
    public PeriodicPredictor(double binS = 0.1, double historyS = 300, double minPeriodS = 1, double maxPeriodS = 120, int maxComponents = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(binS, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxComponents, 1);
        if (!(minPeriodS >= 2 * binS) || !(maxPeriodS > minPeriodS) || !(historyS >= 2 * maxPeriodS))
        {
            throw new ArgumentException("Need 2·bin ≤ minPeriod < maxPeriod ≤ history / 2.");
        }

        BinS = binS;
        int bins = (int)Math.Round(historyS / binS);
        _history = new BinnedHistory(binS, bins);
        _x = new double[bins];
        _residual = new double[bins];
        _minLag = (int)Math.Round(minPeriodS / binS);
        _maxLag = (int)Math.Round(maxPeriodS / binS);
        _periodBins = new int[maxComponents];
        _shapes = new double[maxComponents][];
        for (int c = 0; c < maxComponents; c++)
        {
            _shapes[c] = new double[_maxLag];
        }

        _componentVarianceW2 = new double[maxComponents];
        _acf = new double[_maxLag + 2];
    }

    /// <summary>Bin width, s.</summary>
    public double BinS { get; }

    /// <summary>Components (periods) found by the last <see cref="Update"/>.</summary>
    public int Components { get; private set; }

    /// <summary>Share of the recent variance the components explain, 0…1 (0: persistence only).</summary>
    public double Confidence { get; private set; }

    /// <summary>The newest complete bin, W (the persistence forecast); NaN before the first.</summary>
    public double LastW => _history.LastW;

    /// <summary>Complete bins held.</summary>
    public int Count => _history.Count;

    /// <summary>Period of component <paramref name="index"/>, s (strongest first).</summary>
    public double PeriodS(int index) => _periodBins[index] * BinS;

    /// <summary>Variance (W²) component <paramref name="index"/> explained when it was found.</summary>
    public double ComponentVarianceW2(int index) => _componentVarianceW2[index];

    /// <summary>Adds a load sample taken at <paramref name="nowNs"/> (monotonic, non-decreasing). O(1), no allocation.</summary>
    public void Add(long nowNs, double loadW) => _history.Add(nowNs, loadW);

    /// <summary>Finds the periods and cycle shapes from the history (≈ 1 Hz, beside the loop). No allocation.</summary>
    public void Update()
    {
        Components = 0;
        Confidence = 0;
        int n = _history.Count;
        if (n < 2 * _minLag + 2)
        {
            return;
        }

        _history.CopyTo(_x);
        double sumW = 0;
        for (int i = 0; i < n; i++)
        {
            sumW += _x[i];
        }

        _meanW = sumW / n;
        for (int i = 0; i < n; i++)
        {
            _residual[i] = _x[i] - _meanW;
        }

        int maxLag = Math.Min(_maxLag, n / 2);
        for (int c = 0; c < _shapes.Length; c++)
        {
            int lag = StrongestPeriod(n, maxLag);
            if (lag == 0)
            {
                break;
            }

            // Fold the last cycles at this period: shape[phase] is the mean residual of that phase (absolute phase i mod lag).
            double[] shape = _shapes[c];
            int from = Math.Max(0, n - FoldCycles * lag);
            Array.Clear(shape, 0, lag);
            for (int i = from; i < n; i++)
            {
                shape[i % lag] += _residual[i];
            }

            for (int p = 0; p < lag; p++)
            {
                int first = from + (((p - from) % lag) + lag) % lag;
                int count = first < n ? ((n - 1 - first) / lag) + 1 : 0;
                shape[p] = count > 0 ? shape[p] / count : 0;
            }

            double before = Variance(from, n);
            for (int i = 0; i < n; i++)
            {
                _residual[i] -= shape[i % lag];
            }

            _periodBins[c] = lag;
            _componentVarianceW2[c] = Math.Max(0, before - Variance(from, n));
            Components = c + 1;
        }

        if (Components == 0)
        {
            return;
        }

        // Confidence: how much of the recent variance (over the folded window of the longest period) is explained.
        int window = 0;
        for (int c = 0; c < Components; c++)
        {
            window = Math.Max(window, _periodBins[c]);
        }

        int from0 = Math.Max(0, n - FoldCycles * window);
        double total = 0;
        double left = 0;
        for (int i = from0; i < n; i++)
        {
            double d = _x[i] - _meanW;
            total += d * d;
            left += _residual[i] * _residual[i];
        }

        _fitLength = n;
        _fitPushed = _history.Bins;
        Confidence = total > 0 ? Math.Clamp(1 - left / total, 0, 1) : 0;
    }

    /// <summary>
    /// Fills <paramref name="outputW"/>[k] with the load expected over <c>[end + k·stepS, end + (k + 1)·stepS)</c>, where
    /// end is the end of the newest complete bin (stepS a multiple of the bin; the bin at the step's end is taken):
    /// confidence × (mean + every component's shape at that phase) + (1 − confidence) × persistence: the newest bin, or
    /// <paramref name="persistenceW"/> when given (<see cref="PersistenceLevel"/>). No allocation.
    /// </summary>
    public void Predict(Span<double> outputW, double stepS, double persistenceW = double.NaN)
    {
        double lastW = double.IsNaN(persistenceW) ? LastW : persistenceW;
        lastW = double.IsNaN(lastW) ? 0 : lastW;
        for (int k = 0; k < outputW.Length; k++)
        {
            if (Components == 0)
            {
                outputW[k] = lastW;
                continue;
            }

            // Bins added since the fit move the prediction's origin forward.
            long j = _fitLength - 1 + (_history.Bins - _fitPushed) + (long)Math.Round((k + 1) * stepS / BinS);
            double periodicW = _meanW;
            for (int c = 0; c < Components; c++)
            {
                periodicW += _shapes[c][(int)(j % _periodBins[c])];
            }

            outputW[k] = Confidence * periodicW + (1 - Confidence) * lastW;
        }
    }

    private double Variance(int from, int to)
    {
        double s = 0;
        double s2 = 0;
        for (int i = from; i < to; i++)
        {
            s += _residual[i];
            s2 += _residual[i] * _residual[i];
        }

        int m = to - from;
        return m > 0 ? s2 / m - (s / m) * (s / m) : 0;
    }

    /// <summary>
    /// The period in bins: among the autocorrelation's local maxima the shortest whose value is within
    /// <see cref="MultipleTolerance"/> of the highest (so a multiple of the period is not taken for it); 0 when no
    /// peak reaches <see cref="MinCorrelation"/>.
    /// </summary>
    private int StrongestPeriod(int n, int maxLag)
    {
        for (int lag = _minLag - 1; lag <= maxLag + 1; lag++)
        {
            _acf[lag] = Correlation(n, lag);
        }

        double highest = MinCorrelation;
        for (int lag = _minLag; lag <= maxLag; lag++)
        {
            if (IsPeak(lag) && _acf[lag] > highest)
            {
                highest = _acf[lag];
            }
        }

        for (int lag = _minLag; lag <= maxLag; lag++)
        {
            if (IsPeak(lag) && _acf[lag] >= MultipleTolerance * highest && _acf[lag] >= MinCorrelation)
            {
                return lag;
            }
        }

        return 0;
    }

    private bool IsPeak(int lag) => _acf[lag] >= _acf[lag - 1] && _acf[lag] >= _acf[lag + 1];

    private double Correlation(int n, int lag)
    {
        if (lag <= 0 || lag >= n)
        {
            return 0;
        }

        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i + lag < n; i++)
        {
            double a = _residual[i];
            double b = _residual[i + lag];
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
        }

        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : 0;
    }
}
