using Edge.Core.Control;

namespace Edge.Core.Baselines;

/// <summary>
/// Baseline <c>moving-average</c>: the grid target is the mean load of the last <see cref="WindowS"/> seconds
/// (pinned, docs/DESIGN.md §4). Until the window has filled, the mean of what has been seen. The running sum is kept in
/// integer milliwatts so it is exact over any run length (no floating-point drift).
/// </summary>
public sealed class MovingAverageController : BaselineController
{
    /// <summary>Window length, s (pinned by docs/DESIGN.md §4).</summary>
    public const double WindowS = 60;

    private readonly long[] _samplesMw;
    private long _sumMw;
    private int _next;
    private int _count;

    /// <summary>Creates the baseline; the window holds <see cref="WindowS"/> / period samples.</summary>
    public MovingAverageController(ControllerOptions options)
        : base(options)
    {
        _samplesMw = new long[Math.Max(1, (int)Math.Round(WindowS / (options.PeriodMs * 1e-3)))];
    }

    /// <inheritdoc />
    public override string Name => "moving-average";

    /// <inheritdoc />
    protected override double GridTarget(double loadW, double socPct, double dtS)
    {
        long sampleMw = (long)Math.Round(Math.Clamp(loadW, -1e14, 1e14) * 1000.0);
        if (_count == _samplesMw.Length)
        {
            _sumMw -= _samplesMw[_next];
        }
        else
        {
            _count++;
        }

        _samplesMw[_next] = sampleMw;
        _sumMw += sampleMw;
        _next = _next + 1 == _samplesMw.Length ? 0 : _next + 1;
        return _sumMw / 1000.0 / _count;
    }
}
