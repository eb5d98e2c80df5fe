namespace Edge.Planning;

/// <summary>
/// What the planner learns of one control period (written by the hand-off ring's consumer, read by the planner thread):
/// when, the load the controller saw, the grid target it chose, the battery's SoC and the controller's mode.
/// </summary>
/// <param name="NowNs">The period's monotonic time, ns.</param>
/// <param name="LoadW">Load, W.</param>
/// <param name="GridTargetW">The controller's grid target, W.</param>
/// <param name="SocPct">State of charge, % (NaN when unknown).</param>
/// <param name="Mode">The controller's mode (a plan is made only in auto: every other mode ignores plans).</param>
public readonly record struct PlannerSample(long NowNs, double LoadW, double GridTargetW, double SocPct, Edge.Core.Control.ControlMode Mode);
