namespace Edge.Planning;

/// <summary>Which limits the grid programme is solved under (docs/planner.md §4 and §5).</summary>
public enum ProgrammeLimits
{
    /// <summary>
    /// The planner's: the ramp derated to 0.9 of the limit and the grid's second difference bounded (the band's linear
    /// proxy) — margins a plan needs so that the inner loop can track it and the band stays quiet.
    /// </summary>
    Planner,

    /// <summary>
    /// The site's own limits and nothing more: the ramp limit itself and no curvature bound (the row stays in the
    /// programme but cannot bind). What the clairvoyant bound of <c>edge replay --bound</c> is solved under, so that it
    /// is a lower bound for any controller held to the same power, energy and ramp limits.
    /// </summary>
    Physical,
}
