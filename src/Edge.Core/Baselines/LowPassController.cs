using Edge.Core.Control;

namespace Edge.Core.Baselines;

/// <summary>
/// Baseline <c>low-pass</c>: the grid target is the load through a first-order low-pass with
/// <see cref="TimeConstantS"/> (pinned, docs/DESIGN.md §4), discretised exactly for the measured time step.
/// </summary>
public sealed class LowPassController(ControllerOptions options) : BaselineController(options)
{
    /// <summary>Time constant, s (pinned by docs/DESIGN.md §4).</summary>
    public const double TimeConstantS = 30;

    private double _stateW = double.NaN;

    /// <inheritdoc />
    public override string Name => "low-pass";

    /// <inheritdoc />
    protected override double GridTarget(double loadW, double socPct, double dtS)
    {
        if (double.IsNaN(_stateW))
        {
            _stateW = loadW;
        }

        _stateW += -double.ExpM1(-dtS / TimeConstantS) * (loadW - _stateW);
        return _stateW;
    }
}
