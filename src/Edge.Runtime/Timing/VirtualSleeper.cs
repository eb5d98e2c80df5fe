using Edge.Core.Timing;

namespace Edge.Runtime.Timing;

/// <summary>
/// Deterministic sleeper for tests: "sleeping" moves a <see cref="VirtualClock"/> to the deadline, plus whatever
/// wake-up lateness the test injects through <see cref="Lateness"/> (e.g. a simulated VM stall).
/// </summary>
public sealed class VirtualSleeper : IDeadlineSleeper
{
    private readonly VirtualClock _clock;

    /// <summary>Creates a sleeper driving <paramref name="clock"/>.</summary>
    public VirtualSleeper(VirtualClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <inheritdoc />
    public string Name => "virtual";

    /// <inheritdoc />
    public IMonotonicClock Clock => _clock;

    /// <summary>Optional: extra lateness (ns ≥ 0) to add when waking for the given deadline.</summary>
    public Func<long, long>? Lateness { get; set; }

    /// <summary>Number of calls to <see cref="SleepUntil"/>.</summary>
    public long Sleeps { get; private set; }

    /// <inheritdoc />
    public void SleepUntil(long deadlineNs)
    {
        Sleeps++;
        long extraNs = Lateness?.Invoke(deadlineNs) ?? 0;
        if (_clock.NowNs < deadlineNs)
        {
            _clock.AdvanceTo(deadlineNs + Math.Max(0, extraNs));
        }
        else if (extraNs > 0)
        {
            _clock.Advance(extraNs);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
