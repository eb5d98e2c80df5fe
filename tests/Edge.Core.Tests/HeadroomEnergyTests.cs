using Edge.Core.Control;

namespace Edge.Core.Tests;

/// <summary>
/// Issue 16, item 5: with a battery at 40 % of peak power the power-headroom bound (grid ≥ recent max − discharge power)
/// sits above the mean load; it must not charge the battery steadily to its SoC ceiling, where the job's end finds it
/// unable to absorb anything.
/// </summary>
public sealed class HeadroomEnergyTests
{
    [Fact]
    public void A_small_battery_is_not_charged_to_its_ceiling_by_the_power_headroom_bound()
    {
        ControllerOptions options = ControllerHarness.DefaultOptions();
        options.MaxChargeW = 4_000;
        options.MaxDischargeW = 4_000;
        var h = new ControllerHarness(options);

        // Training at 10 kW for 10 s, dips to 3 kW for 20 s: mean 5.3 kW, below recent max − battery power.
        double socMaxPct = 0, socSumPct = 0, atCeilingS = 0;
        int samples = 0;
        for (int cycle = 0; cycle < 120; cycle++)
        {
            for (int i = 0; i < 3000; i++)
            {
                h.Step(i < 1000 ? 10_000 : 3_000);
                socMaxPct = Math.Max(socMaxPct, h.Battery.SocPct);
                if (cycle >= 60)
                {
                    socSumPct += h.Battery.SocPct;
                    atCeilingS += h.Battery.SocPct >= 89 ? ControllerHarness.PeriodS : 0;
                    samples++;
                }
            }
        }

        // Before the fix SoC climbed to the 90 % ceiling within the hour (measured: 89.7 %); with it, SoC settles where
        // the released bound balances energy (measured: 82.7 %).
        // Measured over the second half hour: before the fix 815 s at SoC ≥ 89 % (mean 88.7 %, max 90.0 %); with it
        // 320 s (mean 87.9 %). Not more: the rest is saturation during the 10 kW phase (the grid follows load − 4 kW,
        // above the mean load) — a power limit only a forecast can plan around (docs/planner.md).
        Assert.True(atCeilingS < 500, $"{atCeilingS:F1} s at SoC ≥ 89 % (max {socMaxPct:F2} %, mean {socSumPct / samples:F2} %)");
        Assert.True(socMaxPct < 89.9, $"SoC reached {socMaxPct:F2} %");
    }
}
