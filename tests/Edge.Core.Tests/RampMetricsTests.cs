using Edge.Core.Metrics;

namespace Edge.Core.Tests;

public class RampMetricsTests
{
    private static MetricsOptions Options(double up = 10, double down = 10, double dynamicRangeW = 0) =>
        new(0.01, up, down, 1, dynamicRangeW);

    [Fact]
    public void A_linear_ramp_reports_its_slope_and_no_violation_at_the_limit()
    {
        double[] g = Enumerable.Range(0, 1000).Select(k => 10.0 * k * 0.01).ToArray(); // 10 W/s
        RampMetrics.Result r = RampMetrics.Compute(g, Options(up: 10));
        Assert.Equal(10, r.MaxRiseWPerS, 9);
        Assert.Equal(0, r.MaxFallWPerS, 9);
        Assert.Equal(0, r.ViolationS);
    }

    [Fact]
    public void A_step_violates_for_exactly_one_window()
    {
        double[] g = Enumerable.Range(0, 1000).Select(k => k < 500 ? 0.0 : 100.0).ToArray();
        RampMetrics.Result r = RampMetrics.Compute(g, Options());
        Assert.Equal(100, r.MaxRiseWPerS, 9);
        // Windows ending at samples 500 … 599 contain the step: 100 periods = 1 s.
        Assert.Equal(1.0, r.ViolationS, 9);
        Assert.Equal(90, r.DynamicRangeNeededW, 9);
    }

    [Fact]
    public void An_oscillation_inside_one_window_is_caught_both_ways()
    {
        // Up 50 W and back within 0.2 s, repeatedly: end points of each window may be equal, extremes are not.
        double[] g = Enumerable.Range(0, 1000).Select(k => (k / 10) % 2 == 0 ? 0.0 : 50.0).ToArray();
        RampMetrics.Result r = RampMetrics.Compute(g, Options());
        Assert.Equal(50, r.MaxRiseWPerS, 9);
        Assert.Equal(50, r.MaxFallWPerS, 9);
        Assert.True(r.ViolationS > 9, $"violation {r.ViolationS}");
    }

    [Fact]
    public void Dynamic_range_and_tolerance_are_applied()
    {
        double[] g = Enumerable.Range(0, 300).Select(k => k < 100 ? 0.0 : 30.0).ToArray();
        Assert.Equal(0, RampMetrics.Compute(g, Options(dynamicRangeW: 20)).ViolationS);
        Assert.True(RampMetrics.Compute(g, Options(dynamicRangeW: 19.9)).ViolationS > 0);
        // 0.1 % tolerance: 10.009 W in a window with a 10 W/s limit passes, 10.02 W does not.
        double[] small = Enumerable.Range(0, 300).Select(k => k < 100 ? 0.0 : 10.009).ToArray();
        Assert.Equal(0, RampMetrics.Compute(small, Options()).ViolationS);
        double[] over = Enumerable.Range(0, 300).Select(k => k < 100 ? 0.0 : 10.02).ToArray();
        Assert.True(RampMetrics.Compute(over, Options()).ViolationS > 0);
    }

    [Fact]
    public void Up_and_down_limits_are_separate()
    {
        double[] fall = Enumerable.Range(0, 300).Select(k => k < 100 ? 30.0 : 0.0).ToArray();
        Assert.Equal(0, RampMetrics.Compute(fall, Options(up: 1, down: 40)).ViolationS);
        Assert.True(RampMetrics.Compute(fall, Options(up: 40, down: 1)).ViolationS > 0);
    }

    [Fact]
    public void Matches_a_brute_force_definition_on_random_signals()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 20; trial++)
        {
            double[] g = new double[400];
            for (int k = 1; k < g.Length; k++)
            {
                g[k] = g[k - 1] + ((rng.NextDouble() - 0.5) * 10);
            }

            var o = new MetricsOptions(0.01, 30, 20, 0.5);
            RampMetrics.Result r = RampMetrics.Compute(g, o);
            int w = 50;
            double maxRise = 0, maxFall = 0;
            int violations = 0;
            for (int j = 1; j < g.Length; j++)
            {
                double rise = 0, fall = 0;
                for (int i = Math.Max(0, j - w); i < j; i++)
                {
                    rise = Math.Max(rise, g[j] - g[i]);
                    fall = Math.Max(fall, g[i] - g[j]);
                }

                maxRise = Math.Max(maxRise, rise);
                maxFall = Math.Max(maxFall, fall);
                if (rise > 30 * 0.5 * 1.001 || fall > 20 * 0.5 * 1.001)
                {
                    violations++;
                }
            }

            Assert.Equal(maxRise / 0.5, r.MaxRiseWPerS, 9);
            Assert.Equal(maxFall / 0.5, r.MaxFallWPerS, 9);
            Assert.Equal(violations * 0.01, r.ViolationS, 9);
        }
    }
}
