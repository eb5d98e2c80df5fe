using Edge.Runtime.Scheduling;

namespace Edge.Runtime.Statistics;

/// <summary>
/// Everything the loop knows about its own timing, copied at one instant: a plain value the publisher, the metrics
/// and the bench copy and format at leisure. Produced by <see cref="LoopStatistics.Snapshot"/>.
/// </summary>
public readonly record struct LoopStatsSnapshot
{
    /// <summary>Loop period, ns.</summary>
    public long PeriodNs { get; init; }

    /// <summary>Counters (cycles, overruns, missed slots, faults, allocation).</summary>
    public LoopCounters Counters { get; init; }

    /// <summary>Wake-up lateness (actual wake − release), ns.</summary>
    public HistogramSummary Lateness { get; init; }

    /// <summary>Compute time of a whole cycle (wake to end of hand-off), ns.</summary>
    public HistogramSummary Compute { get; init; }

    /// <summary>Sample phase.</summary>
    public PhaseFigures Sample { get; init; }

    /// <summary>Decide phase.</summary>
    public PhaseFigures Decide { get; init; }

    /// <summary>Allocate phase.</summary>
    public PhaseFigures Allocate { get; init; }

    /// <summary>Actuate phase.</summary>
    public PhaseFigures Actuate { get; init; }

    /// <summary>Hand-off phase.</summary>
    public PhaseFigures HandOff { get; init; }

    /// <summary>The figures of <paramref name="phase"/>.</summary>
    public PhaseFigures Phase(LoopPhase phase) => phase switch
    {
        LoopPhase.Sample => Sample,
        LoopPhase.Decide => Decide,
        LoopPhase.Allocate => Allocate,
        LoopPhase.Actuate => Actuate,
        _ => HandOff,
    };

    /// <summary>Bytes allocated on the loop thread per cycle (0 when no cycle ran).</summary>
    public double AllocatedBytesPerCycle => Counters.Cycles == 0 ? 0 : (double)Counters.AllocatedBytes / Counters.Cycles;
}
