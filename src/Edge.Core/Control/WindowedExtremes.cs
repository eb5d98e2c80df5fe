namespace Edge.Core.Control;

/// <summary>
/// Highest and lowest value seen within the last <c>windowS</c> seconds, in constant memory and time: the window is
/// cut into <see cref="Bins"/> bins, each remembering its own extremes; a bin older than the window is dropped whole.
/// The answer covers between (Bins − 1)/Bins and 1 window. Allocation-free after construction.
/// </summary>
internal sealed class WindowedExtremes
{
    private const int Bins = 16;
    private readonly double[] _max = new double[Bins];
    private readonly double[] _min = new double[Bins];
    private readonly double _binS;
    private int _current;
    private double _binElapsedS;
    private bool _started;

    public WindowedExtremes(double windowS) => _binS = windowS / Bins;

    public double Max { get; private set; }

    public double Min { get; private set; }

    public void Reset(double value)
    {
        Array.Fill(_max, value);
        Array.Fill(_min, value);
        Max = value;
        Min = value;
        _binElapsedS = 0;
        _started = true;
    }

    public void Add(double value, double dtS)
    {
        if (!_started)
        {
            Reset(value);
        }

        _binElapsedS += dtS;
        if (_binElapsedS >= _binS)
        {
            // Open a new bin (several, after a long gap: each skipped bin starts at this value).
            int advance = Math.Min(Bins, (int)(_binElapsedS / _binS));
            _binElapsedS -= advance * _binS;
            for (int i = 0; i < advance; i++)
            {
                _current = (_current + 1) % Bins;
                _max[_current] = value;
                _min[_current] = value;
            }
        }

        _max[_current] = Math.Max(_max[_current], value);
        _min[_current] = Math.Min(_min[_current], value);
        double max = _max[0], min = _min[0];
        for (int i = 1; i < Bins; i++)
        {
            max = Math.Max(max, _max[i]);
            min = Math.Min(min, _min[i]);
        }

        Max = max;
        Min = min;
    }
}
