using Edge.Core.Metrics;

namespace Edge.Core.Tests;

public class BandMonitorTests
{
    private static double MeanSquareAfter(double freqHz, double amplitude)
    {
        var m = new BandMonitor(0.001, 0.1, 20, averagingS: 20);
        for (int k = 0; k < 200_000; k++)
        {
            double v = 1000 + (amplitude * Math.Sin(2 * Math.PI * freqHz * k * 0.001));
            m.Add(v, v);
        }

        return m.LoadPowerW2;
    }

    [Fact]
    public void An_in_band_sine_passes_with_its_mean_square_and_out_of_band_ones_do_not()
    {
        Assert.Equal(50, MeanSquareAfter(2, 10), 0);       // A²/2 = 50
        Assert.True(MeanSquareAfter(0.005, 10) < 0.5);    // far below the band: blocked (and the DC offset too)
        Assert.True(MeanSquareAfter(200, 10) < 0.5);      // far above: blocked
    }

    [Fact]
    public void The_ratio_compares_grid_with_load()
    {
        var m = new BandMonitor(0.01);
        for (int k = 0; k < 50_000; k++)
        {
            double load = 5000 + (1000 * Math.Sign(Math.Sin(2 * Math.PI * 0.5 * k * 0.01)));
            m.Add(load, 5000 + ((load - 5000) * 0.1));
        }

        Assert.Equal(0.01, m.Ratio, 4);
        Assert.Equal(Math.Sqrt(m.GridPowerW2), m.GridRmsW, 9);
    }
}
