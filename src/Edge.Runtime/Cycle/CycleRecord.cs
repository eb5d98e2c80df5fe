using Edge.Core.Control;
using Edge.Core.Devices;

namespace Edge.Runtime.Cycle;

/// <summary>
/// What one control period hands to the publisher and the flight recorder (docs/DESIGN.md §3, hand-off): the frozen
/// snapshot, the decision, the per-inverter setpoints and the cycle's timing. Preallocated in the hand-off ring's
/// slots and filled in place (<see cref="CopyFrom"/>), so handing it off allocates nothing.
/// </summary>
public sealed class CycleRecord
{
    /// <summary>Creates a record sized for the given numbers of sensors and inverters.</summary>
    public CycleRecord(int sensorCount, int inverterCount)
    {
        Snapshot = new RackSnapshot(sensorCount, inverterCount);
        SetpointsW = new double[inverterCount];
    }

    /// <summary>Cycle counter.</summary>
    public long Sequence { get; private set; }

    /// <summary>Scheduled start of the cycle, ns.</summary>
    public long ReleaseNs { get; private set; }

    /// <summary>Actual wake-up, ns.</summary>
    public long WakeNs { get; private set; }

    /// <summary>Periods skipped just before this cycle.</summary>
    public long SkippedSlots { get; private set; }

    /// <summary>Time the cycle spent from wake-up to its hand-off (sample → actuate), ns.</summary>
    public long ComputeNs { get; private set; }

    /// <summary>True while the loop's deadline fault was raised.</summary>
    public bool DeadlineFault { get; private set; }

    /// <summary>The period's frozen process image.</summary>
    public RackSnapshot Snapshot { get; }

    /// <summary>The controller's decision.</summary>
    public Decision Decision { get; private set; }

    /// <summary>Setpoint posted to each inverter, W, in configuration order.</summary>
    public double[] SetpointsW { get; }

    /// <summary>Fills this record (allocation-free; sizes must match).</summary>
    public void CopyFrom(in Scheduling.CycleInfo cycle, RackSnapshot snapshot, in Decision decision, ReadOnlySpan<double> setpointsW, bool deadlineFault)
    {
        Sequence = cycle.Sequence;
        ReleaseNs = cycle.ReleaseNs;
        WakeNs = cycle.WakeNs;
        SkippedSlots = cycle.SkippedSlots;
        ComputeNs = cycle.ComputeNs;
        DeadlineFault = deadlineFault;
        snapshot.CopyTo(Snapshot);
        Decision = decision;
        setpointsW.CopyTo(SetpointsW);
    }
}
