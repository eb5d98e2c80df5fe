using System.Numerics;
using System.Runtime.CompilerServices;

namespace Edge.Runtime.Handoff;

/// <summary>
/// A bounded single-producer / single-consumer ring (docs/DESIGN.md §3, hand-off). The producer never blocks and never waits:
/// when the ring is full the new item is dropped and counted (<see cref="Dropped"/>). Allocation-free after
/// construction. Slots are either plain values (<see cref="TryWrite"/>/<see cref="TryRead"/>) or preallocated
/// objects filled in place (<see cref="TryClaim"/>/<see cref="Publish"/>, <see cref="TryPeek"/>/<see cref="Release"/>)
/// — the second form hands large snapshots over without allocating or copying twice.
/// <para>
/// Memory ordering. <c>_tail</c> (next slot to write) is written only by the producer, <c>_head</c> (next slot to
/// read) only by the consumer; both only grow (64-bit, never wrap in practice). Each side publishes its index with a
/// release store (<c>Volatile.Write</c>) AFTER it is done with the slot, and reads the other's
/// index with an acquire load (<c>Volatile.Read</c>) BEFORE touching a slot:
/// </para>
/// <list type="bullet">
/// <item>producer: fill slot[tail] → release-store tail+1. Consumer: acquire-load tail → read slot. The acquire pairs
/// with the release, so the consumer sees every byte the producer wrote into the slot (also on ARM).</item>
/// <item>consumer: read slot[head] → release-store head+1. Producer: acquire-load head → overwrite that slot. So the
/// producer never overwrites a slot the consumer is still reading.</item>
/// </list>
/// Each side caches the other's last seen index and re-reads it only when the cache says full (producer) or empty
/// (consumer), so the shared cache lines move between cores only when needed. The indices sit on separate padded
/// cache lines. Exactly one producer thread and one consumer thread; for more, use one ring per pair.
/// </summary>
/// <typeparam name="T">Slot type.</typeparam>
public sealed class SpscRing<T>
{
    private readonly T[] _slots;
    private readonly long _mask;
    private PaddedLong _head;        // consumer-owned
    private PaddedLong _tail;        // producer-owned
    private PaddedLong _cachedHead;  // producer's copy of _head
    private PaddedLong _cachedTail;  // consumer's copy of _tail
    private PaddedLong _dropped;     // producer-owned
    private bool _claimed;           // producer-owned
    private bool _peeked;            // consumer-owned

    /// <summary>Creates a ring of at least <paramref name="capacity"/> slots (rounded up to a power of two).</summary>
    /// <param name="capacity">Minimum number of slots (≥ 2).</param>
    /// <param name="slotFactory">Creates each slot's object once (for in-place filling); null leaves default values.</param>
    public SpscRing(int capacity, Func<T>? slotFactory = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 30);
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new T[size];
        _mask = size - 1;
        if (slotFactory is not null)
        {
            for (int i = 0; i < size; i++)
            {
                _slots[i] = slotFactory();
            }
        }
    }

    /// <summary>Number of slots.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Items dropped because the ring was full (any thread may read).</summary>
    public long Dropped => Volatile.Read(ref _dropped.Value);

    /// <summary>Items published so far (any thread may read).</summary>
    public long Published => Volatile.Read(ref _tail.Value);

    /// <summary>Items taken so far (any thread may read).</summary>
    public long Consumed => Volatile.Read(ref _head.Value);

    /// <summary>Approximate number of items waiting (any thread; exact from either end's own thread).</summary>
    public int Count => (int)Math.Max(0, Published - Consumed);

    // ---------------- producer ----------------

    /// <summary>
    /// Producer: copies <paramref name="item"/> into the next slot and publishes it. Returns false (and counts a
    /// drop) when the ring is full. Never blocks.
    /// </summary>
    public bool TryWrite(in T item)
    {
        ref T slot = ref TryClaim();
        if (Unsafe.IsNullRef(ref slot))
        {
            return false;
        }

        slot = item;
        Publish();
        return true;
    }

    /// <summary>
    /// Producer: returns a reference to the next free slot to fill in place, or a null reference
    /// (<see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>) when the ring is full — the item is then dropped and counted.
    /// Call <see cref="Publish"/> when the slot is filled.
    /// </summary>
    public ref T TryClaim()
    {
        long tail = _tail.Value;
        if (tail - _cachedHead.Value >= _slots.Length)
        {
            _cachedHead.Value = Volatile.Read(ref _head.Value); // acquire: the consumer is done with slots below head
            if (tail - _cachedHead.Value >= _slots.Length)
            {
                Volatile.Write(ref _dropped.Value, _dropped.Value + 1);
                _claimed = false;
                return ref Unsafe.NullRef<T>();
            }
        }

        _claimed = true;
        return ref _slots[tail & _mask];
    }

    /// <summary>Producer: publishes the slot returned by the last successful <see cref="TryClaim"/>.</summary>
    public void Publish()
    {
        if (!_claimed)
        {
            return;
        }

        _claimed = false;
        Volatile.Write(ref _tail.Value, _tail.Value + 1); // release: the slot's contents are visible before the index
    }

    // ---------------- consumer ----------------

    /// <summary>Consumer: copies the oldest item out and frees its slot. Returns false when empty.</summary>
    public bool TryRead(out T item)
    {
        ref T slot = ref TryPeek();
        if (Unsafe.IsNullRef(ref slot))
        {
            item = default!;
            return false;
        }

        item = slot;
        Release();
        return true;
    }

    /// <summary>
    /// Consumer: returns a reference to the oldest item, or a null reference when the ring is empty. The slot stays
    /// the consumer's until <see cref="Release"/>.
    /// </summary>
    public ref T TryPeek()
    {
        long head = _head.Value;
        if (head >= _cachedTail.Value)
        {
            _cachedTail.Value = Volatile.Read(ref _tail.Value); // acquire: pairs with Publish's release
            if (head >= _cachedTail.Value)
            {
                _peeked = false;
                return ref Unsafe.NullRef<T>();
            }
        }

        _peeked = true;
        return ref _slots[head & _mask];
    }

    /// <summary>Consumer: frees the slot returned by the last successful <see cref="TryPeek"/>.</summary>
    public void Release()
    {
        if (!_peeked)
        {
            return;
        }

        _peeked = false;
        Volatile.Write(ref _head.Value, _head.Value + 1); // release: done reading before the producer may reuse it
    }
}
