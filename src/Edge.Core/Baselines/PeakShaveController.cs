using Edge.Core.Control;

namespace Edge.Core.Baselines;

/// <summary>
/// Baseline <c>peak-shave</c>, as OpenEMS' peak-shaving controller does it: discharge whatever the load draws above
/// <see cref="DischargeAboveFraction"/> of the peak; recharge while the load is below
/// <see cref="RechargeBelowFraction"/> of the peak, never lifting the grid above that level. Thresholds pinned by
/// docs/DESIGN.md §4 as fractions of the trace's (or site's) peak load.
/// </summary>
public sealed class PeakShaveController : BaselineController
{
    /// <summary>Discharge threshold as a fraction of the peak.</summary>
    public const double DischargeAboveFraction = 0.8;

    /// <summary>Recharge threshold as a fraction of the peak.</summary>
    public const double RechargeBelowFraction = 0.5;

    private readonly double _dischargeAboveW;
    private readonly double _rechargeBelowW;

    /// <summary>Creates the baseline for a load whose peak is <paramref name="peakLoadW"/>.</summary>
    public PeakShaveController(ControllerOptions options, double peakLoadW)
        : base(options)
    {
        if (!double.IsFinite(peakLoadW) || peakLoadW <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(peakLoadW), peakLoadW, "The peak load must be a positive number of W.");
        }

        _dischargeAboveW = DischargeAboveFraction * peakLoadW;
        _rechargeBelowW = RechargeBelowFraction * peakLoadW;
    }

    /// <inheritdoc />
    public override string Name => "peak-shave";

    /// <inheritdoc />
    protected override double GridTarget(double loadW, double socPct, double dtS)
    {
        if (loadW > _dischargeAboveW)
        {
            return _dischargeAboveW;
        }

        return loadW < _rechargeBelowW ? _rechargeBelowW : loadW;
    }
}
