namespace Edge.Agents.Contract;

/// <summary>
/// <c>…/capabilities</c>, retained, QoS 1: what the agent is and what it may do — all of it from its local
/// configuration and the hardware, never from MQTT. <c>min_w</c>/<c>max_w</c> are the hard limits of the lever
/// (a cap or level outside them is refused), <c>response_ms</c> how long the load takes to follow a command,
/// <c>release_w_per_s</c> and <c>release_jitter_s</c> how an expired command is released.
/// </summary>
public sealed record AgentCapabilities : IAgentMessage
{
    /// <summary>What the agent controls.</summary>
    public required AgentKind Kind { get; init; }

    /// <summary>Lowest power the lever may hold the load at, W.</summary>
    public required double MinW { get; init; }

    /// <summary>Highest power (the free-running load's cap), W.</summary>
    public required double MaxW { get; init; }

    /// <summary>Time for the load to follow a command, ms.</summary>
    public required double ResponseMs { get; init; }

    /// <summary>Knobs this hardware has (a GPU without smoothing profiles leaves that one out).</summary>
    public required IReadOnlyList<AgentKnob> Knobs { get; init; }

    /// <summary>Telemetry rate, Hz (≥ 10).</summary>
    public required double TelemetryHz { get; init; }

    /// <summary>Fastest rate at which an expired command is released, W/s.</summary>
    public required double ReleaseWPerS { get; init; }

    /// <summary>Release start is delayed by a per-agent random time in [0, this], s.</summary>
    public required double ReleaseJitterS { get; init; }

    /// <summary>Level resolution of a flexible load, % (e.g. 5).</summary>
    public double? LevelStepPct { get; init; }

    /// <summary>Number of smoothing profiles (0..N-1) where the knob exists.</summary>
    public int? SmoothingProfiles { get; init; }

    /// <summary>Longest command lifetime the agent accepts, s.</summary>
    public required double MaxCommandLifetimeS { get; init; }

    /// <inheritdoc />
    public void Validate(MessageCheck check)
    {
        check.Range("$.min_w", MinW, 0, 1e9);
        check.Range("$.max_w", MaxW, 0, 1e9);
        if (MaxW < MinW)
        {
            check.Fail("$.max_w", "must not be below min_w");
        }

        check.Range("$.response_ms", ResponseMs, 0, 600_000);
        check.Range("$.telemetry_hz", TelemetryHz, 10, 1000);
        check.Range("$.release_w_per_s", ReleaseWPerS, 1e-6, 1e9);
        check.Range("$.release_jitter_s", ReleaseJitterS, 0, 600);
        check.Range("$.level_step_pct", LevelStepPct, 0.1, 100);
        check.Range("$.smoothing_profiles", SmoothingProfiles, 1, 64);
        check.Range("$.max_command_lifetime_s", MaxCommandLifetimeS, 1, 86_400);
        if (Knobs.Count != Knobs.Distinct().Count())
        {
            check.Fail("$.knobs", "lists a knob twice");
        }

        if (Knobs.Contains(AgentKnob.SmoothingProfile) != SmoothingProfiles.HasValue)
        {
            check.Fail("$.smoothing_profiles", "must be given exactly when knobs has smoothing_profile");
        }

        if (Knobs.Contains(AgentKnob.Level) != LevelStepPct.HasValue)
        {
            check.Fail("$.level_step_pct", "must be given exactly when knobs has level");
        }

        if (Kind == AgentKind.Framework && Knobs.Count > 0)
        {
            check.Fail("$.knobs", "a framework has no knobs");
        }
    }
}
