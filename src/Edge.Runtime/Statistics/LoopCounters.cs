namespace Edge.Runtime.Statistics;

/// <summary>
/// The loop's counters at one instant (cheap to read: no histogram scan). Used by the watchdog gate and progress
/// displays. All counts are since the last statistics reset.
/// </summary>
/// <param name="Cycles">Cycles run.</param>
/// <param name="Overruns">Cycles that ended after their deadline (the next release).</param>
/// <param name="MissedSlots">Release slots skipped (no cycle ran in them) because of overruns.</param>
/// <param name="LateWakeups">Wake-ups at least one period late (comparable to cyclictest's late wake-ups).</param>
/// <param name="BudgetOverruns">Phase executions that exceeded their budget (all phases together).</param>
/// <param name="ConsecutiveMisses">Length of the current run of overrunning cycles.</param>
/// <param name="MaxConsecutiveMisses">Longest run of overrunning cycles.</param>
/// <param name="DeadlineFaults">Times the deadline fault was raised.</param>
/// <param name="FaultActive">True while the deadline fault is raised.</param>
/// <param name="AllocatedBytes">Bytes allocated on the loop thread.</param>
/// <param name="LastCycleEndNs">Clock time at which the last cycle ended, ns (0 before the first).</param>
public readonly record struct LoopCounters(
    long Cycles,
    long Overruns,
    long MissedSlots,
    long LateWakeups,
    long BudgetOverruns,
    long ConsecutiveMisses,
    long MaxConsecutiveMisses,
    long DeadlineFaults,
    bool FaultActive,
    long AllocatedBytes,
    long LastCycleEndNs);
