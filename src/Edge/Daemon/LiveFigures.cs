using Edge.Core.Control;

namespace Edge.Daemon;

/// <summary>The latest period's figures for the live view and the plain status line (copied, never shared).</summary>
public struct LiveFigures
{
    /// <summary>Period counter.</summary>
    public long Sequence;

    /// <summary>Rack load, W.</summary>
    public double LoadW;

    /// <summary>Grid power (site meter, or load − battery), W.</summary>
    public double GridW;

    /// <summary>Grid target, W.</summary>
    public double GridTargetW;

    /// <summary>Measured battery power, W.</summary>
    public double BatteryW;

    /// <summary>Battery setpoint, W.</summary>
    public double BatterySetpointW;

    /// <summary>State of charge, %.</summary>
    public double SocPct;

    /// <summary>Mode.</summary>
    public ControlMode Mode;

    /// <summary>Flags.</summary>
    public ControlFlags Flags;

    /// <summary>Usable inverters.</summary>
    public int InvertersUsable;

    /// <summary>Inverters configured.</summary>
    public int InvertersTotal;

    /// <summary>Usable sensors.</summary>
    public int SensorsUsable;

    /// <summary>Sensors configured.</summary>
    public int SensorsTotal;
}
