using Edge.Core.Control;
using Edge.Core.Metrics;
using Edge.Core.Replay;
using Edge.Planning;

namespace Edge.Tests.Planning;

/// <summary>
/// The planner on a flat load with noise (docs/planner.md §2, "persistence level"): it must not walk the grid after the
/// noise — the battery carries it, as under the smoothing controller. On virtual time.
/// </summary>
public sealed class PlannerNoiseTests
{
    [Fact]
    public void On_a_flat_noisy_load_the_planned_grid_stays_out_of_the_band()
    {
        ControllerOptions o = PlannerReplayTests.Options();
        using var planner = new PlannedController(o);
        var smoothing = new SmoothingController(o);
        const int n = 60_000; // 600 s
        ReplaySession session = PlannerReplayTests.Session(o, [smoothing, planner], n);
        var random = new Random(5);
        for (int k = 0; k < n; k++)
        {
            double u1 = 1 - random.NextDouble();
            double u2 = random.NextDouble();
            session.Step(5_000 + (150 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)));
        }

        GridMetrics[] results = session.Results();
        GridMetrics smoothed = results[0];
        GridMetrics planned = results[1];
        Assert.True(planner.PlannedPeriods > n / 2, $"plan tracked {planner.PlannedPeriods} periods");
        // Measured: planner 1.3e-6 (smoothing 1.2e-7), the same 20.0 Wh of throughput; with persistence at the newest
        // bin, as before, 5.1e-4 and 20.4 Wh — the grid walked after the noise and the battery paid for it too.
        Assert.True(planned.BandEnergyRatio < 1e-5, $"band ratio {planned.BandEnergyRatio:E2} (smoothing {smoothed.BandEnergyRatio:E2})");
        Assert.True(planned.BatteryThroughputWh <= smoothed.BatteryThroughputWh * 1.01, $"throughput {planned.BatteryThroughputWh:F2} Wh against {smoothed.BatteryThroughputWh:F2}");
        Assert.Equal(0, planned.RampViolationS);
    }
}
