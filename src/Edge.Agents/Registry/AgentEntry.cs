using Edge.Agents.Contract;

namespace Edge.Agents.Registry;

/// <summary>One agent as the registry sees it (mutable; guarded by the registry's lock).</summary>
public sealed class AgentEntry
{
    internal AgentEntry(string id) => Id = id;

    /// <summary>The agent's identity (its topic level and MQTT user).</summary>
    public string Id { get; }

    /// <summary>Its retained status says online.</summary>
    public bool Online { get; internal set; }

    /// <summary>Its capabilities (null until received).</summary>
    public AgentCapabilities? Capabilities { get; internal set; }

    /// <summary>Monotonic time of the last valid telemetry, ns (meaningful once <see cref="Telemetry"/> is set).</summary>
    public long LastTelemetryNs { get; internal set; }

    /// <summary>Last telemetry.</summary>
    public AgentTelemetry? Telemetry { get; internal set; }

    /// <summary>Telemetry messages lost (gaps in <c>seq</c>).</summary>
    public long TelemetryGaps { get; internal set; }

    /// <summary>Messages from this agent refused (malformed), and the last reason.</summary>
    public long Refused { get; internal set; }

    /// <summary>The last refusal's reason.</summary>
    public string? LastError { get; internal set; }

    /// <summary>Counted on by the plan (online, capabilities, fresh telemetry) as of the last sweep.</summary>
    public bool Active { get; internal set; }

    /// <summary>Why it is not active (as of the last sweep), or null.</summary>
    public string? DroppedBecause { get; internal set; } = "not evaluated yet";
}
