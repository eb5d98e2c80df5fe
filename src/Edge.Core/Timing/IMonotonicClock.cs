namespace Edge.Core.Timing;

/// <summary>
/// The one clock the loop, the controller and every worker read (docs/DESIGN.md §3: one injectable clock).
/// Monotonic, nanoseconds, arbitrary epoch. Reading it never allocates and never blocks.
/// </summary>
public interface IMonotonicClock
{
    /// <summary>Current time, ns since an arbitrary fixed epoch. Never goes backwards.</summary>
    long NowNs { get; }
}
