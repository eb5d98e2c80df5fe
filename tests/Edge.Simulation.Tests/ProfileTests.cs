using Edge.Simulation.Profiles;
using Edge.Tests.Shared;

namespace Edge.Simulation.Tests;

public class ProfileTests
{
    private static double[] Sample(ILoadProfile p, double periodS, double durationS) =>
        Enumerable.Range(0, (int)(durationS / periodS)).Select(k => p.PowerAt(k * periodS)).ToArray();

    [Fact]
    public void The_same_seed_gives_the_same_profile_and_another_seed_another()
    {
        double[] a = Sample(LoadProfiles.Create("ai-training:seed=5,duration_s=300"), 0.01, 300);
        double[] b = Sample(LoadProfiles.Create("ai-training:seed=5,duration_s=300"), 0.01, 300);
        double[] c = Sample(LoadProfiles.Create("ai-training:seed=6,duration_s=300"), 0.01, 300);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Training_has_near_peak_compute_and_deep_communication_dips(int seed)
    {
        SampledProfile p = LoadProfiles.Create($"ai-training:seed={seed},duration_s=1800,noise_frac=0,first_idle_s=0,start_ramp_s=1");
        double[] x = Sample(p, 0.01, 1800);
        Assert.InRange(x.Max(), 0.9 * 5000, 5000);
        // Time spent near peak (compute) and in the 10–30 % band (dips, checkpoints at 25 %) are both substantial.
        double computeShare = x.Count(v => v > 0.85 * 5000) / (double)x.Length;
        double dipShare = x.Count(v => v >= 0.09 * 5000 && v <= 0.31 * 5000) / (double)x.Length;
        Assert.True(computeShare > 0.2, $"compute share {computeShare:P0}");
        Assert.True(dipShare > 0.05, $"dip share {dipShare:P0}");
        Assert.All(x, v => Assert.InRange(v, 0, 5000));
    }

    [Fact]
    public void Iterations_put_energy_where_training_does_between_a_tenth_and_a_few_hertz()
    {
        // Fixed 1 s iterations: a swing of peak − dip at 1 Hz must dominate the 0.1–5 Hz band.
        SampledProfile p = LoadProfiles.Create("ai-training:duration_s=600,iteration_min_s=1,iteration_max_s=1,noise_frac=0,job_mean_s=100000,first_idle_s=0,start_ramp_s=0,checkpoint_every_min_s=10000,checkpoint_every_max_s=10000,stall_prob=0");
        double[] x = Sample(p, 0.01, 600);
        var spectrum = Edge.Core.Metrics.Welch.Estimate(x, 100, 10_000);
        double around1Hz = spectrum.BandPower(0.9, 1.1);
        double band = spectrum.BandPower(0.1, 5);
        Assert.True(around1Hz / band > 0.6, $"1 Hz share of in-band power {around1Hz / band:P0}");
    }

    [Fact]
    public void Scale_follows_peak_w_from_a_node_to_a_hall()
    {
        double[] node = Sample(LoadProfiles.Create("ai-training:peak_w=5000,seed=9,duration_s=120"), 0.05, 120);
        double[] hall = Sample(LoadProfiles.Create("ai-training:peak_w=3e8,seed=9,duration_s=120"), 0.05, 120);
        for (int k = 0; k < node.Length; k++)
        {
            Assert.Equal(node[k] / 5000, hall[k] / 3e8, 9);
        }
    }

    [Fact]
    public void A_profile_repeats_after_its_duration_and_interpolates_between_samples()
    {
        SampledProfile p = LoadProfiles.Create("ai-training:duration_s=60,resolution_s=0.1");
        Assert.Equal(p.PowerAt(12.3), p.PowerAt(72.3), 9);
        double a = p.PowerAt(10.0), b = p.PowerAt(10.1);
        Assert.Equal((a + b) / 2, p.PowerAt(10.05), 9);
    }

    [Fact]
    public void Inference_is_bursty_above_an_idle_floor()
    {
        SampledProfile p = LoadProfiles.Create("inference:seed=3,duration_s=600,noise_frac=0");
        double[] x = Sample(p, 0.01, 600);
        Assert.Equal(0.25 * 5000, x.Min(), 6);
        Assert.True(x.Max() > 0.6 * 5000);
        double idleShare = x.Count(v => v < 0.26 * 5000) / (double)x.Length;
        Assert.InRange(idleShare, 0.1, 0.9);
    }

    [Theory]
    [InlineData("ai-training:bogus=1", "unknown parameter 'bogus'")]
    [InlineData("ai-training:peak_w=-5", "out of range")]
    [InlineData("ai-training:peak_w=abc", "not a number")]
    [InlineData("ai-training:peak_w", "not key=value")]
    [InlineData("solar", "Unknown profile 'solar'")]
    [InlineData("ai-training:peak_w=1000,peak_w=2000", "peak_w is given twice")]
    public void Bad_specs_are_explained(string spec, string expected)
    {
        FormatException e = Assert.Throws<FormatException>(() => LoadProfiles.Create(spec));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        FormatException checkError = Assert.Throws<FormatException>(() => LoadProfiles.Check(spec));
        Assert.Equal(e.Message, checkError.Message);
    }

    [Theory]
    [InlineData("ai-training:peak_w=3200,duration_s=3600", "ai-training")]
    [InlineData(" inference ", "inference")]
    [InlineData("ai-training :seed=2", "ai-training")]
    public void Check_accepts_what_Create_generates_and_keeps_the_kind(string spec, string kind)
    {
        Assert.Equal(kind, LoadProfiles.Check(spec).Name.Trim());
        SampledProfile generated = LoadProfiles.Create(spec);
        Assert.Equal(kind == "ai-training", generated is AiTrainingProfile);
    }

    [Fact]
    public void PowerAt_is_allocation_free_and_thread_safe()
    {
        SampledProfile p = LoadProfiles.Create("ai-training:duration_s=120");
        p.PowerAt(1);
        double sum = 0;
        Action pass = () =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                sum += p.PowerAt(i * 0.001);
            }
        };
        Assert.Equal(0, SteadyAllocations.PerPassMinimum(pass));
        double[] parallel = new double[1000];
        Parallel.For(0, 1000, i => parallel[i] = p.PowerAt(i * 0.1));
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(p.PowerAt(i * 0.1), parallel[i]);
        }

        Assert.True(sum > 0);
    }
}
