namespace Edge.Runtime.Scheduling;

/// <summary>What the executive tells each phase about the cycle it is running in.</summary>
/// <param name="Sequence">Cycle counter, from 0 (cycles actually run; skipped slots do not count).</param>
/// <param name="ReleaseNs">The absolute deadline the loop slept until (the cycle's scheduled start), ns.</param>
/// <param name="WakeNs">When the loop actually woke, ns (≥ <paramref name="ReleaseNs"/>).</param>
/// <param name="PeriodNs">The loop period, ns.</param>
/// <param name="SkippedSlots">Periods skipped just before this cycle because the previous one overran.</param>
public readonly record struct CycleInfo(long Sequence, long ReleaseNs, long WakeNs, long PeriodNs, long SkippedSlots)
{
    /// <summary>
    /// Time this cycle spent computing, from wake-up to the start of the hand-off (sample → decide → allocate →
    /// actuate), ns. Set by the executive for the hand-off phase only (0 before it).
    /// </summary>
    public long ComputeNs { get; init; }

    /// <summary>Wake-up lateness of this cycle, ns.</summary>
    public long LatenessNs => WakeNs - ReleaseNs;

    /// <summary>The cycle's deadline: the next release, ns.</summary>
    public long DeadlineNs => ReleaseNs + PeriodNs;
}
