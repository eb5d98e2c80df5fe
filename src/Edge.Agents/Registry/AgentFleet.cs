namespace Edge.Agents.Registry;

/// <summary>
/// What the control side may count on from the agents right now (the registry's summary, handed to the loop through a
/// latest-value mailbox): only agents that are online and whose telemetry is fresh count. Plain values, unmanaged.
/// </summary>
public struct AgentFleet
{
    /// <summary>Agents known (online or not).</summary>
    public int Known;

    /// <summary>Agents counted on: online, capabilities received, telemetry within the drop time.</summary>
    public int Active;

    /// <summary>Power the active agents' loads draw now, W.</summary>
    public double PowerW;

    /// <summary>How far the active flexible loads can be curtailed from what they draw now (to their min_w), W.</summary>
    public double FlexCurtailableW;

    /// <summary>How far the active GPU nodes can be capped below what they draw now (to their min_w), W.</summary>
    public double GpuCappableW;

    /// <summary>The slowest response time of the active levers, ms (0 without any).</summary>
    public double SlowestResponseMs;

    /// <summary>Phase announcements held (not yet past).</summary>
    public int Announcements;
}
