using Edge.Core.Control;

namespace Edge.Core.Devices;

/// <summary>
/// Capability: fills the rack part of a period's snapshot — every sensor's latest reading, the aggregated load and
/// whether it is degraded — without touching a bus (sensors are sampled by their own threads or by the caller).
/// A rig's device set implements it with its topology and degraded estimates; a plain list of sensors is summed.
/// </summary>
public interface IRackSampler
{
    /// <summary>Number of sensors (the snapshot must have this many slots).</summary>
    int SensorCount { get; }

    /// <summary>
    /// Copies the latest readings into <paramref name="snapshot"/>, sets <see cref="RackSnapshot.LoadW"/> and
    /// <see cref="RackSnapshot.LoadDegraded"/>, and returns the load flags for the controller
    /// (<see cref="InputHealth.LoadDegraded"/>, <see cref="InputHealth.LoadMissing"/>). Allocation-free.
    /// </summary>
    InputHealth FillSnapshot(RackSnapshot snapshot, long nowNs);
}
