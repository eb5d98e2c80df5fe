using Edge.Runtime.Interop;
using Edge.Core.Timing;

namespace Edge.Runtime.Timing;

/// <summary>
/// Linux <c>timerfd</c> on CLOCK_MONOTONIC armed with TFD_TIMER_ABSTIME for each deadline, then a blocking
/// <c>read</c> of the expiry count. One-shot arming per cycle (rather than a periodic timer) lets the executive skip
/// ahead after a miss without the kernel queueing stale expirations. A deadline already past fires at once.
/// </summary>
public sealed unsafe class TimerFdSleeper : IDeadlineSleeper
{
    private int _fd;

    /// <summary>Creates the timer. Throws <see cref="PlatformNotSupportedException"/> off Linux and
    /// <see cref="InvalidOperationException"/> when the kernel refuses (with errno).</summary>
    public TimerFdSleeper()
    {
        if (!Libc.IsSupported)
        {
            throw new PlatformNotSupportedException("timerfd needs 64-bit Linux.");
        }

        _fd = Libc.TimerFdCreate(Libc.CLOCK_MONOTONIC, Libc.TFD_CLOEXEC);
        if (_fd < 0)
        {
            throw new InvalidOperationException($"timerfd_create(CLOCK_MONOTONIC) failed: {Libc.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
        }
    }

    /// <inheritdoc />
    public string Name => "timerfd";

    /// <inheritdoc />
    public IMonotonicClock Clock => MonotonicClock.Instance;

    /// <inheritdoc />
    public void SleepUntil(long deadlineNs)
    {
        int fd = _fd;
        if (fd < 0)
        {
            return;
        }

        Libc.Itimerspec spec = default;
        spec.Value = Libc.Timespec.FromNs(Math.Max(deadlineNs, 1)); // an all-zero value would disarm the timer
        if (Libc.TimerFdSetTime(fd, Libc.TFD_TIMER_ABSTIME, &spec, null) != 0)
        {
            NanosleepSleeper.SleepUntilAbsolute(deadlineNs);
            return;
        }

        ulong expirations;
        while (Libc.Read(fd, &expirations, sizeof(ulong)) < 0)
        {
            // EINTR (a signal, e.g. the runtime's activation signal) restarts the wait on the same absolute deadline;
            // anything else means the descriptor is unusable, so fall back rather than spin.
            if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Libc.EINTR)
            {
                NanosleepSleeper.SleepUntilAbsolute(deadlineNs);
                return;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
