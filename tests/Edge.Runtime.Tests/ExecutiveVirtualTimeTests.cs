using Edge.Runtime.Scheduling;
using Edge.Runtime.Statistics;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Tests;

public sealed class ExecutiveVirtualTimeTests
{
    private const long PeriodNs = 1_000_000; // 1 ms
    private const long StartNs = 5_000_000_000;

    private static (CyclicExecutive Exec, ScriptedCycle Cycle, VirtualClock Clock, VirtualSleeper Sleeper) Create(
        int faultAfter = 3, int clearAfter = 4, Action<LoopOptions>? configure = null)
    {
        var clock = new VirtualClock(StartNs);
        var sleeper = new VirtualSleeper(clock);
        var cycle = new ScriptedCycle(clock);
        var options = new LoopOptions { PeriodMs = 1, FaultAfterConsecutiveMisses = faultAfter, FaultClearAfterCycles = clearAfter };
        configure?.Invoke(options);
        return (new CyclicExecutive(cycle, options, sleeper), cycle, clock, sleeper);
    }

    [Fact]
    public void On_time_cycles_are_released_on_the_absolute_grid_without_drift()
    {
        var (exec, cycle, _, _) = Create();
        cycle.ComputeNs = (_, _) => 37_000; // 5 × 37 µs per cycle

        Assert.Equal(100, exec.RunCycles(100));

        for (int k = 0; k < 100; k++)
        {
            Assert.Equal(StartNs + ((k + 1) * PeriodNs), cycle.Cycles[k].ReleaseNs);
            Assert.Equal(0, cycle.Cycles[k].LatenessNs);
            Assert.Equal(0, cycle.Cycles[k].SkippedSlots);
        }

        LoopCounters c = exec.Statistics.ReadCounters();
        Assert.Equal(100, c.Cycles);
        Assert.Equal(0, c.Overruns);
        Assert.Equal(0, c.MissedSlots);
        Assert.Equal(185_000, exec.Statistics.Compute.MaxNs);
    }

    [Fact]
    public void An_overrun_is_counted_and_the_schedule_skips_ahead_without_catch_up_cycles()
    {
        var (exec, cycle, _, _) = Create();
        // Cycle 3 computes 2.5 periods in its decide phase.
        cycle.ComputeNs = (seq, phase) => seq == 3 && phase == LoopPhase.Decide ? 2_500_000 : 10_000;

        exec.RunCycles(8);

        long release3 = cycle.Cycles[3].ReleaseNs;
        // Ended at release3 + 2.5 P (+40 µs): releases +1 P and +2 P have passed unused; next is +3 P.
        Assert.Equal(release3 + (3 * PeriodNs), cycle.Cycles[4].ReleaseNs);
        Assert.Equal(2, cycle.Cycles[4].SkippedSlots);
        Assert.Equal(0, cycle.Cycles[4].LatenessNs);
        // Back on the original grid afterwards, one cycle per period (no burst).
        for (int k = 5; k < 8; k++)
        {
            Assert.Equal(cycle.Cycles[k - 1].ReleaseNs + PeriodNs, cycle.Cycles[k].ReleaseNs);
            Assert.Equal(0, (cycle.Cycles[k].ReleaseNs - StartNs) % PeriodNs);
        }

        LoopCounters c = exec.Statistics.ReadCounters();
        Assert.Equal(1, c.Overruns);
        Assert.Equal(2, c.MissedSlots);
        Assert.Equal(0, c.LateWakeups);
        Assert.Equal(1, c.MaxConsecutiveMisses);
        Assert.False(c.FaultActive);
        Assert.Empty(cycle.FaultEvents);
    }

    [Fact]
    public void Every_overrun_is_published_with_its_cause()
    {
        var (exec, cycle, _, sleeper) = Create();
        sleeper.Lateness = deadline => deadline == StartNs + (2 * PeriodNs) ? 3_000_000 : 0; // stall before cycle 1
        cycle.ComputeNs = (seq, phase) => seq == 6 && phase == LoopPhase.Allocate ? 1_700_000 : 1_000;

        exec.RunCycles(10);

        Assert.True(exec.OverrunEvents.TryRead(out OverrunEvent stall));
        Assert.Equal(1, stall.Sequence);
        Assert.Equal(3_000_000, stall.LatenessNs);
        Assert.Equal(5_000, stall.ComputeNs);
        Assert.Equal(3, stall.SkippedSlots);
        Assert.True(exec.OverrunEvents.TryRead(out OverrunEvent slow));
        Assert.Equal(6, slow.Sequence);
        Assert.Equal(0, slow.LatenessNs);
        Assert.Equal(LoopPhase.Allocate, slow.SlowestPhase);
        Assert.Equal(1_700_000, slow.SlowestPhaseNs);
        Assert.False(exec.OverrunEvents.TryRead(out _));
    }

    [Fact]
    public void A_cycle_ending_exactly_on_a_release_keeps_that_release()
    {
        var (exec, cycle, _, _) = Create();
        cycle.ComputeNs = (seq, phase) => seq == 0 && phase == LoopPhase.Sample ? 2 * PeriodNs : 0;

        exec.RunCycles(2);

        Assert.Equal(cycle.Cycles[0].ReleaseNs + (2 * PeriodNs), cycle.Cycles[1].ReleaseNs);
        Assert.Equal(1, cycle.Cycles[1].SkippedSlots);
        Assert.Equal(1, exec.Statistics.ReadCounters().Overruns);
    }

    [Fact]
    public void A_late_wake_up_is_measured_as_lateness_and_counted_against_the_period()
    {
        var (exec, cycle, _, sleeper) = Create();
        long lateRelease = StartNs + (3 * PeriodNs);
        sleeper.Lateness = deadline => deadline == lateRelease ? 1_200_000 : 0; // a 1.2 ms VM stall
        cycle.ComputeNs = (_, _) => 1_000;

        exec.RunCycles(5);

        Assert.Equal(1_200_000, cycle.Cycles[2].LatenessNs);
        LoopCounters c = exec.Statistics.ReadCounters();
        Assert.Equal(1, c.LateWakeups);
        Assert.Equal(1, c.Overruns);
        Assert.Equal(1, c.MissedSlots);
        Assert.Equal(1_200_000, exec.Statistics.Lateness.MaxNs);
        Assert.Equal(cycle.Cycles[2].ReleaseNs + (2 * PeriodNs), cycle.Cycles[3].ReleaseNs);
    }

    [Fact]
    public void Consecutive_misses_raise_the_fault_once_and_on_time_cycles_clear_it()
    {
        var (exec, cycle, _, _) = Create(faultAfter: 3, clearAfter: 4);
        // Cycles 2..6 overrun (1.5 periods each); the rest take 100 µs.
        cycle.ComputeNs = (seq, phase) => phase == LoopPhase.Actuate && seq is >= 2 and <= 6 ? 1_500_000 : 20_000;

        exec.RunCycles(6);
        Assert.Equal([(true, 4L)], cycle.FaultEvents); // third consecutive miss is cycle 4
        Assert.True(exec.FaultActive);

        exec.RunCycles(4); // cycles 6 (miss), 7, 8, 9 on time: 3 on-time so far
        Assert.Single(cycle.FaultEvents);
        exec.RunCycles(1); // cycle 10: 4th on time
        Assert.Equal([(true, 4L), (false, 10L)], cycle.FaultEvents);

        LoopCounters c = exec.Statistics.ReadCounters();
        Assert.False(c.FaultActive);
        Assert.Equal(1, c.DeadlineFaults);
        Assert.Equal(5, c.Overruns);
        Assert.Equal(5, c.MaxConsecutiveMisses);
        Assert.Equal(0, c.ConsecutiveMisses);
    }

    [Fact]
    public void Isolated_misses_never_raise_the_fault()
    {
        var (exec, cycle, _, _) = Create(faultAfter: 2);
        cycle.ComputeNs = (seq, phase) => phase == LoopPhase.Sample && seq % 2 == 0 ? 1_100_000 : 0;

        exec.RunCycles(50);

        Assert.Empty(cycle.FaultEvents);
        Assert.Equal(25, exec.Statistics.ReadCounters().Overruns);
    }

    [Fact]
    public void Each_phase_is_timed_against_its_own_budget()
    {
        var (exec, cycle, _, _) = Create(configure: o =>
        {
            o.SampleBudget = 0.1;   // 100 µs
            o.DecideBudget = 0.2;   // 200 µs
            o.AllocateBudget = 0.05; // 50 µs
            o.ActuateBudget = 0.1;
            o.HandOffBudget = 0.05;
        });
        cycle.ComputeNs = (seq, phase) => phase switch
        {
            LoopPhase.Sample => 90_000,
            LoopPhase.Decide => seq < 3 ? 250_000 : 150_000, // over budget 3 times
            LoopPhase.Allocate => 60_000,                    // always over
            _ => 1_000,
        };

        exec.RunCycles(10);

        LoopStatistics s = exec.Statistics;
        Assert.Equal(0, s.PhaseBudgetOverruns(LoopPhase.Sample));
        Assert.Equal(3, s.PhaseBudgetOverruns(LoopPhase.Decide));
        Assert.Equal(10, s.PhaseBudgetOverruns(LoopPhase.Allocate));
        Assert.Equal(0, s.PhaseBudgetOverruns(LoopPhase.Actuate));
        Assert.Equal(13, s.ReadCounters().BudgetOverruns);
        Assert.Equal(0, s.ReadCounters().Overruns); // budgets are accounting, not deadlines
        Assert.Equal(250_000, s.Phase(LoopPhase.Decide).MaxNs);
        Assert.Equal(90_000, s.Phase(LoopPhase.Sample).MinNs);
        LoopStatsSnapshot snap = s.Snapshot();
        Assert.Equal(200_000, snap.Decide.BudgetNs);
        Assert.Equal(3, snap.Decide.BudgetOverruns);
        Assert.Equal(10, snap.Counters.Cycles);
    }

    [Fact]
    public void Statistics_reset_takes_effect_on_the_loop_thread_at_the_next_cycle()
    {
        var (exec, cycle, _, _) = Create();
        cycle.ComputeNs = (seq, phase) => seq == 1 && phase == LoopPhase.Sample ? 1_500_000 : 0;
        exec.RunCycles(5);
        Assert.Equal(1, exec.Statistics.ReadCounters().Overruns);

        exec.RequestStatisticsReset();
        exec.RunCycles(3);

        LoopCounters c = exec.Statistics.ReadCounters();
        Assert.Equal(3, c.Cycles);
        Assert.Equal(0, c.Overruns);
        Assert.Equal(3, exec.Statistics.Lateness.Count);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_every_error_named()
    {
        var clock = new VirtualClock();
        var options = new LoopOptions { PeriodMs = 0, SampleBudget = 0.6, DecideBudget = 0.6, FaultAfterConsecutiveMisses = 0 };

        var e = Assert.Throws<ArgumentException>(() => new CyclicExecutive(new ScriptedCycle(clock), options, new VirtualSleeper(clock)));

        Assert.Contains("Loop:PeriodMs = 0 is invalid", e.Message, StringComparison.Ordinal);
        Assert.Contains("add up to", e.Message, StringComparison.Ordinal);
        Assert.Contains("Loop:FaultAfterConsecutiveMisses", e.Message, StringComparison.Ordinal);
    }
}
