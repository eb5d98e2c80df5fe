using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Tests;

/// <summary>
/// A cycle for virtual-time tests: each phase advances the virtual clock by a scripted compute time (per cycle
/// sequence and phase), and everything the executive tells it is recorded.
/// </summary>
internal sealed class ScriptedCycle(VirtualClock clock) : IControlCycle
{
    public Func<long, LoopPhase, long> ComputeNs { get; set; } = (_, _) => 0;

    public List<CycleInfo> Cycles { get; } = [];

    public List<(bool Active, long Sequence)> FaultEvents { get; } = [];

    public void Sample(in CycleInfo cycle)
    {
        Cycles.Add(cycle);
        clock.Advance(ComputeNs(cycle.Sequence, LoopPhase.Sample));
    }

    public void Decide(in CycleInfo cycle) => clock.Advance(ComputeNs(cycle.Sequence, LoopPhase.Decide));

    public void Allocate(in CycleInfo cycle) => clock.Advance(ComputeNs(cycle.Sequence, LoopPhase.Allocate));

    public void Actuate(in CycleInfo cycle) => clock.Advance(ComputeNs(cycle.Sequence, LoopPhase.Actuate));

    public void HandOff(in CycleInfo cycle) => clock.Advance(ComputeNs(cycle.Sequence, LoopPhase.HandOff));

    public void OnDeadlineFault(bool active, in CycleInfo cycle) => FaultEvents.Add((active, cycle.Sequence));
}
