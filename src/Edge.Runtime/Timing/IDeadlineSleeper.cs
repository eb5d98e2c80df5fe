using Edge.Core.Timing;

namespace Edge.Runtime.Timing;

/// <summary>
/// Sleeps until an absolute deadline on <see cref="Clock"/>. Absolute deadlines do not drift: the next release is
/// always <c>previous + period</c>, whatever the wake-up lateness. One instance belongs to one thread (it may own a
/// kernel timer). <see cref="SleepUntil"/> allocates nothing and never throws once constructed.
/// </summary>
public interface IDeadlineSleeper : IDisposable
{
    /// <summary>Short name for reports ("timerfd", "clock_nanosleep", "portable", "virtual", "+spin").</summary>
    string Name { get; }

    /// <summary>The clock deadlines refer to.</summary>
    IMonotonicClock Clock { get; }

    /// <summary>
    /// Returns once <see cref="Clock"/> has reached <paramref name="deadlineNs"/> (at once when it already has).
    /// How much later than the deadline it returns is the wake-up lateness the loop measures.
    /// </summary>
    void SleepUntil(long deadlineNs);
}
