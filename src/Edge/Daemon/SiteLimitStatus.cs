namespace Edge.Daemon;

/// <summary>What a site limit is doing (published in state as <c>site_limit.state</c>).</summary>
internal enum SiteLimitPhase : byte
{
    /// <summary>No site limit was ever requested.</summary>
    None,

    /// <summary>Accepted, starts later.</summary>
    Scheduled,

    /// <summary>In force.</summary>
    Active,

    /// <summary>Its duration ended; the cap was restored.</summary>
    Done,

    /// <summary>Cancelled by an operator.</summary>
    Cancelled,
}

/// <summary>The site limit's progress and compliance, written by the loop every period, read by the publisher.</summary>
internal struct SiteLimitStatus
{
    public SiteLimitPhase Phase;
    public double FromW;
    public double TargetW;
    public double RampWPerS;
    public double ReachS;
    public double DurationS;

    /// <summary>Seconds since it started (negative: until it starts).</summary>
    public double ElapsedS;

    /// <summary>The grid power this period (site meter, or load − battery), W.</summary>
    public double GridW;

    /// <summary>The controller's grid target this period, W.</summary>
    public double GridTargetW;

    /// <summary>Grid at or below the limit (within the tolerance) this period, once the reach time has passed.</summary>
    public bool Compliant;

    /// <summary>Seconds over the limit after the reach time.</summary>
    public double OverS;

    /// <summary>Largest excess over the limit after the reach time, W.</summary>
    public double MaxOverW;

    /// <summary>The grant said the battery and levers can hold it.</summary>
    public bool Feasible;

    /// <summary>
    /// How far below the limit the controller's cap is held because the site meter read over it (the compliance loop
    /// closed on the meter), W; 0 while the meter agrees with the controller's own arithmetic.
    /// </summary>
    public double MeterCorrectionW;
}
