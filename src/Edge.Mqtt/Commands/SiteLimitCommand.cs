namespace Edge.Mqtt.Commands;

/// <summary>
/// A <c>site-limit</c> command as parsed (plain values, copied through the mailbox) and the loop's answer to it: the
/// wire form only. The loop resolves it into the one grid request type, <c>Edge.Core.Levers.SiteLimitRequest</c>
/// (absolute limit in W, monotonic start and duration), and sizes it with the one estimate,
/// <c>LeverCoordinator.Estimate</c> (docs/site-limit.md).
/// Request: exactly one of <see cref="MaxW"/> ("at most P W") and <see cref="ReducePct"/> ("−X %" of the grid power
/// when it starts), from <see cref="StartUnixMs"/> (0: now) for <see cref="DurationS"/>; <see cref="EmergencyRampWPerS"/>
/// authorises a faster ramp than the one in force (never beyond the configured hard limit). <see cref="Cancel"/> ends
/// the limit in force. The grant fields are filled by the loop when it takes the request.
/// </summary>
public struct SiteLimitCommand
{
    /// <summary>At most this grid power, W (NaN: not given).</summary>
    public double MaxW;

    /// <summary>Reduce the grid power by this percentage (NaN: not given).</summary>
    public double ReducePct;

    /// <summary>Start, Unix ms (0: at once).</summary>
    public long StartUnixMs;

    /// <summary>How long the limit holds once started, s.</summary>
    public double DurationS;

    /// <summary>A faster ramp the request authorises, W/s (NaN: the ramp limit in force).</summary>
    public double EmergencyRampWPerS;

    /// <summary>Ends the limit in force (ramping back at the up-ramp limit).</summary>
    public bool Cancel;

    /// <summary>Grant: grid power when accepted (the controller's target), W.</summary>
    public double FromW;

    /// <summary>Grant: the limit, W.</summary>
    public double TargetW;

    /// <summary>Grant: the ramp it is met at, W/s.</summary>
    public double RampWPerS;

    /// <summary>Grant: seconds from its start until the grid reaches the limit.</summary>
    public double ReachS;

    /// <summary>Seconds until it starts (set by the command processor from <see cref="StartUnixMs"/>, ≥ 0).</summary>
    public double StartsInS;

    /// <summary>Grant: how long the battery alone can hold it (energy above SoC min at the excess power), s.</summary>
    public double BatteryHoldsS;

    /// <summary>Grant: power the active agents (flexible loads, GPU caps) can shed, W.</summary>
    public double LeversW;

    /// <summary>Grant: the battery and the levers together can hold it for the whole duration.</summary>
    public bool Feasible;
}
