namespace Edge.Core.Replay;

/// <summary>One controller's latest period in a <see cref="ReplaySession"/>.</summary>
public struct ReplayState
{
    /// <summary>What the racks drew (their demand, held by GPU caps when a site has them), W.</summary>
    public double RacksW;

    /// <summary>What the flexible loads drew, W (0 without a site).</summary>
    public double FlexW;

    /// <summary>The backstop tier of the period (0 = none, or no site).</summary>
    public int Tier;

    /// <summary>Grid power over the period (racks + flexible loads − actual battery power), W.</summary>
    public double GridW;

    /// <summary>The controller's grid target, W.</summary>
    public double GridTargetW;

    /// <summary>The battery setpoint the controller commanded, W (positive = discharge).</summary>
    public double BatterySetpointW;

    /// <summary>The battery's actual power over the period, W (what the metrics use).</summary>
    public double BatteryW;

    /// <summary>State of charge at the end of the period, %.</summary>
    public double SocPct;

    /// <summary>True when the battery was held at a limit.</summary>
    public bool Saturated;

    /// <summary>Largest rise into this period from its trailing ramp window, W.</summary>
    public double RiseW;

    /// <summary>Largest fall into this period from its trailing ramp window, W.</summary>
    public double FallW;

    /// <summary>True when this period's trailing ramp window holds a violating pair (DESIGN §5).</summary>
    public bool Violating;

    /// <summary>Battery throughput from the start up to this period, Wh.</summary>
    public double ThroughputWh;
}
