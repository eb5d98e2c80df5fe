namespace Edge.Agents.Nvml;

/// <summary>
/// Local, hard limits of a GPU node agent (never changed over MQTT): the node cap range (sum over its GPUs, intersected
/// with what NVML allows), the release ramp and jitter, the longest command lifetime, the response time advertised.
/// </summary>
public sealed record GpuAgentOptions
{
    /// <summary>GPU indices the agent controls (empty: all).</summary>
    public IReadOnlyList<uint> Gpus { get; init; } = [];

    /// <summary>Lowest node cap a command may set, W (0: the hardware minimum).</summary>
    public double MinCapW { get; init; }

    /// <summary>Highest node cap, W — also the free value (0: the hardware maximum).</summary>
    public double MaxCapW { get; init; }

    /// <summary>Fastest release of an expired cap, W/s.</summary>
    public double ReleaseWPerS { get; init; } = 100;

    /// <summary>Release start jitter bound, s.</summary>
    public double ReleaseJitterS { get; init; } = 5;

    /// <summary>Longest command lifetime accepted, s.</summary>
    public double MaxCommandLifetimeS { get; init; } = 300;

    /// <summary>Telemetry rate, Hz.</summary>
    public double TelemetryHz { get; init; } = 10;

    /// <summary>Response time advertised (NVML applies a limit within ~100 ms), ms.</summary>
    public double ResponseMs { get; init; } = 200;

    /// <summary>Number of smoothing profiles the hardware has (0: no smoothing knob).</summary>
    public int SmoothingProfiles { get; init; }

    /// <summary>The agent's identity (seeds its release jitter).</summary>
    public string Identity { get; init; } = "gpu";
}
