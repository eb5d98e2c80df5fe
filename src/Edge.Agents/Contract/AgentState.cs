namespace Edge.Agents.Contract;

/// <summary>What an agent's lever is doing, in its telemetry.</summary>
public enum AgentState
{
    /// <summary>No command in force: the load runs at its local default.</summary>
    Free,

    /// <summary>A command is in force.</summary>
    Commanded,

    /// <summary>A command expired or was released; the lever ramps back to its default.</summary>
    Releasing,

    /// <summary>The lever cannot act (device error); the load runs as the hardware lets it.</summary>
    Fault,
}
