namespace Edge.Core.Control;

/// <summary>
/// Predicts the load one actuator latency ahead, at the control period's resolution, for latency compensation
/// (docs/planner.md, "Latency compensation"): the battery is commanded L̂(t+Δ) − g*(t+Δ) instead of L(t) − g*(t), so
/// an actuator that acts Δ late meets the load edge it was meant for instead of leaking it to the grid.
/// <para>
/// Method: a ring of the last <c>MaxLag</c> load samples (one per period) and, for every lag m from the latency
/// D = round(Δ / period) to <c>MaxLag</c>, an exponentially weighted mean of |L(t) − L(t − m)| — the error the predictor
/// "L̂(t+Δ) = L(t+Δ−m)" would have made Δ ago. Lag D is persistence (L̂(t+Δ) = L(t), today's behaviour); any other lag is
/// a period of the load (or a multiple of it), found as the lag of least measured error: no period detector at 0.1 s
/// resolution is needed, the comparison is at sample resolution. The prediction is confidence-weighted by the two
/// measured errors: the best lag's change L(t+Δ−m) − L(t) is applied in full when its error is at most
/// <see cref="FullWeightErrorRatio"/> of persistence's, not at all when it is not better than persistence, linearly
/// in between — so a predictor that has recently been wrong falls back to persistence.
/// </para>
/// <para>O(MaxLag) arithmetic per period, no allocation after construction, deterministic. Assumes one sample per
/// nominal period (a skipped period shifts the ring by one sample, a small transient).</para>
/// </summary>
public sealed class LatencyCompensator
{
    /// <summary>Error ratio (best lag / persistence) at and below which the prediction gets full weight.</summary>
    public const double FullWeightErrorRatio = 0.5;

    /// <summary>History a lag needs before it may be chosen, s (its error must rest on more than a couple of edges).</summary>
    public const double MinHistoryS = 3;

    /// <summary>Error ratio (best lag / persistence) below which the best lag is taken as the exact period.</summary>
    public const double ExactErrorRatio = 0.01;

    /// <summary>Past periods averaged into a prediction (fewer when the ring holds fewer).</summary>
    public const int FoldPeriods = 3;

    private readonly double[] _ring;
    private readonly double[] _errorW;
    private readonly int _delay;
    private readonly double _alpha;
    private readonly long _minAge;
    private int _head;
    private long _count;

    /// <summary>Creates a compensator for a latency of <paramref name="latencyS"/> at a control period of <paramref name="periodS"/>.</summary>
    /// <param name="latencyS">Actuator latency Δ, s (&gt; 0).</param>
    /// <param name="periodS">Control period, s (&gt; 0).</param>
    /// <param name="maxPeriodS">Longest load period searched, s.</param>
    /// <param name="errorTimeConstantS">Time constant of the error averages, s.</param>
    public LatencyCompensator(double latencyS, double periodS, double maxPeriodS, double errorTimeConstantS)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(latencyS);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(periodS);
        _delay = Math.Max(1, (int)Math.Round(latencyS / periodS));
        int maxLag = Math.Max(_delay + 1, (int)Math.Ceiling(maxPeriodS / periodS) + _delay);
        _ring = new double[maxLag + 1];
        _errorW = new double[maxLag + 1];
        _alpha = Math.Min(1.0, periodS / errorTimeConstantS);
        _minAge = Math.Max(1, (long)Math.Round(MinHistoryS / periodS));
    }

    /// <summary>Latency in periods (D).</summary>
    public int DelayPeriods => _delay;

    /// <summary>Longest lag searched, periods.</summary>
    public int MaxLagPeriods => _ring.Length - 1;

    /// <summary>The lag of least error after the last <see cref="Predict"/> (== <see cref="DelayPeriods"/> for persistence).</summary>
    public int BestLagPeriods { get; private set; }

    /// <summary>Weight (0–1) the last prediction was given.</summary>
    public double Weight { get; private set; }

    /// <summary>Persistence's mean absolute error over the latency, W (after the last <see cref="Predict"/>).</summary>
    public double PersistenceErrorW => _errorW[_delay];

    /// <summary>The best lag's mean absolute error, W.</summary>
    public double BestErrorW => _errorW[BestLagPeriods];

    /// <summary>Forgets the history (the next samples start over from persistence).</summary>
    public void Reset()
    {
        Array.Clear(_ring);
        Array.Clear(_errorW);
        _head = 0;
        _count = 0;
        Weight = 0;
        BestLagPeriods = _delay;
    }

    /// <summary>
    /// Adds this period's load <paramref name="loadW"/> and returns the predicted change of the load over the latency,
    /// L̂(t+Δ) − L(t), W (0 until a lag other than persistence has <see cref="MinHistoryS"/> of history and beats persistence).
    /// </summary>
    public double Predict(double loadW)
    {
        int n = _ring.Length;
        _head = _head + 1 == n ? 0 : _head + 1;
        _ring[_head] = loadW;
        _count++;
        // Lags with history: m < count. Each lag's error is a plain running mean while it is younger than the error
        // time constant (so a young lag is judged on what it has seen, not biased towards 0), an exponential one after.
        int maxLag = (int)Math.Min(n - 1, _count - 1);
        if (maxLag < _delay)
        {
            Weight = 0;
            BestLagPeriods = _delay;
            return 0;
        }

        // Update every lag's error and find the least among lags with at least MinAgeSamples of history (ties keep
        // the shortest lag).
        double invAlpha = 1 / _alpha;
        long eligibleUpTo = _count - _minAge;
        int best = _delay;
        double bestErrorW = double.PositiveInfinity;
        for (int m = _delay; m <= maxLag; m++)
        {
            int i = _head - m;
            if (i < 0)
            {
                i += n;
            }

            double age = _count - m;
            double e = _errorW[m] + (Math.Abs(loadW - _ring[i]) - _errorW[m]) / Math.Min(age, invAlpha);
            _errorW[m] = e;
            if (m <= eligibleUpTo && e < bestErrorW)
            {
                bestErrorW = e;
                best = m;
            }
        }

        BestLagPeriods = best;
        double persistenceW = _errorW[_delay];
        if (best == _delay || !(persistenceW > 0))
        {
            Weight = 0;
            return 0;
        }

        double ratio = bestErrorW / persistenceW;
        double weight = Math.Clamp((1 - ratio) / (1 - FullWeightErrorRatio), 0, 1);
        Weight = weight;
        // Sub-sample period: the error of |L(t) − L(t − lag)| is V-shaped around the true period P (linear in the
        // distance to it), so the two neighbours of the best lag place P between samples.
        double periodSamples = best;
        // A lag that already predicts within ExactErrorRatio of persistence's error is the period itself: no shift.
        if (best - 1 >= _delay && best + 1 <= maxLag && bestErrorW > ExactErrorRatio * persistenceW)
        {
            double left = _errorW[best - 1], right = _errorW[best + 1];
            double slope = Math.Max(left, right) - bestErrorW;
            if (slope > 0)
            {
                periodSamples += Math.Clamp(0.5 * (left - right) / slope, -0.5, 0.5);
            }
        }

        // Fold up to FoldPeriods past periods: the average of L(t + Δ − k·P), each read between samples by linear
        // interpolation, so an edge that falls between samples is predicted in proportion instead of a sample off.
        double sumW = 0;
        int folded = 0;
        for (int k = 1; k <= FoldPeriods; k++)
        {
            double back = k * periodSamples - _delay;
            if (back < 0 || back + 1 > _count - 1 || back + 1 > n - 1)
            {
                break;
            }

            int b0 = (int)back;
            double frac = back - b0;
            int i0 = _head - b0;
            if (i0 < 0)
            {
                i0 += n;
            }

            int i1 = i0 == 0 ? n - 1 : i0 - 1;
            sumW += _ring[i0] + frac * (_ring[i1] - _ring[i0]);
            folded++;
        }

        if (folded == 0)
        {
            Weight = 0;
            return 0;
        }

        return weight * (sumW / folded - loadW);
    }
}
