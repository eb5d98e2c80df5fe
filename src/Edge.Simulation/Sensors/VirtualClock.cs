namespace Edge.Simulation.Sensors;

/// <summary>
/// A manually advanced monotonic clock in ns for simulations and tests on virtual time. Simulators take its
/// <see cref="Read"/> as their <c>Func&lt;long&gt;</c> time source, so any other clock (the runtime's) plugs in the same way.
/// Not thread-safe.
/// </summary>
public sealed class VirtualClock
{
    /// <summary>Creates a clock at <paramref name="startNs"/>.</summary>
    public VirtualClock(long startNs = 0) => NowNs = startNs;

    /// <summary>Current time, ns.</summary>
    public long NowNs { get; private set; }

    /// <summary>Current time, s.</summary>
    public double NowS => NowNs * 1e-9;

    /// <summary>The time source delegate (allocated once).</summary>
    public Func<long> Read => _read ??= () => NowNs;

    private Func<long>? _read;

    /// <summary>Moves the clock forward by <paramref name="ns"/> (≥ 0).</summary>
    public void Advance(long ns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ns);
        NowNs += ns;
    }

    /// <summary>Sets the clock to <paramref name="ns"/> (not backwards).</summary>
    public void Set(long ns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ns, NowNs);
        NowNs = ns;
    }
}
