using Edge.Core.Timing;

namespace Edge.Runtime.Timing;

/// <summary>
/// Wraps another sleeper: wakes <see cref="TailNs"/> early through it, then spins on the clock to the deadline.
/// Trades CPU (the tail is busy) for less wake-up lateness (the kernel's wake-up jitter is absorbed by the tail).
/// </summary>
public sealed class SpinTailSleeper : IDeadlineSleeper
{
    private readonly IDeadlineSleeper _inner;

    /// <summary>Creates the wrapper; it owns <paramref name="inner"/>.</summary>
    public SpinTailSleeper(IDeadlineSleeper inner, long tailNs)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(tailNs);
        _inner = inner;
        TailNs = tailNs;
    }

    /// <inheritdoc />
    public string Name => $"{_inner.Name}+spin";

    /// <inheritdoc />
    public IMonotonicClock Clock => _inner.Clock;

    /// <summary>How early the inner sleeper wakes, ns.</summary>
    public long TailNs { get; }

    /// <inheritdoc />
    public void SleepUntil(long deadlineNs)
    {
        IMonotonicClock clock = _inner.Clock;
        if (deadlineNs - clock.NowNs > TailNs)
        {
            _inner.SleepUntil(deadlineNs - TailNs);
        }

        while (clock.NowNs < deadlineNs)
        {
            Thread.SpinWait(1);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _inner.Dispose();
}
