namespace Edge.Modbus.Threading;

/// <summary>
/// A latest-value cell for one writer thread and any number of reader threads (a sequence lock): the writer never
/// waits, a reader retries while a write is in progress and never sees a torn value. Lock-free, allocation-free.
/// </summary>
/// <typeparam name="T">An unmanaged value type (copied whole).</typeparam>
public sealed class SeqLockValue<T>
    where T : unmanaged
{
    private int _sequence;
    private T _value;

    /// <summary>Number of values published so far.</summary>
    public int Version => Volatile.Read(ref _sequence) >> 1;

    /// <summary>Publishes <paramref name="value"/>. Single writer only.</summary>
    public void Write(in T value)
    {
        int s = _sequence;
        Volatile.Write(ref _sequence, s + 1); // odd: write in progress
        Interlocked.MemoryBarrier();
        _value = value;
        Volatile.Write(ref _sequence, s + 2);
    }

    /// <summary>Reads the latest value; returns false when nothing was ever written.</summary>
    public bool TryRead(out T value) => TryRead(out value, out _);

    /// <summary>Reads the latest value and the <see cref="Version"/> it was published as; false when nothing was ever written.</summary>
    public bool TryRead(out T value, out int version)
    {
        while (true)
        {
            int before = Volatile.Read(ref _sequence);
            if ((before & 1) != 0)
            {
                Thread.SpinWait(1);
                continue;
            }

            value = _value;
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _sequence) == before)
            {
                version = before >> 1;
                return before != 0;
            }
        }
    }
}
