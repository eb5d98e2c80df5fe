namespace Edge.Devices.Gpio;

/// <summary>One edge on a line, as the kernel (or simulator) reported it.</summary>
/// <param name="TimestampNs">CLOCK_MONOTONIC time of the edge, ns (the kernel's gpio_v2_line_event.timestamp_ns).</param>
/// <param name="Active">Logical level after the edge (true = became active).</param>
/// <param name="LineSequence">Sequence number of this edge on its line (starts at 1); a gap means events were lost.</param>
public readonly record struct GpioEdgeEvent(long TimestampNs, bool Active, uint LineSequence);
