namespace Edge.Runtime.Handoff;

/// <summary>
/// A single-writer / single-reader "latest value" cell (docs/DESIGN.md §3): a device I/O worker or slow sensor sampler
/// writes whenever it has something new; the loop reads the newest value with its sequence number and timestamp
/// (so it knows its age) without ever waiting. Older values are simply overwritten. Both sides are wait-free and
/// allocation-free: a triple buffer.
/// <para>
/// How it works. Three slots. The writer owns one (<c>_back</c>), the reader owns one (<c>_front</c>), and the third
/// is parked in <c>_middle</c> together with a "fresh" bit. The writer fills its back slot completely, then swaps it
/// into the middle with <see cref="Interlocked.Exchange(ref int, int)"/> (setting fresh) and takes the old middle as
/// its next back slot. The reader, when it sees fresh, swaps its front slot into the middle (clearing fresh) and takes
/// the freshest slot as its new front. Neither side can ever touch the slot the other owns, so values never tear and
/// no side retries or spins — important because the reader is a SCHED_FIFO thread that may share a CPU with the
/// writer: a seqlock reader spinning on a preempted writer would never let it finish.
/// </para>
/// <para>
/// Memory ordering. <see cref="Interlocked.Exchange(ref int, int)"/> is a full fence on every platform .NET runs on:
/// the writer's stores into the slot complete before the slot index becomes visible in <c>_middle</c>, and the
/// reader's loads from its old front complete before it hands that slot back. The reader's first check of
/// <c>_middle</c> is an acquire load; only the reader clears the fresh bit, so a fresh bit it has seen cannot vanish
/// before its own exchange.
/// </para>
/// </summary>
/// <typeparam name="T">The value; unmanaged so a copy is plain memory.</typeparam>
public sealed class LatestValueMailbox<T>
    where T : unmanaged
{
    private const int Fresh = 4;
    private const int IndexMask = 3;

    private readonly Slot[] _slots = new Slot[3];
    private int _middle = 1;
    private int _back;      // writer-owned
    private int _front = 2; // reader-owned
    private long _writes;   // writer-owned

    /// <summary>Number of values written so far (any thread may read).</summary>
    public long Writes => Volatile.Read(ref _writes);

    /// <summary>Writer: stores <paramref name="value"/> stamped with <paramref name="timestampNs"/>. Never blocks.</summary>
    public void Write(in T value, long timestampNs)
    {
        ref Slot slot = ref _slots[_back];
        slot.Value = value;
        slot.TimestampNs = timestampNs;
        slot.Sequence = _writes + 1;
        _back = Interlocked.Exchange(ref _middle, _back | Fresh) & IndexMask; // full fence: slot complete first
        Volatile.Write(ref _writes, _writes + 1);
    }

    /// <summary>
    /// Reader: the newest value, its sequence number (1 for the first write, +1 per write) and its timestamp.
    /// Returns false only when nothing was ever written. Never blocks.
    /// </summary>
    public bool TryRead(out T value, out long sequence, out long timestampNs)
    {
        if ((Volatile.Read(ref _middle) & Fresh) != 0)
        {
            _front = Interlocked.Exchange(ref _middle, _front) & IndexMask; // full fence: done with old front first
        }

        ref readonly Slot slot = ref _slots[_front];
        value = slot.Value;
        sequence = slot.Sequence;
        timestampNs = slot.TimestampNs;
        return sequence != 0;
    }

    /// <summary>Reader: like <see cref="TryRead"/>, but true only when the value is newer than <paramref name="lastSequence"/> (which it then advances).</summary>
    public bool TryReadNewer(ref long lastSequence, out T value, out long timestampNs)
    {
        if (TryRead(out value, out long sequence, out timestampNs) && sequence > lastSequence)
        {
            lastSequence = sequence;
            return true;
        }

        return false;
    }

    private struct Slot
    {
        public T Value;
        public long Sequence;
        public long TimestampNs;
    }
}
