using Edge.Agents.Contract;

namespace Edge.Agents.Host;

/// <summary>
/// The hardware side of an agent (GPU caps, a flexible load). The host calls it from two threads — commands from the
/// MQTT receive thread, samples from the telemetry thread — always under one lock, so implementations need none.
/// </summary>
public interface IAgentLever
{
    /// <summary>What this agent and its hardware can do (from local configuration and the hardware only).</summary>
    AgentCapabilities Capabilities { get; }

    /// <summary>
    /// Applies command <paramref name="name"/> held until <paramref name="expiresNs"/> (monotonic). Returns the value in
    /// force, or the reason it was refused (nothing applied then).
    /// </summary>
    (double? Applied, string? Error) Apply(string name, AgentCommand command, long nowNs, long expiresNs);

    /// <summary>Advances releases to <paramref name="nowNs"/>, pushes the lever to the hardware, reads the power.</summary>
    AgentTelemetry Sample(long nowNs, long seq, long tsMs);

    /// <summary>Releases every command now (along the ramp): the agent is stopping.</summary>
    void ReleaseAll(long nowNs);

    /// <summary>True when no command is in force and no release is under way.</summary>
    bool IsFree { get; }
}
