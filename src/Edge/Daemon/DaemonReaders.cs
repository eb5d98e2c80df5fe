namespace Edge.Daemon;

/// <summary>
/// The readers of the daemon's <see cref="Edge.Runtime.Handoff.LatestValueFanOut{T}"/> cells, each on its own thread.
/// </summary>
internal static class DaemonReaders
{
    /// <summary>The MQTT state publisher (for the agent fleet: the loop, which sizes site limits from it).</summary>
    public const int Main = 0;

    /// <summary>The live view and the plain status line.</summary>
    public const int View = 1;

    /// <summary>The loop thread's lever coordinator (the backstop's tier).</summary>
    public const int Loop = 2;
}
