namespace Edge.Devices.Gpio;

/// <summary>
/// One requested GPIO line — the per-pin operations of dotnet/iot's <c>GpioController</c> (Read, Write, edge events)
/// with results instead of exceptions. Implemented by <see cref="LinuxGpioLine"/> (GPIO character device v2) and by the
/// simulated lines in Edge.Simulation. <see cref="TryRead"/>, <see cref="TryWrite"/> and <see cref="TryReadEdge"/> are
/// non-blocking and allocation-free.
/// </summary>
public interface IGpioLine : IDisposable
{
    /// <summary>Where the line is, e.g. <c>/dev/gpiochip0:17</c>.</summary>
    string Name { get; }

    /// <summary>The settings the line was requested with.</summary>
    GpioLineSettings Settings { get; }

    /// <summary>The errno of the last failed operation (0 if none or not applicable).</summary>
    int LastErrno { get; }

    /// <summary>Reads the logical level. Returns false when the line cannot be read.</summary>
    bool TryRead(out bool active);

    /// <summary>Drives the logical level of an output. Returns false when the write failed.</summary>
    bool TryWrite(bool active);

    /// <summary>Takes the oldest pending edge event without waiting. Returns false when there is none (or on error).</summary>
    bool TryReadEdge(out GpioEdgeEvent edge);

    /// <summary>
    /// Blocks up to <paramref name="timeoutMs"/> (−1 = forever) until an edge event is pending. For I/O threads only,
    /// never the control loop. Returns false on timeout or error.
    /// </summary>
    bool WaitForEdge(int timeoutMs);
}
