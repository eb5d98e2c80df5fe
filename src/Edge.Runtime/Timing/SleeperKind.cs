namespace Edge.Runtime.Timing;

/// <summary>Which absolute-deadline sleeper the loop uses.</summary>
public enum SleeperKind
{
    /// <summary>The best available: <see cref="TimerFd"/> on Linux, else <see cref="Portable"/>.</summary>
    Auto = 0,
    /// <summary>Linux timerfd with TFD_TIMER_ABSTIME (<see cref="TimerFdSleeper"/>).</summary>
    TimerFd,
    /// <summary>Linux clock_nanosleep with TIMER_ABSTIME (<see cref="NanosleepSleeper"/>), as cyclictest.</summary>
    Nanosleep,
    /// <summary>Thread.Sleep plus a spinning tail (<see cref="PortableSleeper"/>).</summary>
    Portable,
}
