using Edge.Core.Metrics;

namespace Edge.Core.Tests;

public class WelchTests
{
    private static double[] Sine(double amplitude, double freqHz, double rateHz, int n, double offset = 0) =>
        Enumerable.Range(0, n).Select(i => offset + (amplitude * Math.Sin(2 * Math.PI * freqHz * i / rateHz))).ToArray();

    [Fact]
    public void A_sines_power_lands_in_its_band_and_equals_half_the_amplitude_squared()
    {
        // 2 Hz sine of amplitude 3 at 100 Hz for 400 s: power A²/2 = 4.5 inside a band around 2 Hz.
        double[] x = Sine(3, 2, 100, 40_000, offset: 1000);
        Welch.Spectrum s = Welch.Estimate(x, 100, 10_000);
        Assert.Equal(4.5, s.BandPower(1.5, 2.5), 2);
        Assert.True(s.BandPower(3, 50) < 1e-6, "power leaked far from the sine");
        Assert.True(s.BandPower(0, 1) < 1e-6, "the mean was not removed or power leaked low");
        int peak = Array.IndexOf(s.DensityPerHz, s.DensityPerHz.Max());
        Assert.InRange(s.FrequenciesHz[peak], 1.98, 2.02);
    }

    [Fact]
    public void White_noise_has_a_flat_density_of_variance_over_half_the_rate()
    {
        var rng = new Random(3);
        const double rate = 50;
        double[] x = Enumerable.Range(0, 200_000).Select(_ => (rng.NextDouble() - 0.5) * Math.Sqrt(12)).ToArray(); // variance 1
        Welch.Spectrum s = Welch.Estimate(x, rate, 5000);
        // One-sided density of unit-variance white noise: 1 / (rate / 2).
        double mid = s.BandPower(5, 20) / 15;
        Assert.Equal(2.0 / rate, mid, 3);
        Assert.Equal(1.0, s.BandPower(0, rate / 2), 1);
    }

    [Fact]
    public void Segments_overlap_by_half()
    {
        Welch.Spectrum s = Welch.Estimate(new double[1000], 10, 200);
        Assert.Equal(9, s.Segments); // (1000 − 200) / 100 + 1
    }

    [Fact]
    public void An_odd_segment_steps_like_scipy_and_the_fft_length_is_the_segment_length()
    {
        // scipy: noverlap = nperseg // 2 = 100, step 101; bins k·fs/nperseg, no zero padding.
        Welch.Spectrum s = Welch.Estimate(new double[1000], 10, 201);
        Assert.Equal(8, s.Segments); // (1000 − 201) / 101 + 1
        Assert.Equal(101, s.FrequenciesHz.Length);
        Assert.Equal(10.0 / 201, s.BinWidthHz, 15);
        Welch.Spectrum t = Welch.Estimate(new double[30_000], 100, 10_000);
        Assert.Equal(5001, t.FrequenciesHz.Length);
        Assert.Equal(0.1, t.FrequenciesHz[10], 15);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(101)]
    public void One_segment_equals_a_naive_hann_periodogram(int n)
    {
        var rng = new Random(n);
        double[] x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 10).ToArray();
        const double rate = 20;
        Welch.Spectrum s = Welch.Estimate(x, rate, n);
        double mean = x.Average();
        double[] w = Enumerable.Range(0, n).Select(i => 0.5 * (1 - Math.Cos(2 * Math.PI * i / n))).ToArray();
        double power = w.Sum(v => v * v);
        for (int k = 0; k <= n / 2; k++)
        {
            double re = 0, im = 0;
            for (int t = 0; t < n; t++)
            {
                re += (x[t] - mean) * w[t] * Math.Cos(2 * Math.PI * k * t / n);
                im -= (x[t] - mean) * w[t] * Math.Sin(2 * Math.PI * k * t / n);
            }

            double expected = ((re * re) + (im * im)) / (rate * power) * (k == 0 || (n % 2 == 0 && k == n / 2) ? 1 : 2);
            Assert.Equal(expected, s.DensityPerHz[k], 10);
            Assert.Equal(k * rate / n, s.FrequenciesHz[k], 12);
        }
    }

    [Fact]
    public void Fed_sample_by_sample_it_equals_the_whole_series_estimate()
    {
        var rng = new Random(5);
        double[] x = Enumerable.Range(0, 12_345).Select(_ => rng.NextDouble()).ToArray();
        var welch = new Welch(100, 1000);
        foreach (double v in x)
        {
            welch.Add(v);
        }

        Welch.Spectrum a = welch.Result(), b = Welch.Estimate(x, 100, 1000);
        Assert.Equal(b.Segments, a.Segments);
        Assert.Equal(b.DensityPerHz, a.DensityPerHz);
    }

    [Fact]
    public void A_short_signal_uses_one_segment_of_its_own_length()
    {
        Welch.Spectrum s = Welch.Estimate(Sine(1, 1, 10, 300), 10, 100_000);
        Assert.Equal(1, s.Segments);
    }

    [Fact]
    public void Band_ratio_of_a_signal_with_itself_is_one_and_of_a_constant_is_zero()
    {
        double[] load = Sine(100, 0.5, 100, 30_000, 500);
        double[] flat = Enumerable.Repeat(500.0, 30_000).ToArray();
        Assert.Equal(1.0, GridMetrics.InBandRatio(load, load, 0.01, 0.1, 20), 12);
        Assert.Equal(0.0, GridMetrics.InBandRatio(load, flat, 0.01, 0.1, 20), 12);
        double[] half = load.Select(v => 500 + ((v - 500) / 2)).ToArray();
        Assert.Equal(0.25, GridMetrics.InBandRatio(load, half, 0.01, 0.1, 20), 9);
    }
}
