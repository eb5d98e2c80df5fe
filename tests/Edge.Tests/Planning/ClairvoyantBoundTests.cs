using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Metrics;
using Edge.Core.Replay;
using Edge.Planning;

namespace Edge.Tests.Planning;

/// <summary>
/// The clairvoyant bound of <c>edge replay --bound</c> (docs/planner.md §5): it sees swings inside a second, stays below
/// what any controller cycles, is the same LP optimum from either solver, and a trace too long for one programme is
/// solved at whole multiples of the step.
/// </summary>
public sealed class ClairvoyantBoundTests
{
    private const double PeriodS = 0.01;

    private static double Bound(IEnumerable<double> loadsW, double stepS = 0.1, PlannerSolver solver = PlannerSolver.Banded,
        int maxSteps = ClairvoyantBound.DefaultMaxSteps) => Bound(loadsW, out _, stepS, solver, maxSteps);

    private static double Bound(IEnumerable<double> loadsW, out ClairvoyantBound bound, double stepS = 0.1,
        PlannerSolver solver = PlannerSolver.Banded, int maxSteps = ClairvoyantBound.DefaultMaxSteps)
    {
        bound = new ClairvoyantBound(PlannerReplayTests.Options(), PeriodS, stepS, solver, maxSteps);
        foreach (double w in loadsW)
        {
            bound.Add(w);
        }

        return bound.SolveWh();
    }

    /// <summary>6 kW for 0.5 s, 2 kW for 0.5 s: a swing the grid (100 W/s) cannot follow and 1 s means do not show.</summary>
    private static IEnumerable<double> HalfSecondSwing(double seconds) =>
        Enumerable.Range(0, (int)(seconds / PeriodS)).Select(k => (k / 50) % 2 == 0 ? 6_000.0 : 2_000.0);

    [Fact]
    public void A_swing_inside_every_second_costs_the_battery_at_0_1_s_steps_and_is_invisible_in_1_s_means()
    {
        // The grid holds ≈ 4 kW; the battery gives and takes 2 kW all the time: 2 kW × 120 s = 66.7 Wh (the grid can
        // lean 25 W into each half second at 100 W/s, and the efficiencies add a little to end at the starting SoC).
        double fineWh = Bound(HalfSecondSwing(120), out ClairvoyantBound fine);
        double coarseWh = Bound(HalfSecondSwing(120), stepS: 1.0);
        Assert.Equal(0.1, fine.StepS, 12);
        Assert.Equal(1199, fine.StepCount);
        Assert.InRange(fineWh, 0.95 * 66.7, 1.05 * 66.7);
        Assert.True(coarseWh < 0.05 * fineWh, $"1 s means: {coarseWh:F2} Wh against {fineWh:F2} Wh at 0.1 s");
    }

    [Fact]
    public void A_constant_load_needs_no_battery()
    {
        Assert.InRange(Bound(Enumerable.Repeat(5_000.0, 6_000)), 0, 0.01);
    }

    [Fact]
    public void The_bound_is_below_what_the_smoothing_controller_and_the_planner_cycle()
    {
        // Two jobs of different periods (PlannerReplayTests' load) plus the half-second swing, 300 s.
        double[] loadsW = [.. Enumerable.Range(0, 30_000).Select(k =>
        {
            double t = k * PeriodS;
            return (t % 7.3 < 5 ? 6_000 : 1_500) + (t % 11.9 < 4 ? 3_000 : 500) + (k / 50 % 2 == 0 ? 400 : -400);
        })];
        ControllerOptions o = PlannerReplayTests.Options();
        using var planner = new PlannedController(o);
        var battery = new BatteryModelOptions { EnergyWh = o.EnergyWh, MaxChargeW = o.MaxChargeW, MaxDischargeW = o.MaxDischargeW };
        var metrics = new MetricsOptions(PeriodS, o.RampUpWPerS, o.RampDownWPerS, o.RampWindowS, 0, o.BandLowHz, o.BandHighHz, 1 / PeriodS);
        var session = new ReplaySession([new SmoothingController(o), planner], battery, metrics, loadsW.Length);
        foreach (double w in loadsW)
        {
            session.Step(w);
        }

        GridMetrics[] results = session.Results();
        double boundWh = Bound(loadsW);
        Assert.True(boundWh > 0, $"bound {boundWh}");
        foreach (GridMetrics m in results)
        {
            Assert.Equal(0, m.RampViolationS);
            Assert.True(boundWh <= m.BatteryThroughputWh, $"bound {boundWh:F1} Wh above a controller's {m.BatteryThroughputWh:F1} Wh");
        }
    }

    [Fact]
    public void The_banded_solver_and_GLOP_reach_the_same_bound()
    {
        // 90 s of two periods and the swing at 0.1 s steps: 899 steps, GLOP's simplex still quick there.
        double[] loadsW = [.. Enumerable.Range(0, 9_000).Select(k =>
        {
            double t = k * PeriodS;
            return (t % 7.3 < 5 ? 6_000 : 1_500) + (k / 50 % 2 == 0 ? 400 : -400);
        })];
        double bandedWh = Bound(loadsW);
        double glopWh = Bound(loadsW, solver: PlannerSolver.Glop);
        Assert.True(bandedWh > 1, $"banded {bandedWh}");
        Assert.Equal(glopWh, bandedWh, glopWh * 1e-4);
    }

    [Fact]
    public void A_trace_beyond_the_most_steps_is_solved_at_whole_multiples_of_the_step()
    {
        // 12 s = 120 steps of 0.1 s; at most 50 per programme: 3 steps merged into 0.3 s, 40 means, 39 steps solved.
        double wh = Bound(HalfSecondSwing(12), out ClairvoyantBound bound, maxSteps: 50);
        Assert.Equal(0.3, bound.StepS, 12);
        Assert.Equal(39, bound.StepCount);
        Assert.True(wh > 0, $"bound {wh}");
    }
}
