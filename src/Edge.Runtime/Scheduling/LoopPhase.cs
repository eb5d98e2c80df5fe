namespace Edge.Runtime.Scheduling;

/// <summary>The phases of one control period, in the order they run (docs/DESIGN.md §3).</summary>
public enum LoopPhase : byte
{
    /// <summary>Read every sensor into the frozen snapshot.</summary>
    Sample = 0,
    /// <summary>The controller turns snapshot and battery state into a decision.</summary>
    Decide = 1,
    /// <summary>Split the battery setpoint across inverters.</summary>
    Allocate = 2,
    /// <summary>Post setpoints to the inverters' mailboxes.</summary>
    Actuate = 3,
    /// <summary>Copy snapshot and decision into the hand-off ring.</summary>
    HandOff = 4,
}

/// <summary>Helpers for <see cref="LoopPhase"/>.</summary>
public static class LoopPhases
{
    /// <summary>Number of phases.</summary>
    public const int Count = 5;

    /// <summary>Lower-case name used in metrics tags, JSON and reports.</summary>
    public static string Name(LoopPhase phase) => phase switch
    {
        LoopPhase.Sample => "sample",
        LoopPhase.Decide => "decide",
        LoopPhase.Allocate => "allocate",
        LoopPhase.Actuate => "actuate",
        LoopPhase.HandOff => "handoff",
        _ => "unknown",
    };
}
