using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Metrics;
using Edge.Core.Replay;
using Edge.Tests.Shared;

namespace Edge.Core.Tests;

public class ReplaySessionTests
{
    private const double PeriodS = 0.01;

    private static (ControllerOptions Options, BatteryModelOptions Battery, MetricsOptions Metrics) Setup(double peakW)
    {
        ControllerOptions o = ControllerHarness.DefaultOptions();
        var b = new BatteryModelOptions { EnergyWh = o.EnergyWh, MaxChargeW = o.MaxChargeW, MaxDischargeW = o.MaxDischargeW, LatencyMs = 50 };
        return (o, b, new MetricsOptions(PeriodS, o.RampUpWPerS, o.RampDownWPerS));
    }

    [Fact]
    public void Side_by_side_runs_give_the_same_metrics_as_one_controller_at_a_time()
    {
        double[] load = TestTraces.Random(4, 400, PeriodS, 3000);
        (ControllerOptions o, BatteryModelOptions b, MetricsOptions m) = Setup(3000);
        string[] names = [.. Controllers.Names];
        var session = new ReplaySession([.. names.Select(n => Controllers.Create(n, o, 3000))], b, m, load.Length);
        foreach (double v in load)
        {
            session.Step(v);
        }

        GridMetrics[] together = session.Results();
        for (int c = 0; c < names.Length; c++)
        {
            ReplayRun alone = ReplayEngine.Run(load, PeriodS, Controllers.Create(names[c], o, 3000), b, m);
            Assert.Equal(alone.Metrics, together[c]);
            Assert.Equal(GridMetrics.Compute(load, alone.GridW, alone.BatteryW, alone.SocPct, alone.Saturated, m), alone.Metrics);
        }
    }

    [Fact]
    public void A_period_allocates_nothing_for_every_controller_including_the_periods_that_close_a_welch_segment()
    {
        double[] load = TestTraces.Random(9, 300, PeriodS, 3000);
        (ControllerOptions o, BatteryModelOptions b, MetricsOptions m) = Setup(3000);
        var session = new ReplaySession([.. Controllers.Names.Select(n => Controllers.Create(n, o, 3000))], b, m, 2L * load.Length);
        foreach (double v in load)
        {
            session.Step(v); // JIT and first segments settle
        }

        Action pass = () =>
        {
            foreach (double v in load)
            {
                session.Step(v); // 30 000 periods, 6 segments per signal
            }
        };
        long allocated = SteadyAllocations.PerPassMinimum(pass);
        Assert.Equal(0, allocated);
    }
}
