namespace Edge.Core.Forecast;

/// <summary>
/// A load's recent history as the means of fixed time bins, newest last, in a ring allocated once: the input both
/// predictors (<see cref="PeriodicPredictor"/>, <see cref="PhasePredictor"/>) learn from. A bin closes when the first
/// sample of a later bin arrives; a gap repeats the last mean. Non-finite samples are ignored. O(1) per sample, no
/// allocation. Not thread-safe.
/// </summary>
public sealed class BinnedHistory
{
    private readonly long _binNs;
    private readonly double[] _ring;
    private int _head;
    private bool _started;
    private long _binIndex;
    private long _originNs;
    private double _binSumW;
    private int _binSamples;

    /// <summary>Creates a history of <paramref name="capacity"/> bins of <paramref name="binS"/> seconds.</summary>
    public BinnedHistory(double binS, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(binS, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _binNs = (long)Math.Round(binS * 1e9);
        _ring = new double[capacity];
    }

    /// <summary>Complete bins held (at most the capacity).</summary>
    public int Count { get; private set; }

    /// <summary>Complete bins since the start (a bin's index for <see cref="BinW"/>; the newest is this one).</summary>
    public long Bins { get; private set; }

    /// <summary>The newest complete bin's mean, W; NaN before the first.</summary>
    public double LastW { get; private set; } = double.NaN;

    /// <summary>Adds a load sample taken at <paramref name="nowNs"/> (monotonic, non-decreasing).</summary>
    public void Add(long nowNs, double loadW)
    {
        if (!double.IsFinite(loadW))
        {
            return;
        }

        if (!_started)
        {
            _started = true;
            _originNs = nowNs;
            _binIndex = 0;
        }

        long index = (nowNs - _originNs) / _binNs;
        if (index > _binIndex)
        {
            double meanW = _binSamples > 0 ? _binSumW / _binSamples : LastW;
            // A gap repeats the last value (bounded by the history length: older bins would be overwritten anyway).
            long closing = Math.Min(index - _binIndex, _ring.Length);
            for (long i = 0; i < closing; i++)
            {
                _ring[_head] = meanW;
                _head = (_head + 1) % _ring.Length;
                Count = Math.Min(Count + 1, _ring.Length);
                Bins++;
            }

            LastW = meanW;
            _binIndex = index;
            _binSumW = 0;
            _binSamples = 0;
        }

        _binSumW += loadW;
        _binSamples++;
    }

    /// <summary>Copies the <see cref="Count"/> bins held, oldest first, into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<double> destination)
    {
        int start = (_head - Count + _ring.Length) % _ring.Length;
        for (int i = 0; i < Count; i++)
        {
            destination[i] = _ring[(start + i) % _ring.Length];
        }
    }

    /// <summary>
    /// The mean of bin <paramref name="index"/> (1 = the first bin ever completed, <see cref="Bins"/> = the newest), NaN
    /// when it is no longer (or not yet) held.
    /// </summary>
    public double BinW(long index)
    {
        long age = Bins - index;
        return age < 0 || age >= Count ? double.NaN : _ring[(int)((((_head - 1 - age) % _ring.Length) + _ring.Length) % _ring.Length)];
    }
}
