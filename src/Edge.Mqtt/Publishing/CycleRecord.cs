using Edge.Core.Control;

namespace Edge.Mqtt.Publishing;

/// <summary>
/// What one control period hands to the publisher (docs/DESIGN.md §3 hand-off, §7 state): copied by value into the runtime's
/// SPSC ring by the loop, read by the publisher thread. Units are in the names; sign convention of docs/DESIGN.md §1.
/// </summary>
public struct CycleRecord
{
    /// <summary>Period counter (monotonic; gaps mean the ring dropped records).</summary>
    public long Seq;

    /// <summary>Loop time at the start of the period, ns (monotonic clock of the loop).</summary>
    public long TimestampNs;

    /// <summary>Wall-clock time of the period, ms since the Unix epoch (0: the publisher stamps its own time).</summary>
    public long UnixTimeMs;

    /// <summary>Rack load, W.</summary>
    public double LoadW;

    /// <summary>Grid power, W (the site meter's, or load − battery without one).</summary>
    public double GridW;

    /// <summary>Measured battery power, W (positive = discharging).</summary>
    public double BatteryW;

    /// <summary>The controller's grid target, W.</summary>
    public double GridTargetW;

    /// <summary>The battery setpoint decided this period, W.</summary>
    public double BatterySetpointW;

    /// <summary>Battery state of charge, %.</summary>
    public double SocPct;

    /// <summary>Controller mode.</summary>
    public ControlMode Mode;

    /// <summary>What constrained the decision.</summary>
    public ControlFlags Flags;

    /// <summary>How late the period started against its deadline, ns.</summary>
    public long LatenessNs;

    /// <summary>Time spent in sample → hand-off this period, ns.</summary>
    public long ComputeNs;

    /// <summary>Deadline overruns since the loop started (cumulative).</summary>
    public long Overruns;

    /// <summary>Records the hand-off ring dropped since start (cumulative; the loop counts them).</summary>
    public long RingDrops;

    /// <summary>The tiered oscillation backstop's active tier after this period (0 = none; ≥ 1 raises <c>oscillation</c>).</summary>
    public int BackstopTier;
}
