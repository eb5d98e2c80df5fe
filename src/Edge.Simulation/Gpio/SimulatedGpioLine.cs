using Edge.Devices.Gpio;

namespace Edge.Simulation.Gpio;

/// <summary>
/// A simulated GPIO line with the semantics of the kernel's v2 character device: logical level = electrical level
/// XOR active-low; edge events with timestamps and per-line sequence numbers in a bounded queue (oldest dropped, the
/// sequence gap shows the loss); debounce — a new electrical level counts only once it has been stable for
/// <see cref="GpioLineSettings.DebounceUs"/>, and its edge is stamped at the moment it became stable (shorter glitches
/// vanish). Faults: a stuck level, failing reads/writes. Time comes from the injected clock. Allocation-free.
/// </summary>
public sealed class SimulatedGpioLine : IGpioLine
{
    private readonly Func<long> _clock;
    private readonly GpioEdgeEvent[] _queue;
    private int _head;
    private int _count;
    private uint _lineSequence;
    private bool _electricalHigh;
    private bool _pending;
    private bool _pendingHigh;
    private long _pendingSinceNs;

    internal SimulatedGpioLine(string name, GpioLineSettings settings, Func<long> clock, bool electricalHigh)
    {
        Name = name;
        Settings = settings;
        _clock = clock;
        _queue = new GpioEdgeEvent[settings.EventBufferSize > 0 ? settings.EventBufferSize : 16];
        _electricalHigh = settings.Direction == GpioDirection.Output ? settings.InitialActive ^ settings.ActiveLow : electricalHigh;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public GpioLineSettings Settings { get; }

    /// <inheritdoc />
    public int LastErrno { get; private set; }

    /// <summary>The electrical level of the line (after debounce for inputs).</summary>
    public bool ElectricalHigh => _electricalHigh;

    /// <summary>When set, reads return this logical level whatever happens (a stuck input).</summary>
    public bool? StuckLogical { get; set; }

    /// <summary>When true, reads and writes fail (EIO), as with a chip that disappeared.</summary>
    public bool Broken { get; set; }

    /// <summary>Edges dropped because the queue was full.</summary>
    public long DroppedEdges { get; private set; }

    /// <summary>True when the line was released.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Drives an input electrically (a contact, a chip's ALERT output) at <paramref name="timeNs"/> (≥ the previous
    /// change). Subject to debounce and edge detection.
    /// </summary>
    public void SetElectrical(bool high, long timeNs)
    {
        Settle(timeNs);
        if (Settings.DebounceUs <= 0)
        {
            if (high != _electricalHigh)
            {
                Commit(high, timeNs);
            }

            return;
        }

        if (high == _electricalHigh)
        {
            _pending = false; // back before the debounce period ended: a glitch, filtered out
            return;
        }

        if (_pending && _pendingHigh == high)
        {
            return;
        }

        _pending = true;
        _pendingHigh = high;
        _pendingSinceNs = timeNs;
    }

    /// <summary>Drives an input by its logical level.</summary>
    public void SetLogical(bool active, long timeNs) => SetElectrical(active ^ Settings.ActiveLow, timeNs);

    /// <inheritdoc />
    public bool TryRead(out bool active)
    {
        Settle(_clock());
        active = StuckLogical ?? (_electricalHigh ^ Settings.ActiveLow);
        if (Broken)
        {
            LastErrno = 5;
            return false;
        }

        LastErrno = 0;
        return true;
    }

    /// <inheritdoc />
    public bool TryWrite(bool active)
    {
        if (Broken || Settings.Direction != GpioDirection.Output)
        {
            LastErrno = Broken ? 5 : 1;
            return false;
        }

        _electricalHigh = active ^ Settings.ActiveLow;
        LastErrno = 0;
        return true;
    }

    /// <inheritdoc />
    public bool TryReadEdge(out GpioEdgeEvent edge)
    {
        Settle(_clock());
        if (_count == 0 || Broken)
        {
            edge = default;
            return false;
        }

        edge = _queue[_head];
        _head = (_head + 1) % _queue.Length;
        _count--;
        return true;
    }

    /// <inheritdoc />
    /// <remarks>Virtual time cannot pass while blocking: returns at once whether an edge is pending.</remarks>
    public bool WaitForEdge(int timeoutMs)
    {
        Settle(_clock());
        return _count > 0;
    }

    /// <inheritdoc />
    public void Dispose() => IsDisposed = true;

    private void Settle(long nowNs)
    {
        long debounceNs = Settings.DebounceUs * 1000L;
        if (_pending && nowNs - _pendingSinceNs >= debounceNs)
        {
            _pending = false;
            Commit(_pendingHigh, _pendingSinceNs + debounceNs);
        }
    }

    private void Commit(bool high, long timeNs)
    {
        _electricalHigh = high;
        if (Settings.Direction != GpioDirection.Input)
        {
            return;
        }

        bool active = high ^ Settings.ActiveLow;
        bool report = Settings.Edges switch
        {
            GpioEdgeDetection.Both => true,
            GpioEdgeDetection.Rising => active,
            GpioEdgeDetection.Falling => !active,
            _ => false,
        };
        if (!report)
        {
            return;
        }

        _lineSequence++;
        if (_count == _queue.Length)
        {
            _head = (_head + 1) % _queue.Length;
            _count--;
            DroppedEdges++;
        }

        _queue[(_head + _count) % _queue.Length] = new GpioEdgeEvent(timeNs, active, _lineSequence);
        _count++;
    }
}
