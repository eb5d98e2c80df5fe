namespace Edge.Agents.Contract;

/// <summary>
/// The agent's answer on <c>…/reply/{sender}/{name}</c>, QoS 1, within the command's timeout:
/// <c>{"id","ok","error","applied","ts_ms"}</c>. <c>applied</c> is the value now in force (a cap may be rounded to
/// the hardware's resolution); <c>error</c> says why a command was refused — nothing of a refused command is applied.
/// </summary>
public sealed record AgentReply : IAgentMessage
{
    /// <summary>The command's id (null when the payload had no valid one).</summary>
    public string? Id { get; init; }

    /// <summary>True when applied.</summary>
    public required bool Ok { get; init; }

    /// <summary>Why the command was refused.</summary>
    public string? Error { get; init; }

    /// <summary>The value in force after the command (W, profile or %).</summary>
    public double? Applied { get; init; }

    /// <summary>Wall-clock time of the reply, Unix ms.</summary>
    public required long TsMs { get; init; }

    /// <inheritdoc />
    public void Validate(MessageCheck check)
    {
        if (Id is not null)
        {
            check.Id("$.id", Id);
        }

        if (Ok == Error is not null)
        {
            check.Fail("$.error", "must be given exactly when ok is false");
        }

        check.Range("$.applied", Applied, -1e9, 1e9);
        check.Range("$.ts_ms", TsMs, 0, 1e16);
    }
}
