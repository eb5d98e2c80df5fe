namespace Edge.Runtime.Realtime;

/// <summary>One line of the real-time setup report.</summary>
/// <param name="Feature">What was set up ("SCHED_FIFO", "affinity", "mlockall", "cpu_dma_latency", "GC latency").</param>
/// <param name="Outcome">Applied, skipped or failed.</param>
/// <param name="Detail">What was done, or exactly which privilege or limit was missing and how to grant it.</param>
public sealed record RealtimeItem(string Feature, RealtimeOutcome Outcome, string Detail)
{
    /// <inheritdoc />
    public override string ToString() => $"{Feature,-16} {Outcome.ToString().ToLowerInvariant(),-7} {Detail}";
}
