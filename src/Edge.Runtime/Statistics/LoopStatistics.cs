using Edge.Runtime.Scheduling;

namespace Edge.Runtime.Statistics;

/// <summary>
/// Deadline statistics of one loop, kept without allocation: wake-up lateness, whole-cycle and per-phase compute
/// time as <see cref="LatencyHistogram"/>s, plus counters. The loop thread is the only writer (the executive calls
/// the <c>internal</c> recording members); any thread reads through <see cref="ReadCounters"/> and
/// <see cref="Snapshot"/>. Every counter is a 64-bit field written with <c>Volatile.Write</c>,
/// so readers see whole values, never torn ones, and never go backwards between resets.
/// </summary>
public sealed class LoopStatistics
{
    private readonly LatencyHistogram[] _phases = new LatencyHistogram[LoopPhases.Count];
    private readonly long[] _phaseBudgetNs = new long[LoopPhases.Count];
    private readonly long[] _phaseOverruns = new long[LoopPhases.Count];
    private long _cycles;
    private long _overruns;
    private long _missedSlots;
    private long _lateWakeups;
    private long _budgetOverruns;
    private long _consecutiveMisses;
    private long _maxConsecutiveMisses;
    private long _deadlineFaults;
    private int _faultActive;
    private long _allocatedBytes;
    private long _lastCycleEndNs;

    /// <summary>Creates empty statistics for a loop with the given period and phase budgets.</summary>
    public LoopStatistics(long periodNs, ReadOnlySpan<long> phaseBudgetsNs)
    {
        PeriodNs = periodNs;
        for (int i = 0; i < LoopPhases.Count; i++)
        {
            _phases[i] = new LatencyHistogram();
            _phaseBudgetNs[i] = i < phaseBudgetsNs.Length ? phaseBudgetsNs[i] : long.MaxValue;
        }
    }

    /// <summary>Loop period, ns.</summary>
    public long PeriodNs { get; }

    /// <summary>Wake-up lateness histogram (read-only use outside the loop thread).</summary>
    public LatencyHistogram Lateness { get; } = new();

    /// <summary>Whole-cycle compute histogram (read-only use outside the loop thread).</summary>
    public LatencyHistogram Compute { get; } = new();

    /// <summary>Compute histogram of one phase (read-only use outside the loop thread).</summary>
    public LatencyHistogram Phase(LoopPhase phase) => _phases[(int)phase];

    /// <summary>Budget of one phase, ns.</summary>
    public long PhaseBudgetNs(LoopPhase phase) => _phaseBudgetNs[(int)phase];

    /// <summary>Times a phase exceeded its budget.</summary>
    public long PhaseBudgetOverruns(LoopPhase phase) => Volatile.Read(ref _phaseOverruns[(int)phase]);

    /// <summary>Reads the counters (any thread, allocation-free, no histogram scan).</summary>
    public LoopCounters ReadCounters() => new(
        Volatile.Read(ref _cycles),
        Volatile.Read(ref _overruns),
        Volatile.Read(ref _missedSlots),
        Volatile.Read(ref _lateWakeups),
        Volatile.Read(ref _budgetOverruns),
        Volatile.Read(ref _consecutiveMisses),
        Volatile.Read(ref _maxConsecutiveMisses),
        Volatile.Read(ref _deadlineFaults),
        Volatile.Read(ref _faultActive) != 0,
        Volatile.Read(ref _allocatedBytes),
        Volatile.Read(ref _lastCycleEndNs));

    /// <summary>Copies everything, with percentiles (any thread; scans the histograms, a few µs; allocation-free).</summary>
    public LoopStatsSnapshot Snapshot() => new()
    {
        PeriodNs = PeriodNs,
        Counters = ReadCounters(),
        Lateness = Lateness.Summarize(),
        Compute = Compute.Summarize(),
        Sample = Figures(LoopPhase.Sample),
        Decide = Figures(LoopPhase.Decide),
        Allocate = Figures(LoopPhase.Allocate),
        Actuate = Figures(LoopPhase.Actuate),
        HandOff = Figures(LoopPhase.HandOff),
    };

    private PhaseFigures Figures(LoopPhase phase) =>
        new(_phases[(int)phase].Summarize(), _phaseBudgetNs[(int)phase], PhaseBudgetOverruns(phase));

    // ---- Writer side: loop thread only. ----

    internal void RecordPhase(int phase, long computeNs)
    {
        _phases[phase].Record(computeNs);
        if (computeNs > _phaseBudgetNs[phase])
        {
            Volatile.Write(ref _phaseOverruns[phase], _phaseOverruns[phase] + 1);
            Volatile.Write(ref _budgetOverruns, _budgetOverruns + 1);
        }
    }

    internal void RecordCycle(long latenessNs, long computeNs, long endNs, bool overran, long skippedSlots, long allocatedBytes)
    {
        Lateness.Record(latenessNs);
        Compute.Record(computeNs);
        if (latenessNs >= PeriodNs)
        {
            Volatile.Write(ref _lateWakeups, _lateWakeups + 1);
        }

        if (overran)
        {
            Volatile.Write(ref _overruns, _overruns + 1);
            Volatile.Write(ref _missedSlots, _missedSlots + skippedSlots);
            Volatile.Write(ref _consecutiveMisses, _consecutiveMisses + 1);
            if (_consecutiveMisses > _maxConsecutiveMisses)
            {
                Volatile.Write(ref _maxConsecutiveMisses, _consecutiveMisses);
            }
        }
        else
        {
            Volatile.Write(ref _consecutiveMisses, 0);
        }

        Volatile.Write(ref _allocatedBytes, allocatedBytes);
        Volatile.Write(ref _lastCycleEndNs, endNs);
        Volatile.Write(ref _cycles, _cycles + 1); // last: readers that see the cycle see its figures
    }

    internal void SetFault(bool active)
    {
        if (active)
        {
            Volatile.Write(ref _deadlineFaults, _deadlineFaults + 1);
        }

        Volatile.Write(ref _faultActive, active ? 1 : 0);
    }

    internal void Reset()
    {
        Lateness.Reset();
        Compute.Reset();
        for (int i = 0; i < LoopPhases.Count; i++)
        {
            _phases[i].Reset();
            Volatile.Write(ref _phaseOverruns[i], 0);
        }

        Volatile.Write(ref _cycles, 0);
        Volatile.Write(ref _overruns, 0);
        Volatile.Write(ref _missedSlots, 0);
        Volatile.Write(ref _lateWakeups, 0);
        Volatile.Write(ref _budgetOverruns, 0);
        Volatile.Write(ref _maxConsecutiveMisses, _consecutiveMisses);
        Volatile.Write(ref _deadlineFaults, 0);
        Volatile.Write(ref _allocatedBytes, 0);
    }
}
