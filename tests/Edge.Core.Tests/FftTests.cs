using Edge.Core.Metrics;

namespace Edge.Core.Tests;

public class FftTests
{
    [Fact]
    public void Impulse_transforms_to_all_ones()
    {
        var re = new double[16];
        var im = new double[16];
        re[0] = 1;
        Fft.Forward(re, im);
        for (int k = 0; k < 16; k++)
        {
            Assert.Equal(1.0, re[k], 12);
            Assert.Equal(0.0, im[k], 12);
        }
    }

    [Fact]
    public void Shifted_impulse_has_linear_phase()
    {
        const int n = 32;
        var re = new double[n];
        var im = new double[n];
        re[3] = 1;
        Fft.Forward(re, im);
        for (int k = 0; k < n; k++)
        {
            double angle = -2 * Math.PI * k * 3 / n;
            Assert.Equal(Math.Cos(angle), re[k], 12);
            Assert.Equal(Math.Sin(angle), im[k], 12);
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(1024)]
    public void Matches_a_naive_dft_on_random_data(int n)
    {
        var rng = new Random(n);
        var re = new double[n];
        var im = new double[n];
        for (int i = 0; i < n; i++)
        {
            re[i] = rng.NextDouble() - 0.5;
            im[i] = rng.NextDouble() - 0.5;
        }

        double[] xr = (double[])re.Clone(), xi = (double[])im.Clone();
        Fft.Forward(re, im);
        for (int k = 0; k < n; k += Math.Max(1, n / 32))
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * k * t / n;
                sr += (xr[t] * Math.Cos(a)) - (xi[t] * Math.Sin(a));
                si += (xr[t] * Math.Sin(a)) + (xi[t] * Math.Cos(a));
            }

            Assert.Equal(sr, re[k], 9);
            Assert.Equal(si, im[k], 9);
        }
    }

    [Fact]
    public void Cosine_lands_in_its_bin_with_half_the_amplitude_times_n()
    {
        const int n = 256;
        const int bin = 10;
        var re = new double[n];
        var im = new double[n];
        for (int t = 0; t < n; t++)
        {
            re[t] = 3.0 * Math.Cos(2 * Math.PI * bin * t / n);
        }

        Fft.Forward(re, im);
        Assert.Equal(3.0 * n / 2, re[bin], 8);
        Assert.Equal(3.0 * n / 2, re[n - bin], 8);
        for (int k = 0; k < n; k++)
        {
            if (k != bin && k != n - bin)
            {
                Assert.True(Math.Abs(re[k]) < 1e-8 && Math.Abs(im[k]) < 1e-8, $"bin {k} leaked");
            }
        }
    }

    [Fact]
    public void Parseval_holds_for_a_large_transform()
    {
        const int n = 1 << 16;
        var rng = new Random(7);
        var re = new double[n];
        var im = new double[n];
        double timeEnergy = 0;
        for (int i = 0; i < n; i++)
        {
            re[i] = rng.NextDouble() - 0.5;
            timeEnergy += re[i] * re[i];
        }

        Fft.Forward(re, im);
        double freqEnergy = 0;
        for (int k = 0; k < n; k++)
        {
            freqEnergy += (re[k] * re[k]) + (im[k] * im[k]);
        }

        Assert.Equal(timeEnergy, freqEnergy / n, 6);
    }

    [Fact]
    public void Rejects_lengths_that_are_not_powers_of_two()
    {
        Assert.Throws<ArgumentException>(() => Fft.Forward(new double[12], new double[12]));
        Assert.Throws<ArgumentException>(() => Fft.Forward(new double[16], new double[8]));
        Assert.Equal(16, Fft.NextPowerOfTwo(9));
        Assert.Equal(16, Fft.NextPowerOfTwo(16));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(1024)]
    [InlineData(2381)]
    [InlineData(5000)]
    [InlineData(10000)]
    [InlineData(12)]
    [InlineData(90)]
    public void A_plan_of_any_length_matches_a_naive_dft(int n)
    {
        var rng = new Random(n);
        var re = new double[n];
        var im = new double[n];
        for (int i = 0; i < n; i++)
        {
            re[i] = rng.NextDouble() - 0.5;
            im[i] = rng.NextDouble() - 0.5;
        }

        double[] xr = (double[])re.Clone(), xi = (double[])im.Clone();
        new FftPlan(n).Forward(re, im);
        for (int k = 0; k < n; k += Math.Max(1, n / 40))
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * ((long)k * t % n) / n;
                sr += (xr[t] * Math.Cos(a)) - (xi[t] * Math.Sin(a));
                si += (xr[t] * Math.Sin(a)) + (xi[t] * Math.Cos(a));
            }

            Assert.Equal(sr, re[k], 9);
            Assert.Equal(si, im[k], 9);
        }
    }
}
