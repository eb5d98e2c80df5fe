namespace Edge.Simulation.Profiles;

/// <summary>
/// Inference-like bursty load: request batches arrive as a Poisson process; each raises power for an exponentially
/// distributed time (with a short prefill spike at its start); concurrent batches add up, saturating at the peak;
/// between them the GPUs idle with the model loaded. Deterministic per seed.
/// </summary>
public sealed class InferenceProfile : SampledProfile
{
    /// <summary>The profile's parameters, with defaults and ranges.</summary>
    public static IReadOnlyList<ProfileParameter> Parameters { get; } =
    [
        new("peak_w", 5_000, 1, 1e10, "peak cluster power, W"),
        new("duration_s", 900, 10, 604_800, "length of the generated cycle, s (the profile repeats after it)"),
        new("seed", 1, 0, 9_007_199_254_740_992, "random seed"),
        new("resolution_s", 0.01, 0.0005, 1, "sample spacing, s"),
        new("idle_frac", 0.25, 0, 1, "power with the model loaded and no request, fraction of peak"),
        new("burst_rate_hz", 0.5, 0.001, 1000, "mean arrival rate of request batches, 1/s"),
        new("burst_mean_s", 1.5, 0.01, 3600, "mean duration of a batch, s"),
        new("burst_min_frac", 0.3, 0, 1, "smallest power a batch adds, fraction of peak"),
        new("burst_max_frac", 0.7, 0, 1, "largest power a batch adds, fraction of peak"),
        new("prefill_frac", 0.15, 0, 1, "extra power during the first 0.1 s of a batch (prefill), fraction of peak"),
        new("noise_frac", 0.02, 0, 0.5, "standard deviation of white noise, fraction of peak"),
        new("edge_s", 0.02, 0, 10, "time a transition takes, s"),
    ];

    private InferenceProfile(double[] samplesW, double resolutionS, string description)
        : base(samplesW, resolutionS, description)
    {
    }

    /// <summary>Generates the profile for a parsed spec (see <see cref="Parameters"/>).</summary>
    public static InferenceProfile Create(ProfileSpec p)
    {
        double peakW = p["peak_w"];
        double resolutionS = p["resolution_s"];
        var rng = new DeterministicRandom((ulong)p["seed"]);
        var samples = new double[Math.Max(2, (int)Math.Round(p["duration_s"] / resolutionS))];
        double durationS = samples.Length * resolutionS;
        double edgeS = Math.Max(p["edge_s"], resolutionS);

        for (double t = rng.Exponential(1 / p["burst_rate_hz"]); t < durationS; t += rng.Exponential(1 / p["burst_rate_hz"]))
        {
            double lengthS = Math.Max(0.2, rng.Exponential(p["burst_mean_s"]));
            double addW = rng.Uniform(p["burst_min_frac"], Math.Max(p["burst_min_frac"], p["burst_max_frac"])) * peakW;
            double spikeW = p["prefill_frac"] * peakW;
            int first = (int)(t / resolutionS);
            int last = Math.Min(samples.Length, (int)((t + lengthS) / resolutionS));
            for (int k = first; k < last; k++)
            {
                double sinceS = (k * resolutionS) - t;
                double untilS = t + lengthS - (k * resolutionS);
                double shape = Math.Clamp(Math.Min(sinceS, untilS) / edgeS, 0, 1);
                samples[k] += shape * (addW + (sinceS < 0.1 ? spikeW : 0));
            }
        }

        double idleW = p["idle_frac"] * peakW;
        double noiseW = p["noise_frac"] * peakW;
        for (int k = 0; k < samples.Length; k++)
        {
            samples[k] = Math.Clamp(idleW + samples[k] + (noiseW * rng.Gaussian()), 0, peakW);
        }

        return new InferenceProfile(samples, resolutionS, p.Describe());
    }
}
