namespace Edge.Core.Control;

/// <summary>What constrained a decision. Published with every state message; several may be set at once.</summary>
[Flags]
public enum ControlFlags : uint
{
    /// <summary>Nothing constrained the decision.</summary>
    None = 0,
    /// <summary>The grid target is rising at the up-ramp limit.</summary>
    RampLimitedUp = 1 << 0,
    /// <summary>The grid target is falling at the down-ramp limit.</summary>
    RampLimitedDown = 1 << 1,
    /// <summary>The grid target sits at the (effective) grid cap.</summary>
    AtGridCap = 1 << 2,
    /// <summary>The grid target sits at the (effective) grid floor.</summary>
    AtGridFloor = 1 << 3,
    /// <summary>The battery setpoint was clipped at the charge limit (power or SoC).</summary>
    SaturatedCharge = 1 << 4,
    /// <summary>The battery setpoint was clipped at the discharge limit (power or SoC).</summary>
    SaturatedDischarge = 1 << 5,
    /// <summary>SoC is inside the guard band above the minimum: discharge is tapering.</summary>
    SocLow = 1 << 6,
    /// <summary>SoC is inside the guard band below the maximum: charge is tapering.</summary>
    SocHigh = 1 << 7,
    /// <summary>The battery is too small to hold the ramp headroom both ways; the SoC target is a compromise.</summary>
    HeadroomShort = 1 << 8,
    /// <summary>A site meter is present and the closed-loop trim is active.</summary>
    TrimActive = 1 << 9,
    /// <summary>The site meter was expected but missing; the trim is frozen.</summary>
    GridMeterStale = 1 << 10,
    /// <summary>The load is an estimate (sensor missing).</summary>
    LoadDegraded = 1 << 11,
    /// <summary>No load measurement: the battery is ramping out.</summary>
    LoadMissing = 1 << 12,
    /// <summary>No usable battery.</summary>
    BatteryUnavailable = 1 << 13,
    /// <summary>E-stop asserted: setpoint is 0 W (a deliberate step).</summary>
    EmergencyStop = 1 << 14,
    /// <summary>A limit change (cap, floor) is still ramping in.</summary>
    LimitRamping = 1 << 15,
    /// <summary>The reference is a planner's plan (docs/planner.md), not the controller's own low-pass.</summary>
    PlanTracked = 1 << 16,

    /// <summary>Either saturation flag.</summary>
    Saturated = SaturatedCharge | SaturatedDischarge,
}
