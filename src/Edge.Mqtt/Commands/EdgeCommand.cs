using Edge.Core.Control;

namespace Edge.Mqtt.Commands;

/// <summary>
/// A validated operator command, copied by value through the <see cref="CommandMailbox"/> to the control loop (or, for
/// <c>ack</c>, to the publisher). Only references to strings already allocated by the parser travel with it.
/// </summary>
public struct EdgeCommand
{
    /// <summary>Which command.</summary>
    public CommandKind Kind;

    /// <summary>Who sent it: the broker account (the topic level after <c>cmd/</c>); replies go to its reply topic.</summary>
    public string Operator;

    /// <summary>The sender's request id, echoed in the reply.</summary>
    public string RequestId;

    /// <summary>Requested mode (<see cref="CommandKind.Mode"/>).</summary>
    public ControlMode Mode;

    /// <summary>Requested values (<see cref="CommandKind.Limits"/>; only the fields in <see cref="LimitMask"/> count).</summary>
    public ControllerLimits Limits;

    /// <summary>Which limits the command sets.</summary>
    public LimitFields LimitMask;

    /// <summary>Alarm id to acknowledge, or "all" (<see cref="CommandKind.Ack"/>).</summary>
    public string? AlarmId;

    /// <summary>Device the acknowledged alarm is about, or null.</summary>
    public string? AlarmSource;

    /// <summary>Expiry, ms since the Unix epoch.</summary>
    public long ExpiresUnixMs;

    /// <summary>The grid request (<see cref="CommandKind.SiteLimit"/>) and, once the loop took it, its grant.</summary>
    public SiteLimitCommand SiteLimit;

    /// <summary>The limits the command leaves after merging into <paramref name="current"/>.</summary>
    public readonly ControllerLimits MergeInto(in ControllerLimits current) => new(
        (LimitMask & LimitFields.RampUp) != 0 ? Limits.RampUpWPerS : current.RampUpWPerS,
        (LimitMask & LimitFields.RampDown) != 0 ? Limits.RampDownWPerS : current.RampDownWPerS,
        (LimitMask & LimitFields.GridCap) != 0 ? Limits.GridCapW : current.GridCapW,
        (LimitMask & LimitFields.GridFloor) != 0 ? Limits.GridFloorW : current.GridFloorW,
        (LimitMask & LimitFields.SocTarget) != 0 ? Limits.SocTargetPct : current.SocTargetPct);
}
