namespace Edge.Agents.Contract;

/// <summary>
/// A command to an agent, on <c>…/cmd/{sender}/{name}</c> with <c>name</c> one of <c>power-cap</c>,
/// <c>smoothing-profile</c>, <c>level</c>. Every command has an <c>id</c> and an <c>expires_at</c>: the agent holds the
/// setting until then and releases it along its ramp afterwards (a coordinator that wants it kept re-sends it).
/// Exactly the field of its name is given: <c>cap_w</c>, <c>profile</c> or <c>level_pct</c>. <c>release_w_per_s</c>
/// may slow the release below the agent's local rate, never speed it up. <c>null</c> for the value (<c>"cap_w":null</c>)
/// releases now, along the ramp.
/// </summary>
public sealed record AgentCommand : IAgentMessage
{
    /// <summary>Request id, echoed in the reply.</summary>
    public required string Id { get; init; }

    /// <summary>When the command stops holding (ISO-8601 with offset).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>power-cap: node cap, W (null: release).</summary>
    public double? CapW { get; init; }

    /// <summary>smoothing-profile: preset profile number (null: release).</summary>
    public int? Profile { get; init; }

    /// <summary>level: flexible-load level, % of rated (null: release).</summary>
    public double? LevelPct { get; init; }

    /// <summary>Release rate after expiry, W/s (at most the agent's local rate).</summary>
    public double? ReleaseWPerS { get; init; }

    /// <inheritdoc />
    public void Validate(MessageCheck check)
    {
        check.Id("$.id", Id);
        check.Time("$.expires_at", ExpiresAt);
        check.Range("$.cap_w", CapW, 0, 1e9);
        check.Range("$.profile", Profile, 0, 63);
        check.Range("$.level_pct", LevelPct, 0, 100);
        check.Range("$.release_w_per_s", ReleaseWPerS, 1e-6, 1e9);
    }
}
