namespace Edge.Core.Timing;

/// <summary>
/// A clock that moves only when told to: schedulers, controllers and watchdog gates are tested on it
/// deterministically. Thread-safe (reads and writes are atomic 64-bit operations); it never goes backwards.
/// </summary>
public sealed class VirtualClock : IMonotonicClock
{
    private long _nowNs;

    /// <summary>Creates the clock at <paramref name="startNs"/>.</summary>
    public VirtualClock(long startNs = 0) => _nowNs = startNs;

    /// <inheritdoc />
    public long NowNs => Volatile.Read(ref _nowNs);

    /// <summary>Now, in seconds.</summary>
    public double NowS => NowNs * 1e-9;

    /// <summary>The clock as a function (for components that take a <c>Func&lt;long&gt;</c> clock). Cached: no allocation per call.</summary>
    public Func<long> Read => _read ??= () => NowNs;

    private Func<long>? _read;

    /// <summary>Sets the clock to <paramref name="ns"/>, which must not be earlier than now.</summary>
    public void Set(long ns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ns, NowNs);
        AdvanceTo(ns);
    }

    /// <summary>Moves the clock forward by <paramref name="ns"/> (≥ 0).</summary>
    public void Advance(long ns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ns);
        Interlocked.Add(ref _nowNs, ns);
    }

    /// <summary>Moves the clock to <paramref name="ns"/> if that is later than now (it never goes backwards).</summary>
    public void AdvanceTo(long ns)
    {
        long seen = Volatile.Read(ref _nowNs);
        while (ns > seen)
        {
            long previous = Interlocked.CompareExchange(ref _nowNs, ns, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
