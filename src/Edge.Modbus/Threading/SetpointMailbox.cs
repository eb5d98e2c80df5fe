namespace Edge.Modbus.Threading;

/// <summary>
/// Latest-value mailbox between the control loop (producer) and a device's I/O worker (consumer): a new setpoint
/// replaces any not yet taken; <see cref="Post"/> never blocks, never allocates and wakes the worker at once.
/// </summary>
public sealed class SetpointMailbox : IDisposable
{
    private readonly SeqLockValue<Entry> _cell = new();
    private readonly WakeSignal _wake = new();
    private int _takenVersion;

    /// <summary>Number of setpoints posted.</summary>
    public int PostedCount => _cell.Version;

    /// <summary>Posts a setpoint (producer thread only).</summary>
    public void Post(double valueW, long postedNs)
    {
        _cell.Write(new Entry(valueW, postedNs));
        _wake.Set();
    }

    /// <summary>Takes the newest setpoint not yet taken (consumer thread only).</summary>
    public bool TryTake(out double valueW, out long postedNs)
    {
        if (_cell.Version == _takenVersion || !_cell.TryRead(out Entry e, out int version))
        {
            valueW = 0;
            postedNs = 0;
            return false;
        }

        _takenVersion = version;
        valueW = e.ValueW;
        postedNs = e.PostedNs;
        return true;
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a post (consumer thread only).</summary>
    public void Wait(int timeoutMs)
    {
        if (_cell.Version == _takenVersion)
        {
            _wake.Wait(timeoutMs);
        }
    }

    /// <summary>Wakes the consumer without a setpoint (e.g. to stop it).</summary>
    public void Wake() => _wake.Set();

    /// <inheritdoc />
    public void Dispose() => _wake.Dispose();

    private readonly record struct Entry(double ValueW, long PostedNs);
}
