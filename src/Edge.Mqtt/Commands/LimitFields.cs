namespace Edge.Mqtt.Commands;

/// <summary>Which limits a <c>cmd/limits</c> command sets (the others keep their current value).</summary>
[Flags]
public enum LimitFields : byte
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary><c>ramp_up_w_per_s</c>.</summary>
    RampUp = 1,
    /// <summary><c>ramp_down_w_per_s</c>.</summary>
    RampDown = 2,
    /// <summary><c>grid_cap_w</c>.</summary>
    GridCap = 4,
    /// <summary><c>grid_floor_w</c>.</summary>
    GridFloor = 8,
    /// <summary><c>soc_target_pct</c>.</summary>
    SocTarget = 16,
}
