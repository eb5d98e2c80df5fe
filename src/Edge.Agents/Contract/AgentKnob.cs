namespace Edge.Agents.Contract;

/// <summary>A knob an agent's hardware has; the command of the same name (kebab case) sets it.</summary>
public enum AgentKnob
{
    /// <summary><c>power-cap</c>: a power limit in W (GPU power management limit, summed over the node's GPUs).</summary>
    PowerCap,

    /// <summary><c>smoothing-profile</c>: a preset power-smoothing profile (Blackwell GB200/GB300).</summary>
    SmoothingProfile,

    /// <summary><c>level</c>: a flexible load's level, % of its rated power (0 = off).</summary>
    Level,
}
