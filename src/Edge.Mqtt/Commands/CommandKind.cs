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
}
