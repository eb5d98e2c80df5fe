namespace Edge.Core.Metrics;

/// <summary>
/// The ramp metrics of DESIGN §5, one sample at a time, in memory bounded by the window (not the series):
/// <list type="bullet">
/// <item>For each sample j, the largest rise g(j) − g(i) and fall g(i) − g(j) over the earlier samples i of its
/// trailing window (j − i ≤ w, w = ⌊rampWindowS / period⌋), from two monotonic deques (O(1) amortised).</item>
/// <item>Period k violates when ANY pair i &lt; j inside its closed trailing window [k − w, k] breaks a limit beyond
/// the dynamic range and 0.1 %. A violating pair (i, j) makes every period k in [j, i + w] violate, so for each new j
/// the latest violating partner i is what matters: it is found by binary search in the deque (the deque holds
/// exactly the suffix minima, so the latest i with g(i) &lt; x is the last deque entry below x), and the periods
/// up to i + w are marked. A step is therefore counted for every window that still holds it — a full window.</item>
/// </list>
/// <see cref="Add"/> allocates nothing.
/// </summary>
public sealed class RampTracker
{
    private readonly int _window;
    private readonly double _riseLimitW, _fallLimitW, _riseAllowedW, _fallAllowedW, _windowS, _periodS;
    private readonly Deque _min, _max;
    private long _j = -1;
    private long _violatedUntil = -1;

    /// <summary>Creates the tracker for the limits of <paramref name="o"/>.</summary>
    public RampTracker(MetricsOptions o)
        : this(RampMetrics.WindowSamples(o), o.RampUpWPerS * o.RampWindowS, o.RampDownWPerS * o.RampWindowS, o.DynamicRangeW, o.RampWindowS, o.PeriodS)
    {
    }

    private RampTracker(int windowSamples, double riseLimitW, double fallLimitW, double dynamicRangeW, double windowS, double periodS)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSamples, 1);
        _window = windowSamples;
        _riseLimitW = riseLimitW;
        _fallLimitW = fallLimitW;
        _riseAllowedW = (riseLimitW + dynamicRangeW) * (1 + MetricsOptions.RampTolerance);
        _fallAllowedW = (fallLimitW + dynamicRangeW) * (1 + MetricsOptions.RampTolerance);
        _windowS = windowS;
        _periodS = periodS;
        _min = new Deque(windowSamples + 1);
        _max = new Deque(windowSamples + 1);
    }

    /// <summary>Largest rise into the latest sample from its trailing window, W (0 for the first sample).</summary>
    public double RiseW { get; private set; }

    /// <summary>Largest fall into the latest sample from its trailing window, W.</summary>
    public double FallW { get; private set; }

    /// <summary>True when the latest period's trailing window holds a violating pair.</summary>
    public bool Violating { get; private set; }

    /// <summary>Periods counted as violating so far.</summary>
    public long ViolatingPeriods { get; private set; }

    /// <summary>Largest rise within any window so far, W.</summary>
    public double MaxRiseW { get; private set; }

    /// <summary>Largest fall within any window so far, W.</summary>
    public double MaxFallW { get; private set; }

    /// <summary>The smallest dynamic range that would have kept every window within the limits so far, W.</summary>
    public double DynamicRangeNeededW { get; private set; }

    /// <summary>A tracker that only computes rise and fall over windows of <paramref name="windowSamples"/> samples.</summary>
    public static RampTracker RiseAndFall(int windowSamples) =>
        new(windowSamples, double.PositiveInfinity, double.PositiveInfinity, 0, 1, 1);

    /// <summary>Adds the next sample, W.</summary>
    public void Add(double gW)
    {
        long j = ++_j;
        long oldest = j - _window;
        _min.DropOlderThan(oldest);
        _max.DropOlderThan(oldest);
        double rise = _min.Count == 0 ? 0 : gW - _min.ValueAt(0);
        double fall = _max.Count == 0 ? 0 : _max.ValueAt(0) - gW;
        RiseW = rise;
        FallW = fall;
        if (rise > MaxRiseW)
        {
            MaxRiseW = rise;
        }

        if (fall > MaxFallW)
        {
            MaxFallW = fall;
        }

        double needed = Math.Max(rise - _riseLimitW, fall - _fallLimitW);
        if (needed > DynamicRangeNeededW)
        {
            DynamicRangeNeededW = needed;
        }

        // Latest partner i of a violating pair (i, j): the deques' values are monotonic, so the pairs that
        // violate form a prefix of each deque and the last entry of that prefix is the latest such i.
        if (rise > _riseAllowedW)
        {
            long i = _min.IndexAt(LastRising(gW));
            _violatedUntil = Math.Max(_violatedUntil, i + _window);
        }

        if (fall > _fallAllowedW)
        {
            long i = _max.IndexAt(LastFalling(gW));
            _violatedUntil = Math.Max(_violatedUntil, i + _window);
        }

        Violating = _violatedUntil >= j;
        if (Violating)
        {
            ViolatingPeriods++;
        }

        _min.PushKeepingMinima(j, gW);
        _max.PushKeepingMaxima(j, gW);
    }

    /// <summary>The metrics of the samples added so far.</summary>
    public RampMetrics.Result Result() =>
        new(MaxRiseW / _windowS, MaxFallW / _windowS, ViolatingPeriods * _periodS, DynamicRangeNeededW);

    // Last deque position p with gW − value(p) > riseAllowed (position 0 qualifies: the caller checked the rise).
    private int LastRising(double gW)
    {
        int lo = 0, hi = _min.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (gW - _min.ValueAt(mid) > _riseAllowedW)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    private int LastFalling(double gW)
    {
        int lo = 0, hi = _max.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (_max.ValueAt(mid) - gW > _fallAllowedW)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>A fixed-capacity double-ended queue of (index, value), oldest first.</summary>
    private sealed class Deque(int capacity)
    {
        private readonly long[] _index = new long[capacity];
        private readonly double[] _value = new double[capacity];
        private int _head;

        public int Count { get; private set; }

        public long IndexAt(int position) => _index[Slot(position)];

        public double ValueAt(int position) => _value[Slot(position)];

        public void DropOlderThan(long oldest)
        {
            while (Count > 0 && _index[_head] < oldest)
            {
                _head = _head + 1 == _index.Length ? 0 : _head + 1;
                Count--;
            }
        }

        public void PushKeepingMinima(long index, double value)
        {
            while (Count > 0 && _value[Slot(Count - 1)] >= value)
            {
                Count--;
            }

            Push(index, value);
        }

        public void PushKeepingMaxima(long index, double value)
        {
            while (Count > 0 && _value[Slot(Count - 1)] <= value)
            {
                Count--;
            }

            Push(index, value);
        }

        private void Push(long index, double value)
        {
            int slot = Slot(Count);
            _index[slot] = index;
            _value[slot] = value;
            Count++;
        }

        private int Slot(int position)
        {
            int s = _head + position;
            return s >= _index.Length ? s - _index.Length : s;
        }
    }
}
