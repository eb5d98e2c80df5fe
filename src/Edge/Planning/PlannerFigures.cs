namespace Edge.Planning;

/// <summary>
/// The planner's figures after its last round (the state message's <c>planner</c> section and the log at stop): how many
/// plans, how many were not made (no optimum, figures unknown, no fresh samples), how long the solves took, what a round
/// allocated, and what the forecast found.
/// </summary>
public readonly record struct PlannerFigures
{
    /// <summary>Plans handed to the loop.</summary>
    public long Plans { get; init; }

    /// <summary>Rounds that handed over nothing (not optimal, an input unknown, no new samples, an error).</summary>
    public long Skipped { get; init; }

    /// <summary>Of the skipped rounds, those whose programme was not solved to optimality.</summary>
    public long NotOptimal { get; init; }

    /// <summary>Solve time, median, ms.</summary>
    public double SolveP50Ms { get; init; }

    /// <summary>Solve time, 99th percentile, ms.</summary>
    public double SolveP99Ms { get; init; }

    /// <summary>Solve time, largest, ms.</summary>
    public double SolveMaxMs { get; init; }

    /// <summary>Managed bytes the last round allocated (forecast and solve).</summary>
    public long RoundAllocatedBytes { get; init; }

    /// <summary>Managed bytes per round since the planner started.</summary>
    public double MeanRoundAllocatedBytes { get; init; }

    /// <summary>The forecast's strongest period, s (NaN: none found).</summary>
    public double PeriodS { get; init; }

    /// <summary>The forecast's confidence in its periodic prediction (0–1).</summary>
    public double Confidence { get; init; }

    /// <summary>The phase predictor's weight in the forecast, by measured skill (0–1; the periodic prediction has the rest).</summary>
    public double PhaseWeight { get; init; }

    /// <summary>Phase announcements pending in the forecast.</summary>
    public int Announcements { get; init; }

    /// <summary>Samples the hand-off to the planner dropped (its ring was full).</summary>
    public long SamplesDropped { get; init; }
}
