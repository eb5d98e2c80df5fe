namespace Edge.Mqtt.Commands;

/// <summary>The commands an operator may send (topic <c>…/cmd/{name}</c>).</summary>
public enum CommandKind : byte
{
    /// <summary><c>cmd/mode</c>: auto, hold or standby.</summary>
    Mode,
    /// <summary><c>cmd/limits</c>: ramp, cap, floor, SoC target.</summary>
    Limits,
    /// <summary><c>cmd/ack</c>: acknowledge alarms.</summary>
    Ack,
    /// <summary><c>cmd/site-limit</c>: a grid request, "at most P W from T for D" or "−X %" (docs/site-limit.md).</summary>
    SiteLimit,
}
