using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Metrics;
using Edge.Core.Replay;
using Edge.Planning;

namespace Edge.Tests.Planning;

/// <summary>
/// Replay's perfect foresight (<c>edge replay --planner-forecast perfect</c>): the step means are the trace's own, and
/// a planner that knows the future cycles the battery less than one that forecasts it on a load no forecast can see
/// coming, with the controller's guarantees unchanged.
/// </summary>
public sealed class PerfectForesightTests
{
    private const double PeriodS = 0.01;

    [Fact]
    public void Each_step_is_the_mean_of_the_periods_that_start_in_it_and_beyond_the_trace_the_last_period()
    {
        double[] loads = [.. Enumerable.Range(0, 1_000).Select(k => (double)k)]; // 10 s, load = period index
        var foresight = new TraceForesight(loads, PeriodS);
        var outputW = new double[4];
        foresight.Fill(2_000_000_000, outputW, 1.0); // from 2 s: periods 200–299, 300–399, …
        Assert.Equal([249.5, 349.5, 449.5, 549.5], outputW);
        foresight.Fill(9_500_000_000, outputW, 1.0); // from 9.5 s: periods 950–999, then beyond the end
        Assert.Equal([974.5, 999, 999, 999], outputW);
        var fine = new double[3];
        foresight.Fill(5_000_000, fine, 0.1); // 5 ms: the first step holds periods 1–10 (their start is in it)
        Assert.Equal(5.5, fine[0], 9);
    }

    [Fact]
    public void A_planner_with_perfect_foresight_cycles_the_battery_less_on_pauses_no_forecast_sees_coming_and_keeps_the_ramp()
    {
        // 6 kW compute blocks of 20 s between pauses of irregular length (8–40 s, drawn once): the periodic predictor
        // finds no period to trust, so only foresight can start the grid's ramp before a block.
        var random = new Random(7);
        var loads = new List<double>();
        while (loads.Count < 60_000)
        {
            int pause = (int)(random.Next(8, 41) / PeriodS);
            loads.AddRange(Enumerable.Repeat(1_500.0, pause));
            loads.AddRange(Enumerable.Repeat(6_000.0, (int)(20 / PeriodS)));
        }

        GridMetrics Run(TraceForesight? foresight)
        {
            ControllerOptions o = PlannerReplayTests.Options();
            using var planner = new PlannedController(o, foresight: foresight);
            var battery = new BatteryModelOptions { EnergyWh = o.EnergyWh, MaxChargeW = o.MaxChargeW, MaxDischargeW = o.MaxDischargeW };
            var metrics = new MetricsOptions(PeriodS, o.RampUpWPerS, o.RampDownWPerS, o.RampWindowS, 0, o.BandLowHz, o.BandHighHz, 1 / PeriodS);
            var session = new ReplaySession([planner], battery, metrics, loads.Count);
            foreach (double w in loads)
            {
                session.Step(w);
            }

            Assert.True(planner.Planner.NotOptimal * 10 < planner.Planner.Rounds, $"{planner.Planner.NotOptimal} of {planner.Planner.Rounds} plans not optimal");
            return session.Results()[0];
        }

        GridMetrics periodic = Run(null);
        GridMetrics perfect = Run(new TraceForesight(loads, PeriodS));
        Assert.Equal(0, perfect.RampViolationS);
        Assert.Equal(0, periodic.RampViolationS);
        Assert.True(perfect.BatteryThroughputWh < 0.95 * periodic.BatteryThroughputWh,
            $"perfect foresight {perfect.BatteryThroughputWh:F0} Wh, periodic forecast {periodic.BatteryThroughputWh:F0} Wh");
    }
}
