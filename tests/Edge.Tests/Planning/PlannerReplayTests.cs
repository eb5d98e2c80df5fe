using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Metrics;
using Edge.Core.Replay;
using Edge.Planning;

namespace Edge.Tests.Planning;

/// <summary>The planner in replay, on virtual time: deterministic, and the smoothing controller's guarantees hold.</summary>
public sealed class PlannerReplayTests
{
    private const double PeriodS = 0.01;

    /// <summary>The planner tests' site: 10 kW battery of 2 minutes, 100 W/s ramp, 10 ms period.</summary>
    internal static ControllerOptions Options() => new()
    {
        PeriodMs = 10,
        MaxChargeW = 10_000,
        MaxDischargeW = 10_000,
        EnergyWh = 10_000 * 120 / 3600.0,
        RampUpWPerS = 100,
        RampDownWPerS = 100,
    };

    /// <summary>A replay of <paramref name="periods"/> 10 ms periods for <paramref name="controllers"/> on <paramref name="o"/>'s battery.</summary>
    internal static ReplaySession Session(ControllerOptions o, IGridController[] controllers, int periods)
    {
        var battery = new BatteryModelOptions { EnergyWh = o.EnergyWh, MaxChargeW = o.MaxChargeW, MaxDischargeW = o.MaxDischargeW };
        var metrics = new MetricsOptions(PeriodS, o.RampUpWPerS, o.RampDownWPerS, o.RampWindowS, 0, o.BandLowHz, o.BandHighHz, 1 / PeriodS);
        return new ReplaySession(controllers, battery, metrics, periods);
    }

    private static double Load(long k)
    {
        double t = k * PeriodS;
        return (t % 7.3 < 5 ? 6_000 : 1_500) + (t % 11.9 < 4 ? 3_000 : 500);
    }

    private static (GridMetrics Metrics, double[] Grid) Run()
    {
        ControllerOptions o = Options();
        using var planner = new PlannedController(o);
        const int n = 30_000; // 300 s
        ReplaySession session = Session(o, [planner], n);
        var grid = new double[n];
        for (int k = 0; k < n; k++)
        {
            session.Step(Load(k));
            grid[k] = session.States[0].GridW;
        }

        Assert.True(planner.PlannedPeriods > 20_000, $"plan tracked {planner.PlannedPeriods} periods");
        return (session.Results()[0], grid);
    }

    [Fact]
    public void A_replay_with_the_planner_is_deterministic_and_keeps_the_ramp()
    {
        (GridMetrics a, double[] gridA) = Run();
        (GridMetrics b, double[] gridB) = Run();
        Assert.Equal(gridA, gridB);
        Assert.Equal(a, b);
        Assert.Equal(0, a.RampViolationS);
        Assert.Equal(0, a.SaturatedS);
    }
}
