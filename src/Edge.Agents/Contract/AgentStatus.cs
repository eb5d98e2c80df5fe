namespace Edge.Agents.Contract;

/// <summary>
/// <c>…/status</c>, retained, QoS 1: <c>{"state":"online"|"offline","ts_ms":…}</c>. The agent's MQTT Will publishes
/// offline, so a dead agent is dropped from the plan as soon as the broker notices.
/// </summary>
public sealed record AgentStatus : IAgentMessage
{
    /// <summary>online or offline.</summary>
    public required string State { get; init; }

    /// <summary>Wall-clock time of the message, Unix ms.</summary>
    public required long TsMs { get; init; }

    /// <inheritdoc />
    public void Validate(MessageCheck check)
    {
        if (State is not ("online" or "offline"))
        {
            check.Fail("$.state", "must be \"online\" or \"offline\"");
        }

        check.Range("$.ts_ms", TsMs, 0, 1e16);
    }
}
