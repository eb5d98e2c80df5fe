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
    public void A_window_counts_while_it_holds_a_violating_pair_even_when_its_last_sample_is_back_in_range()
    {
        // 0 → 100 W at sample 500, then 50 W from sample 510; limit 60 W per 1 s window. From 510 on, the last
        // sample is within 60 W of every other sample of its window, but the window still holds the 0 → 100 step
        // until sample 599: DESIGN §5 counts 500 … 599 (1 s), not only 500 … 509 where a violating pair ends.
        double[] g = Enumerable.Range(0, 1000).Select(k => k < 500 ? 0.0 : k < 510 ? 100.0 : 50.0).ToArray();
        RampMetrics.Result r = RampMetrics.Compute(g, Options(up: 60, down: 60));
        Assert.Equal(1.0, r.ViolationS, 9);
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
                for (int i = Math.Max(0, j - w); i < j; i++)
                {
                    maxRise = Math.Max(maxRise, g[j] - g[i]);
                    maxFall = Math.Max(maxFall, g[i] - g[j]);
                }
            }

            // DESIGN §5 word for word: period k violates when any pair i < j inside [k − w, k] does.
            for (int k = 0; k < g.Length; k++)
            {
                bool any = false;
                for (int j = Math.Max(0, k - w); j <= k && !any; j++)
                {
                    for (int i = Math.Max(0, k - w); i < j && !any; i++)
                    {
                        any = g[j] - g[i] > 30 * 0.5 * 1.001 || g[i] - g[j] > 20 * 0.5 * 1.001;
                    }
                }

                violations += any ? 1 : 0;
            }

            Assert.Equal(maxRise / 0.5, r.MaxRiseWPerS, 9);
            Assert.Equal(maxFall / 0.5, r.MaxFallWPerS, 9);
            Assert.Equal(violations * 0.01, r.ViolationS, 9);
        }
    }
}
