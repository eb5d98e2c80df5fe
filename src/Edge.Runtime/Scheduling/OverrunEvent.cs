namespace Edge.Runtime.Scheduling;

/// <summary>
/// One missed deadline, as the loop saw it: enough to tell a late wake-up (the machine stalled before the cycle
/// started) from a slow phase (the cycle itself took too long). Published through
/// <see cref="CyclicExecutive.OverrunEvents"/>.
/// </summary>
/// <param name="Sequence">The cycle that overran.</param>
/// <param name="ReleaseNs">Its scheduled start, ns.</param>
/// <param name="LatenessNs">How late it woke, ns.</param>
/// <param name="ComputeNs">How long its phases took, ns.</param>
/// <param name="SkippedSlots">Releases skipped after it.</param>
/// <param name="SlowestPhase">The phase that took longest.</param>
/// <param name="SlowestPhaseNs">How long that phase took, ns.</param>
public readonly record struct OverrunEvent(
    long Sequence,
    long ReleaseNs,
    long LatenessNs,
    long ComputeNs,
    long SkippedSlots,
    LoopPhase SlowestPhase,
    long SlowestPhaseNs);
