using Edge.Core.Control;

namespace Edge.Runtime.Recording;

/// <summary>One period as the flight recorder keeps it (what an engineer asks for after an incident).</summary>
public struct FlightRecord
{
    /// <summary>Loop time of the period's sample, ns.</summary>
    public long TimestampNs;

    /// <summary>Period counter.</summary>
    public long Sequence;

    /// <summary>Rack load, W.</summary>
    public double LoadW;

    /// <summary>Grid power: the site meter's, or load − measured battery power without one, W.</summary>
    public double GridW;

    /// <summary>Measured battery power (sum of inverters), W, positive = discharging.</summary>
    public double BatteryW;

    /// <summary>Battery setpoint decided this period, W.</summary>
    public double BatterySetpointW;

    /// <summary>Grid target, W.</summary>
    public double GridTargetW;

    /// <summary>State of charge, %.</summary>
    public double SocPct;

    /// <summary>Controller mode.</summary>
    public ControlMode Mode;

    /// <summary>Decision flags.</summary>
    public ControlFlags Flags;

    /// <summary>Wake-up lateness of the period, ns.</summary>
    public long LatenessNs;
}
