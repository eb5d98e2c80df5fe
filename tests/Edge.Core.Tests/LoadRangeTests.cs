using Edge.Core.Control;

namespace Edge.Core.Tests;

/// <summary>The learnt load range the controller's headroom and the planner's SoC return read.</summary>
public sealed class LoadRangeTests
{
    [Fact]
    public void The_first_load_starts_the_range_and_new_extremes_are_taken_at_once()
    {
        var range = default(LoadRange);
        Assert.False(range.Known);
        range.Add(5_000, 0.01, LoadRange.ForgetS);
        Assert.True(range.Known);
        Assert.Equal((5_000.0, 5_000.0), (range.MinW, range.MaxW));
        range.Add(9_000, 0.01, LoadRange.ForgetS);
        range.Add(2_000, 0.01, LoadRange.ForgetS);
        Assert.Equal(2_000, range.MinW, 9);
        Assert.True(range.MaxW is < 9_000 and > 8_999, $"max {range.MaxW}");
    }

    [Fact]
    public void An_extreme_that_is_not_seen_again_is_forgotten_over_the_forgetting_time()
    {
        var range = default(LoadRange);
        range.Reset(1_000);
        range.Add(11_000, 0.01, 100);
        for (int k = 0; k < 10_000; k++)
        {
            range.Add(6_000, 0.01, 100); // 100 s at 6 kW: the gaps close to 1/e
        }

        Assert.Equal(6_000 + (5_000 * Math.Exp(-1)), range.MaxW, 0);
        Assert.Equal(6_000 - (5_000 * Math.Exp(-1)), range.MinW, 0);
    }

    [Theory]
    [InlineData(1_000, 5_000, 100, 5_000)]          // ΔP²/2R: 1 kW at 100 W/s for 10 s
    [InlineData(4_000, 2_000, 100, 60_000)]         // power-limited: P·(ΔP − P)/R + P²/2R = 40 000 + 20 000
    [InlineData(-1_000, 5_000, 100, 0)]
    [InlineData(1_000, 0, 100, 0)]
    public void The_energy_of_a_move_at_the_ramp_limit_is_bounded_by_the_battery_power(double stepW, double powerW, double rampWPerS, double energyJ) =>
        Assert.Equal(energyJ, LoadRange.SwingEnergyJ(stepW, powerW, rampWPerS), 9);
}
