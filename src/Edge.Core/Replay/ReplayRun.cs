using Edge.Core.Metrics;

namespace Edge.Core.Replay;

/// <summary>One controller's run over a trace: the per-period series and its metrics.</summary>
/// <param name="Controller">Controller name.</param>
/// <param name="GridW">Grid power per period (load − actual battery power), W.</param>
/// <param name="GridTargetW">The controller's grid target per period, W.</param>
/// <param name="BatteryW">Actual battery power per period, W (positive = discharge).</param>
/// <param name="SocPct">State of charge at the end of each period, %.</param>
/// <param name="Saturated">True for periods in which the battery was held at a limit.</param>
/// <param name="Metrics">docs/DESIGN.md §5 metrics of the run.</param>
public sealed record ReplayRun(
    string Controller,
    double[] GridW,
    double[] GridTargetW,
    double[] BatteryW,
    double[] SocPct,
    bool[] Saturated,
    GridMetrics Metrics);
