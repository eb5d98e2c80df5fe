using System.Diagnostics;
using Edge.Runtime.Interop;
using Edge.Core.Timing;

namespace Edge.Runtime.Timing;

/// <summary>
/// The system's monotonic clock: <c>clock_gettime(CLOCK_MONOTONIC)</c> on Linux (a vDSO call, no syscall), so its
/// values are the time base of <see cref="TimerFdSleeper"/> and <see cref="NanosleepSleeper"/> absolute deadlines
/// and of cyclictest. Elsewhere it falls back to <see cref="Stopwatch"/> (also monotonic).
/// </summary>
public sealed class MonotonicClock : IMonotonicClock
{
    private static readonly double StopwatchToNs = 1e9 / Stopwatch.Frequency;

    private MonotonicClock()
    {
    }

    /// <summary>The process-wide instance.</summary>
    public static MonotonicClock Instance { get; } = new();

    /// <summary>True when <see cref="NowNs"/> is CLOCK_MONOTONIC (the kernel timers' time base).</summary>
    public static bool IsKernelMonotonic => Libc.IsSupported;

    /// <inheritdoc />
    public long NowNs => Read();

    /// <summary>Reads the clock (static form of <see cref="NowNs"/>).</summary>
    public static unsafe long Read()
    {
        if (Libc.IsSupported)
        {
            Libc.Timespec t;
            _ = Libc.ClockGetTime(Libc.CLOCK_MONOTONIC, &t);
            return t.ToNs();
        }

        return (long)(Stopwatch.GetTimestamp() * StopwatchToNs);
    }
}
