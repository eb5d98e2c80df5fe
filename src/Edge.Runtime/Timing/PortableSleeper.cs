using Edge.Core.Timing;

namespace Edge.Runtime.Timing;

/// <summary>
/// Fallback for systems without the Linux timers: <see cref="Thread.Sleep(int)"/> for the coarse part (whole
/// milliseconds, stopping <see cref="SpinThresholdNs"/> short of the deadline, because a timer-tick sleep can
/// overshoot by a tick) and a spin on the clock for the tail. Accurate but burns a core for the tail.
/// </summary>
public sealed class PortableSleeper : IDeadlineSleeper
{
    /// <summary>Creates the sleeper on <paramref name="clock"/>.</summary>
    /// <param name="clock">Clock of the deadlines.</param>
    /// <param name="spinThresholdNs">How far before the deadline coarse sleeping stops and spinning starts.</param>
    public PortableSleeper(IMonotonicClock clock, long spinThresholdNs = 2_000_000)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfNegative(spinThresholdNs);
        Clock = clock;
        SpinThresholdNs = spinThresholdNs;
    }

    /// <inheritdoc />
    public string Name => "portable";

    /// <inheritdoc />
    public IMonotonicClock Clock { get; }

    /// <summary>Distance before the deadline below which the sleeper spins, ns.</summary>
    public long SpinThresholdNs { get; }

    /// <inheritdoc />
    public void SleepUntil(long deadlineNs)
    {
        while (true)
        {
            long remainingNs = deadlineNs - Clock.NowNs;
            if (remainingNs <= 0)
            {
                return;
            }

            long coarseNs = remainingNs - SpinThresholdNs;
            if (coarseNs >= 1_000_000)
            {
                Thread.Sleep((int)Math.Min(coarseNs / 1_000_000, int.MaxValue));
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
