using Edge.Core.Devices;

namespace Edge.Core.Fakes;

/// <summary>Test dummy for <see cref="IDigitalInput"/>: <see cref="Set"/> changes the level and queues an edge.</summary>
public sealed class FakeDigitalInput(string id, int edgeCapacity = 64) : IDigitalInput
{
    private readonly DigitalEdge[] _edges = new DigitalEdge[edgeCapacity];
    private int _head;
    private int _count;
    private uint _sequence;
    private bool _level;

    /// <inheritdoc />
    public string Id { get; } = id;

    /// <summary>When false, <see cref="TryRead"/> fails (a broken line).</summary>
    public bool Readable { get; set; } = true;

    /// <summary>Sets the level; a change queues an edge (the oldest is dropped when the queue is full).</summary>
    public void Set(bool active, long timestampNs = 0)
    {
        if (active == _level)
        {
            return;
        }

        _level = active;
        if (_count == _edges.Length)
        {
            _head = (_head + 1) % _edges.Length;
            _count--;
        }

        _edges[(_head + _count) % _edges.Length] = new DigitalEdge(timestampNs, active, ++_sequence);
        _count++;
    }

    /// <inheritdoc />
    public bool TryRead(out bool active)
    {
        active = _level;
        return Readable;
    }

    /// <inheritdoc />
    public bool TryTakeEdge(out DigitalEdge edge)
    {
        if (_count == 0)
        {
            edge = default;
            return false;
        }

        edge = _edges[_head];
        _head = (_head + 1) % _edges.Length;
        _count--;
        return true;
    }
}
