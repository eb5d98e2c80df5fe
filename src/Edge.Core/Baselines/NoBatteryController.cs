using Edge.Core.Control;

namespace Edge.Core.Baselines;

/// <summary>Baseline <c>none</c>: the battery does nothing; the grid sees the raw load.</summary>
public sealed class NoBatteryController(ControllerOptions options) : BaselineController(options)
{
    /// <inheritdoc />
    public override string Name => "none";

    /// <inheritdoc />
    protected override double GridTarget(double loadW, double socPct, double dtS) => loadW;
}
