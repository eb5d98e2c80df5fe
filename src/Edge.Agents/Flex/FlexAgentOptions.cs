namespace Edge.Agents.Flex;

/// <summary>
/// Local, hard limits of a flexible-load agent (never changed over MQTT): rated power, the lowest level a command may
/// set, the level step, the release ramp and its slot, the longest command lifetime, the telemetry rate.
/// </summary>
public sealed record FlexAgentOptions
{
    /// <summary>Rated power at 100 %, W.</summary>
    public double RatedW { get; init; }

    /// <summary>Lowest level a command may set, %.</summary>
    public double MinLevelPct { get; init; }

    /// <summary>Level resolution, % (100 for an on/off relay).</summary>
    public double LevelStepPct { get; init; } = 5;

    /// <summary>Fastest release of an expired command, W/s.</summary>
    public double ReleaseWPerS { get; init; } = 100;

    /// <summary>Release start jitter bound, s (ignored when <see cref="ReleaseSlot"/> is set).</summary>
    public double ReleaseJitterS { get; init; } = 5;

    /// <summary>Release slot (0-based) among <see cref="ReleaseSlots"/>, or null for a random delay.</summary>
    public int? ReleaseSlot { get; init; }

    /// <summary>Number of release slots of the site's flexible loads.</summary>
    public int ReleaseSlots { get; init; } = 1;

    /// <summary>Longest command lifetime accepted, s.</summary>
    public double MaxCommandLifetimeS { get; init; } = 300;

    /// <summary>Telemetry rate, Hz.</summary>
    public double TelemetryHz { get; init; } = 10;

    /// <summary>Time the load takes to follow a level, ms (advertised).</summary>
    public double ResponseMs { get; init; } = 2000;

    /// <summary>The agent's identity (seeds its release jitter).</summary>
    public string Identity { get; init; } = "flex";
}
