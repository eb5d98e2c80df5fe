namespace Edge.Core.Levers;

/// <summary>
/// What the coordinator reads in one period: the racks' load, the smoothing controller's decision and the battery's
/// limits. The controller is given the load the grid sees (racks + flexible loads); its target and the battery's
/// limits tell the coordinator how much the battery cannot take. Per-lever telemetry comes through
/// <see cref="LeverCoordinator.Report"/>.
/// </summary>
public struct LeverInput
{
    /// <summary>Loop time (monotonic ns).</summary>
    public long NowNs;

    /// <summary>The racks' load (GPU nodes included, flexible loads not), W.</summary>
    public double LoadW;

    /// <summary>The controller's grid target this period (<c>Decision.GridTargetW</c>), W.</summary>
    public double GridTargetW;

    /// <summary>Discharge power the battery can deliver now, power and SoC guard applied (<c>Decision.AllowedDischargeW</c>), W.</summary>
    public double AllowedDischargeW;

    /// <summary>Charge power the battery can take now (<c>Decision.AllowedChargeW</c>), W.</summary>
    public double AllowedChargeW;

    /// <summary>Battery state of charge, %.</summary>
    public double SocPct;

    /// <summary>The SoC the controller aims for (<c>Decision.SocTargetPct</c>), %.</summary>
    public double SocTargetPct;

    /// <summary>The controller's ramp-up limit now, W/s (the site limit moves the grid at this, unless an emergency ramp is authorised).</summary>
    public double RampUpWPerS;

    /// <summary>The controller's ramp-down limit now, W/s (needed for a site limit: without it, only an emergency ramp moves the grid).</summary>
    public double RampDownWPerS;

    /// <summary>
    /// The tiered oscillation backstop's active tier this period (0 = none, 1–4 = <c>Edge.Core.Backstop.BackstopAction</c>):
    /// from 2 the GPU levers smooth (profile or caps), from 3 the flexible loads fill the dips (docs/agents.md, "What each
    /// tier does"). Values outside 0–4 count as 0.
    /// </summary>
    public int BackstopTier;
}
