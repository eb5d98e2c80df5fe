using Edge.Mqtt.Publishing;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>
/// A minimal single-producer/single-consumer ring standing in for the runtime's hand-off ring (which lives in
/// Edge.Runtime, on another branch). Full → the record is dropped and counted, as docs/DESIGN.md §3 says.
/// </summary>
internal sealed class TestRing(int capacity) : ICycleSource
{
    private readonly CycleRecord[] _slots = new CycleRecord[capacity];
    private long _head;
    private long _tail;

    public long Dropped { get; private set; }

    public bool TryEnqueue(in CycleRecord r)
    {
        long tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _slots.Length)
        {
            Dropped++;
            return false;
        }

        _slots[tail % _slots.Length] = r;
        Volatile.Write(ref _tail, tail + 1);
        return true;
    }

    public bool TryDequeue(out CycleRecord record)
    {
        long head = _head;
        if (head == Volatile.Read(ref _tail))
        {
            record = default;
            return false;
        }

        record = _slots[head % _slots.Length];
        Volatile.Write(ref _head, head + 1);
        return true;
    }
}
