namespace Edge.Runtime.Scheduling;

/// <summary>
/// The work of one control period, supplied by the caller and run by <see cref="CyclicExecutive"/> on its loop
/// thread, phase by phase, each timed against its budget (docs/DESIGN.md §3). Implementations are set up once; every member
/// below runs on the loop thread and must not allocate, lock, block, log or throw (a thrown exception stops the loop
/// and is reported as its failure).
/// </summary>
public interface IControlCycle
{
    /// <summary>Reads every sensor into the period's frozen snapshot.</summary>
    void Sample(in CycleInfo cycle);

    /// <summary>Turns the snapshot into a decision.</summary>
    void Decide(in CycleInfo cycle);

    /// <summary>Splits the decision's setpoint across actuators.</summary>
    void Allocate(in CycleInfo cycle);

    /// <summary>Posts the setpoints (to mailboxes; never waits on a device).</summary>
    void Actuate(in CycleInfo cycle);

    /// <summary>Hands snapshot and decision to the publisher and recorder (non-blocking).</summary>
    void HandOff(in CycleInfo cycle);

    /// <summary>
    /// Called on the loop thread, between cycles, when the deadline fault is raised (<paramref name="active"/> true:
    /// <see cref="LoopOptions.FaultAfterConsecutiveMisses"/> consecutive overruns) or cleared (false:
    /// <see cref="LoopOptions.FaultClearAfterCycles"/> cycles in a row met their deadline).
    /// </summary>
    void OnDeadlineFault(bool active, in CycleInfo cycle);
}
