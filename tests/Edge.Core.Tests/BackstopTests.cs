using Edge.Core.Backstop;
using Edge.Tests.Shared;

namespace Edge.Core.Tests;

/// <summary>The band monitor and the tiered backstop on virtual time (one sample per period).</summary>
public class BackstopTests
{
    private const double PeriodS = 0.01;
    private const double PeakW = 100_000;

    private const double RampWPerS = 0.01 * PeakW;

    // Tier entries at 1, 2, 4, 8 × the ramp (1000 W/s) in slope equivalent; a 0.5 Hz sine of A W rises at π·A W/s, so
    // tier 1 needs A ≥ 318 W, tier 2 637 W, tier 3 1273 W, tier 4 2546 W; exits at 0.6 ×.
    private static TieredBackstop Create() => new(BackstopPolicy.Default(RampWPerS), PeriodS);

    private static void Run(TieredBackstop b, double seconds, Func<double, double> gridAt, ref double t)
    {
        int n = (int)Math.Round(seconds / PeriodS);
        for (int k = 0; k < n; k++, t += PeriodS)
        {
            double g = gridAt(t);
            b.Step(g, g);
        }
    }

    [Theory]
    [InlineData(0.3, 0, 2000, true)]
    [InlineData(0.7, 0, 800, false)]
    [InlineData(2.2, 1, 1500, true)]
    [InlineData(3.5, 1, 3000, false)]
    [InlineData(10.0, 2, 600, true)]
    public void A_sine_shows_in_its_band_with_its_amplitude_and_frequency(double freqHz, int band, double amplitudeW, bool centred)
    {
        TieredBackstop b = Create();
        double t = 0;
        Run(b, 60, s => 50_000 + (amplitudeW * Math.Sin(2 * Math.PI * freqHz * s)), ref t);
        OscillationMonitor m = b.Monitor;
        Assert.InRange(m.GridAmplitudeW[band], 0.85 * amplitudeW, 1.1 * amplitudeW);
        Assert.InRange(m.GridDominantHz[band], freqHz / 1.12, freqHz * 1.12);
        for (int other = 0; other < 3; other++)
        {
            // The band edges are second-order: a sine near an edge leaks into the neighbour; one at a band's
            // geometric centre does not.
            if (other != band && centred)
            {
                Assert.True(m.GridAmplitudeW[other] < 0.35 * amplitudeW, $"band {other} shows {m.GridAmplitudeW[other]:F0} W of a {freqHz} Hz sine");
            }
        }
    }

    [Fact]
    public void A_chirp_moves_the_dominant_frequency_through_the_bands()
    {
        TieredBackstop b = Create();
        double t = 0;
        // 0.2 Hz → 15 Hz, exponential sweep over 200 s: the instantaneous frequency f(t) = f0 · k^t.
        const double f0 = 0.2, f1 = 15, durationS = 200;
        double k = Math.Pow(f1 / f0, 1 / durationS);
        double Phase(double s) => 2 * Math.PI * f0 * (Math.Pow(k, s) - 1) / Math.Log(k);
        var seen = new List<(double F, int Band, double Estimate)>();
        for (int check = 1; check <= 8; check++)
        {
            Run(b, durationS / 8, s => 50_000 + (2000 * Math.Sin(Phase(s))), ref t);
            double f = f0 * Math.Pow(k, t);
            int band = f < 1 ? 0 : f < 5 ? 1 : 2;
            seen.Add((f, band, b.Monitor.GridDominantHz[band]));
        }

        // The estimate lags the sweep by about the averaging time (5 s): compare with the frequency a few seconds ago.
        foreach ((double f, int band, double estimate) in seen.Skip(1))
        {
            double lagged = f / Math.Pow(k, 3);
            Assert.InRange(estimate, Math.Max(b.Policy.Bands[band].LowHz, lagged / 1.6), Math.Min(b.Policy.Bands[band].HighHz, f * 1.3));
        }
    }

    [Fact]
    public void Tiers_escalate_with_amplitude_and_leave_with_hysteresis_after_their_dwell()
    {
        TieredBackstop b = Create();
        double t = 0;
        Func<double, double> sine(double a) => s => 50_000 + (a * Math.Sin(2 * Math.PI * 0.5 * s));
        Run(b, 30, sine(200), ref t);             // 628 W/s, within the ramp limit: no tier
        Assert.Equal(0, b.ActiveTier);
        Run(b, 30, sine(400), ref t);             // 1257 W/s: tier 1
        Assert.Equal(1, b.ActiveTier);
        Assert.True(b.IsActive(BackstopAction.Alarm));
        Run(b, 30, sine(1500), ref t);            // 4712 W/s: tier 3 (1 and 2 active too)
        Assert.Equal(3, b.ActiveTier);
        Assert.True(b.IsActive(BackstopAction.GpuSmoothing));
        Assert.False(b.IsActive(BackstopAction.RequestThrottling));
        Run(b, 60, sine(1100), ref t);            // 3456 W/s, above tier 3's exit (2400) → stays (hysteresis)
        Assert.Equal(3, b.ActiveTier);
        Run(b, 60, sine(700), ref t);             // 2199 W/s: tier 3 leaves; above tier 2's exit (1200) → tier 2 stays
        Assert.Equal(2, b.ActiveTier);
        Run(b, 60, sine(0), ref t);
        Assert.Equal(0, b.ActiveTier);
    }

    [Fact]
    public void A_short_burst_holds_its_tier_for_the_minimum_dwell()
    {
        TieredBackstop b = Create();
        double t = 0;
        Run(b, 10, s => 50_000 + (5000 * Math.Sin(2 * Math.PI * 0.5 * s)), ref t);   // 15.7 kW/s: tier 4
        Assert.Equal(4, b.ActiveTier);
        long enteredPeriods = (long)(t / PeriodS);
        int tierAfterQuiet = 4;
        double quietS = 0;
        while (b.ActiveTier == 4 && quietS < 120)
        {
            b.Step(50_000, 50_000);
            t += PeriodS;
            quietS += PeriodS;
            tierAfterQuiet = b.ActiveTier;
        }

        Assert.NotEqual(4, tierAfterQuiet);
        // Tier 4 entered within the first seconds of the burst and has a 60 s dwell: it cannot leave before ~50 s of quiet.
        Assert.InRange(quietS, 49, 61);
        Assert.True(enteredPeriods > 0);
    }

    [Fact]
    public void Two_runs_on_the_same_samples_agree_exactly()
    {
        double[] Trace()
        {
            TieredBackstop b = Create();
            var tiers = new double[6000];
            var rng = new Random(7);
            for (int k = 0; k < tiers.Length; k++)
            {
                double g = 50_000 + (3000 * Math.Sin(2 * Math.PI * 1.3 * k * PeriodS)) + (500 * rng.NextDouble());
                tiers[k] = b.Step(g, g) + b.Monitor.GridAmplitudeW[1];
            }

            return tiers;
        }

        Assert.Equal(Trace(), Trace());
    }

    [Fact]
    public void A_bad_policy_is_refused_with_the_path()
    {
        var policy = BackstopPolicy.Default(RampWPerS) with
        {
            Rules = [new BackstopRule(BackstopAction.Alarm, BackstopSignal.Grid, 5, 100, 200, 1)],
        };
        IReadOnlyList<OptionError> errors = policy.Validate("Backstop", PeriodS);
        Assert.Contains(errors, e => e.Path == "Backstop:Rules:0:Band");
        Assert.Contains(errors, e => e.Path == "Backstop:Rules:0:ExitW");
        Assert.Throws<ArgumentException>(() => new TieredBackstop(policy, PeriodS));
        var aliased = BackstopPolicy.Default(RampWPerS) with { Bands = [new BandSpec(0.1, 49)] };
        Assert.Contains(aliased.Validate("Backstop", PeriodS), e => e.Path == "Backstop:Bands:0");
    }

    [Fact]
    public void A_period_allocates_nothing()
    {
        TieredBackstop b = Create();
        for (int k = 0; k < 20_000; k++)
        {
            b.Step(50_000 + (k % 100), 50_000 + (k % 37));
        }

        Action pass = () =>
        {
            for (int k = 0; k < 100_000; k++)
            {
                double v = 50_000 + (5000 * Math.Sin(k * 0.05));
                b.Step(v, v);
            }
        };
        Assert.Equal(0, SteadyAllocations.PerPassMinimum(pass));
    }
}
