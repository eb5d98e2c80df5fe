using Edge.Runtime.Interop;
using Edge.Core.Timing;

namespace Edge.Runtime.Timing;

/// <summary>
/// <c>clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)</c> — exactly what cyclictest measures by default, so it is
/// the like-for-like comparison. One syscall per cycle; interrupted sleeps restart on the same absolute deadline.
/// </summary>
public sealed class NanosleepSleeper : IDeadlineSleeper
{
    /// <summary>Creates the sleeper. Throws <see cref="PlatformNotSupportedException"/> off 64-bit Linux.</summary>
    public NanosleepSleeper()
    {
        if (!Libc.IsSupported)
        {
            throw new PlatformNotSupportedException("clock_nanosleep needs 64-bit Linux.");
        }
    }

    /// <inheritdoc />
    public string Name => "clock_nanosleep";

    /// <inheritdoc />
    public IMonotonicClock Clock => MonotonicClock.Instance;

    /// <inheritdoc />
    public void SleepUntil(long deadlineNs) => SleepUntilAbsolute(deadlineNs);

    /// <summary>Sleeps until <paramref name="deadlineNs"/> on CLOCK_MONOTONIC (restarting on EINTR).</summary>
    internal static unsafe void SleepUntilAbsolute(long deadlineNs)
    {
        Libc.Timespec t = Libc.Timespec.FromNs(Math.Max(deadlineNs, 0));
        // clock_nanosleep returns the error number directly (it does not set errno).
        while (Libc.ClockNanosleep(Libc.CLOCK_MONOTONIC, Libc.TIMER_ABSTIME, &t, null) == Libc.EINTR)
        {
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
