using Edge.Core.Control;
using Edge.Core.Forecast;
using Edge.Core.Timing;
using Edge.Planning;
using Edge.Runtime.Handoff;

namespace Edge.Tests.Planning;

/// <summary>
/// The daemon's planner (issue 16 item 2: a thread beside the loop) driven round by round on virtual time: what it hands
/// the loop's mailbox, when it hands nothing (so the plan lapses and the controller's own reference takes over), its
/// announcements, and its allocation per round.
/// </summary>
public sealed class DaemonPlannerTests
{
    private const long PeriodNs = 10_000_000;
    private const long SecondNs = 1_000_000_000;

    private static double Load(long k)
    {
        double t = k * PeriodNs * 1e-9;
        return t % 7.3 < 5 ? 6_000 : 1_500;
    }

    private sealed class Rig : IDisposable
    {
        public Rig(double intervalS = 1)
        {
            Planner = new DaemonPlanner(PlannerReplayTests.Options(), new PlannerOptions { Enabled = true, IntervalS = intervalS }, new NeverClock(), Plans);
        }

        public LatestValueMailbox<GridPlan> Plans { get; } = new();

        public DaemonPlanner Planner { get; }

        public long K { get; private set; } = 1;

        /// <summary>One second of periods: the load, a grid target rising at 10 W/s from 3 000 W, SoC 50 %.</summary>
        public void Second(ControlMode mode = ControlMode.Auto, double socPct = 50)
        {
            for (int i = 0; i < 100; i++, K++)
            {
                Assert.True(Planner.Samples.TryWrite(new PlannerSample(K * PeriodNs, Load(K), 3_000 + (10 * K * PeriodNs * 1e-9), socPct, mode)));
            }
        }

        public long NowNs => K * PeriodNs;

        public void Dispose() => Planner.Dispose();
    }

    private sealed class NeverClock : IMonotonicClock
    {
        public long NowNs => throw new InvalidOperationException("rounds are driven on virtual time by the test");
    }

    [Fact]
    public void Each_round_hands_the_loop_a_plan_from_the_newest_period_valid_for_two_intervals()
    {
        using var rig = new Rig();
        long sequence = 0;
        for (int round = 0; round < 30; round++)
        {
            rig.Second();
            Assert.True(rig.Planner.Step(rig.NowNs), $"round {round}: no plan");
            Assert.True(rig.Plans.TryReadNewer(ref sequence, out GridPlan plan, out _));
            long newestNs = (rig.K - 1) * PeriodNs;
            Assert.Equal(newestNs, plan.FromNs);
            Assert.Equal(newestNs + (2 * SecondNs), plan.ValidUntilNs);
            // The plan starts where the grid target is (g₀ is fixed) and continues its slope within the curvature bound.
            Assert.Equal(3_000 + (10 * newestNs * 1e-9), plan.ReferenceW, 1e-3);
            Assert.InRange(plan.SlopeWPerS, -100, 100);
            Assert.True(plan.AppliesAt(newestNs + (SecondNs / 2)));
        }

        PlannerFigures f = rig.Planner.Measured();
        Assert.Equal(30, f.Plans);
        Assert.Equal(0, f.Skipped);
        Assert.True(f.SolveP99Ms > 0 && f.SolveP99Ms < 10_000);
        Assert.Equal(7.3, f.PeriodS, 0.11); // the forecast learnt the job's period from the periods it was given
    }

    [Fact]
    public void No_fresh_period_another_mode_or_an_unknown_soc_hand_over_nothing_so_the_last_plan_lapses()
    {
        using var rig = new Rig();
        long sequence = 0;
        rig.Second();
        Assert.True(rig.Planner.Step(rig.NowNs));
        Assert.True(rig.Plans.TryReadNewer(ref sequence, out GridPlan last, out _));

        // The hand-off consumer stalled: nothing new came.
        Assert.False(rig.Planner.Step(rig.NowNs + SecondNs));
        rig.Second(ControlMode.Standby);
        Assert.False(rig.Planner.Step(rig.NowNs));
        rig.Second(ControlMode.Auto, double.NaN);
        Assert.False(rig.Planner.Step(rig.NowNs));
        Assert.False(rig.Plans.TryReadNewer(ref sequence, out _, out _));
        Assert.False(last.AppliesAt(rig.NowNs), "the last plan must have lapsed by now");
        Assert.Equal(3, rig.Planner.Measured().Skipped);

        // Back in auto with a SoC: plans again.
        rig.Second();
        Assert.True(rig.Planner.Step(rig.NowNs));
        Assert.True(rig.Plans.TryReadNewer(ref sequence, out _, out _));
    }

    [Fact]
    public void Announcements_are_handed_over_once_and_reach_the_forecast()
    {
        using var rig = new Rig();
        var start = new AnnouncedPhase("job-b:start", PhaseKind.JobStart, 0, 90 * SecondNs, 4_000, 0, 0);
        rig.Planner.OfferAnnouncements([start]);
        rig.Planner.OfferAnnouncements([start]); // the registry says it again every sweep
        rig.Second();
        rig.Planner.Step(rig.NowNs);
        Assert.Equal(1, rig.Planner.Measured().Announcements);
    }

    [Fact]
    public void A_round_allocates_nothing_once_warm()
    {
        using var rig = new Rig();
        for (int i = 0; i < 20; i++)
        {
            rig.Second();
            rig.Planner.Step(rig.NowNs);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            rig.Second();
            Assert.True(rig.Planner.Step(rig.NowNs));
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(0, rig.Planner.Measured().RoundAllocatedBytes);
    }
}
