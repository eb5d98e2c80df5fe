namespace Edge.Agents.Contract;

/// <summary>
/// <c>…/telemetry</c>, QoS 0, at the advertised rate (≥ 10 Hz):
/// <c>{"seq","ts_ms","power_w","demand_w"?,"cap_w"?,"level_pct"?,"state"}</c>. For NVIDIA GPUs <c>power_w</c> is the sum
/// of the instantaneous readings (<c>NVML_FI_DEV_POWER_INSTANT</c>), not the 1 s average of <c>nvmlDeviceGetPowerUsage</c>.
/// </summary>
public sealed record AgentTelemetry : IAgentMessage
{
    /// <summary>Sequence number, +1 per message (a gap is lost telemetry).</summary>
    public required long Seq { get; init; }

    /// <summary>Wall-clock time of the reading, Unix ms.</summary>
    public required long TsMs { get; init; }

    /// <summary>Power the agent's load draws now, W.</summary>
    public required double PowerW { get; init; }

    /// <summary>
    /// What the load would draw now without the cap, W — only from an agent that knows it (a simulation, a workload
    /// that reports its own demand). The NVML agent leaves it out: under a cap the hardware cannot tell what it would
    /// draw without one. Edge accounts the GPU energy lost under caps from it (absent from all: unknown).
    /// </summary>
    public double? DemandW { get; init; }

    /// <summary>The cap in force, W (GPU agents).</summary>
    public double? CapW { get; init; }

    /// <summary>The level in force, % (flexible loads).</summary>
    public double? LevelPct { get; init; }

    /// <summary>What the lever is doing.</summary>
    public required AgentState State { get; init; }

    /// <inheritdoc />
    public void Validate(MessageCheck check)
    {
        check.Range("$.seq", Seq, 0, long.MaxValue);
        check.Range("$.ts_ms", TsMs, 0, 1e16);
        check.Range("$.power_w", PowerW, 0, 1e9);
        check.Range("$.demand_w", DemandW, 0, 1e9);
        check.Range("$.cap_w", CapW, 0, 1e9);
        check.Range("$.level_pct", LevelPct, 0, 100);
    }
}
