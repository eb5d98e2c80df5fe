namespace Edge.Core.Control;

/// <summary>The outcome of one controller tick (docs/DESIGN.md §3, decide phase).</summary>
public struct Decision
{
    /// <summary>Loop time of the tick, ns.</summary>
    public long NowNs;

    /// <summary>Mode the decision was taken in.</summary>
    public ControlMode Mode;

    /// <summary>What constrained this decision.</summary>
    public ControlFlags Flags;

    /// <summary>The smooth grid power the controller aims for, W (ramp- and band-limited, within cap/floor).</summary>
    public double GridTargetW;

    /// <summary>The slow reference the target tracks before ramp limiting (load low-passed plus SoC recovery), W.</summary>
    public double GridReferenceW;

    /// <summary>Total battery setpoint, W (positive = discharge), within the battery's limits.</summary>
    public double BatterySetpointW;

    /// <summary>Grid power expected if the battery follows the setpoint exactly, W.</summary>
    public double ExpectedGridW;

    /// <summary>SoC target in force after headroom adjustment, %.</summary>
    public double SocTargetPct;

    /// <summary>Closed-loop trim learnt from the site meter (unmeasured loads, losses, inverter error), W.</summary>
    public double TrimW;

    /// <summary>Charge limit applied this tick (power and SoC), W.</summary>
    public double AllowedChargeW;

    /// <summary>Discharge limit applied this tick (power and SoC), W.</summary>
    public double AllowedDischargeW;

    /// <summary>True when the battery setpoint was clipped at a limit.</summary>
    public readonly bool IsSaturated => (Flags & ControlFlags.Saturated) != 0;
}
