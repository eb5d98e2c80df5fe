namespace Edge.Tests.Shared;

/// <summary>
/// Steady-state allocation of a piece of work, measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> over
/// several passes of it rather than one. While a hot loop is promoted (tiered JIT, on-stack replacement) the runtime may
/// charge its own one-time bookkeeping — several KB; CI saw 7 704 B and 7 920 B — to the thread that runs the loop, so
/// a single measured pass of allocation-free code can fail on a loaded machine. That charge lands in at most one pass,
/// whereas a real allocation of the work itself recurs in every pass: the smallest per-pass figure is the work's own.
/// The measurement itself allocates nothing (no LINQ, no collections; invoking a delegate does not allocate): create the
/// <see cref="Action"/> before the call, and work that allocates nothing measures 0 B.
/// </summary>
internal static class SteadyAllocations
{
    /// <summary>
    /// Runs <paramref name="pass"/> <paramref name="passes"/> times and returns the fewest bytes this thread allocated in
    /// any one run. Each pass should be the same kind of work (state it advances, such as a clock, may differ).
    /// </summary>
    /// <param name="pass">The work measured.</param>
    /// <param name="passes">How many times it runs (at least 1).</param>
    /// <param name="prepare">
    /// Optional, run before each pass and not measured (it may allocate): what makes every pass the same kind of work,
    /// e.g. refilling what a pass consumes, or this thread's work that is not the subject of the test.
    /// </param>
    public static long PerPassMinimum(Action pass, int passes = 3, Action? prepare = null)
    {
        ArgumentNullException.ThrowIfNull(pass);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        long minimum = long.MaxValue;
        for (int i = 0; i < passes; i++)
        {
            prepare?.Invoke();
            long before = GC.GetAllocatedBytesForCurrentThread();
            pass();
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (bytes < minimum)
            {
                minimum = bytes;
            }
        }

        return minimum;
    }
}
