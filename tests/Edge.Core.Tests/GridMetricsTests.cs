using Edge.Core.Metrics;

namespace Edge.Core.Tests;

public class GridMetricsTests
{
    [Fact]
    public void Throughput_soc_and_saturation_are_summed_over_periods()
    {
        int n = 1000;
        double[] load = Enumerable.Repeat(100.0, n).ToArray();
        double[] battery = Enumerable.Range(0, n).Select(k => k % 2 == 0 ? 360.0 : -360.0).ToArray();
        double[] grid = load.Zip(battery, (l, b) => l - b).ToArray();
        double[] soc = Enumerable.Range(0, n).Select(k => 40 + (k * 0.01)).ToArray();
        bool[] sat = Enumerable.Range(0, n).Select(k => k < 250).ToArray();
        GridMetrics m = GridMetrics.Compute(load, grid, battery, soc, sat, new MetricsOptions(0.01, 1000, 1000));
        Assert.Equal(1.0, m.BatteryThroughputWh, 9); // 360 W × 10 s
        Assert.Equal(40, m.SocMinPct, 9);
        Assert.Equal(49.99, m.SocMaxPct, 9);
        Assert.Equal(49.99, m.SocFinalPct, 9);
        Assert.Equal(2.5, m.SaturatedS, 9);
        Assert.Equal(460, m.PeakGridW, 9);
        Assert.Equal(-260, m.MinGridW, 9);
    }

    [Fact]
    public void The_band_stops_at_half_the_native_sample_rate()
    {
        var o = new MetricsOptions(0.01, 1, 1, NativeSampleRateHz: 10);
        Assert.Equal(5, o.EffectiveBandHighHz);
        Assert.Equal(20, new MetricsOptions(0.01, 1, 1).EffectiveBandHighHz);
    }

    [Fact]
    public void Mismatched_series_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => GridMetrics.Compute(new double[3], new double[2], new double[3], new double[3], new bool[3], new MetricsOptions(0.01, 1, 1)));
    }
}
