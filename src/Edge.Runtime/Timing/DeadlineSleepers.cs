namespace Edge.Runtime.Timing;

/// <summary>Creates the sleeper a loop asks for, on the system clock.</summary>
public static class DeadlineSleepers
{
    /// <summary>Parses a command-line name: auto, timerfd, nanosleep, portable.</summary>
    public static bool TryParse(string text, out SleeperKind kind)
    {
        kind = text switch
        {
            "auto" => SleeperKind.Auto,
            "timerfd" => SleeperKind.TimerFd,
            "nanosleep" or "clock_nanosleep" => SleeperKind.Nanosleep,
            "portable" => SleeperKind.Portable,
            _ => (SleeperKind)(-1),
        };
        return kind >= 0;
    }

    /// <summary>
    /// Creates a sleeper on <see cref="MonotonicClock.Instance"/>. With <paramref name="spinTailNs"/> &gt; 0 it wakes
    /// that much early and spins the rest (<see cref="SpinTailSleeper"/>). Throws
    /// <see cref="PlatformNotSupportedException"/> when a Linux sleeper is asked for elsewhere.
    /// </summary>
    public static IDeadlineSleeper Create(SleeperKind kind, long spinTailNs = 0)
    {
        IDeadlineSleeper sleeper = kind switch
        {
            SleeperKind.TimerFd => new TimerFdSleeper(),
            SleeperKind.Nanosleep => new NanosleepSleeper(),
            SleeperKind.Portable => new PortableSleeper(MonotonicClock.Instance),
            _ when MonotonicClock.IsKernelMonotonic => new TimerFdSleeper(),
            _ => new PortableSleeper(MonotonicClock.Instance),
        };
        return spinTailNs > 0 ? new SpinTailSleeper(sleeper, spinTailNs) : sleeper;
    }
}
