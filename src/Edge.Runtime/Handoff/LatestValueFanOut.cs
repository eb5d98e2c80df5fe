namespace Edge.Runtime.Handoff;

/// <summary>
/// A latest value for a fixed number of readers on different threads. A <see cref="LatestValueMailbox{T}"/> has exactly
/// one reader (its triple buffer gives the reader a slot of its own; a second reader would take the same slots and
/// could read one the writer is filling); this holds one mailbox per reader, all written by the one writer in
/// <see cref="Write"/>. Each reader reads only its own <see cref="Reader"/>. Wait-free and allocation-free.
/// </summary>
/// <typeparam name="T">The value; unmanaged so a copy is plain memory.</typeparam>
public sealed class LatestValueFanOut<T>
    where T : unmanaged
{
    private readonly LatestValueMailbox<T>[] _readers;

    /// <summary>Creates the cell for <paramref name="readers"/> readers (1–8).</summary>
    public LatestValueFanOut(int readers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(readers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(readers, 8);
        _readers = new LatestValueMailbox<T>[readers];
        for (int i = 0; i < readers; i++)
        {
            _readers[i] = new LatestValueMailbox<T>();
        }
    }

    /// <summary>Number of readers.</summary>
    public int Readers => _readers.Length;

    /// <summary>Publishes <paramref name="value"/> to every reader (writer thread only).</summary>
    public void Write(in T value, long timestampNs)
    {
        foreach (LatestValueMailbox<T> m in _readers)
        {
            m.Write(value, timestampNs);
        }
    }

    /// <summary>Reader <paramref name="index"/>'s own mailbox: read it from that reader's thread only.</summary>
    public LatestValueMailbox<T> Reader(int index) => _readers[index];
}
