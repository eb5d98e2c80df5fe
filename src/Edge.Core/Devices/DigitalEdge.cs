namespace Edge.Core.Devices;

/// <summary>An edge seen on a digital input, with the time the kernel (or simulator) stamped it.</summary>
/// <param name="TimestampNs">Monotonic time of the edge, ns.</param>
/// <param name="Active">Logical level after the edge (true = asserted; active-low lines are already inverted).</param>
/// <param name="Sequence">Increments with every edge; a gap means edges were lost.</param>
public readonly record struct DigitalEdge(long TimestampNs, bool Active, uint Sequence);
