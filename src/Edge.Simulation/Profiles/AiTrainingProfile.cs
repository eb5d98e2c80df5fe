namespace Edge.Simulation.Profiles;

/// <summary>
/// The load a large AI training job puts on the grid: every iteration all GPUs compute at near peak, then wait
/// together for the all-reduce (communication dips to 10–30 % of peak, iteration periods 0.3–10 s); checkpoints
/// pause compute for seconds to a minute; jobs start with a ramp (model load, warm-up), sometimes stall on a
/// straggler, and end abruptly (completion or crash) back to idle. White noise on top. Deterministic per seed.
/// <para>
/// Scale: <c>peak_w</c> sets the size — one 8-GPU node ≈ 5e3 W, a rack ≈ 1e5 W, a hall ≈ 3e8 W. Synchronous
/// data-parallel training keeps the swing coherent across a hall, so the shape does not average out with size;
/// raise <c>edge_s</c> to the skew between nodes for very large halls.
/// </para>
/// </summary>
public sealed class AiTrainingProfile : SampledProfile
{
    /// <summary>The profile's parameters, with defaults and ranges (documented in the README).</summary>
    public static IReadOnlyList<ProfileParameter> Parameters { get; } =
    [
        new("peak_w", 5_000, 1, 1e10, "peak cluster power, W (node ≈ 5e3, rack ≈ 1e5, hall ≈ 3e8)"),
        new("duration_s", 900, 10, 604_800, "length of the generated cycle, s (the profile repeats after it)"),
        new("seed", 1, 0, 9_007_199_254_740_992, "random seed; the same seed gives the same profile"),
        new("resolution_s", 0.01, 0.0005, 1, "sample spacing of the generated curve, s"),
        new("idle_frac", 0.15, 0, 1, "power between jobs, fraction of peak"),
        new("compute_frac", 0.95, 0.05, 1, "power while computing, fraction of peak (±2 % per iteration)"),
        new("comm_min_frac", 0.1, 0, 1, "lowest communication-dip power, fraction of peak (drawn per job)"),
        new("comm_max_frac", 0.3, 0, 1, "highest communication-dip power, fraction of peak (drawn per job)"),
        new("iteration_min_s", 0.3, 0.01, 3600, "shortest iteration period, s (drawn log-uniformly per job)"),
        new("iteration_max_s", 10, 0.01, 3600, "longest iteration period, s"),
        new("comm_duty_min", 0.15, 0.01, 0.99, "shortest share of an iteration spent communicating"),
        new("comm_duty_max", 0.4, 0.01, 0.99, "longest share of an iteration spent communicating"),
        new("checkpoint_every_min_s", 60, 1, 86_400, "shortest interval between checkpoints, s"),
        new("checkpoint_every_max_s", 240, 1, 86_400, "longest interval between checkpoints, s"),
        new("checkpoint_min_s", 5, 0.1, 3600, "shortest checkpoint pause, s"),
        new("checkpoint_max_s", 60, 0.1, 3600, "longest checkpoint pause, s"),
        new("checkpoint_frac", 0.25, 0, 1, "power during a checkpoint pause, fraction of peak"),
        new("job_mean_s", 400, 10, 604_800, "mean job length, s (exponential, at least 60 s)"),
        new("gap_min_s", 10, 0, 86_400, "shortest idle gap between jobs, s"),
        new("gap_max_s", 60, 0, 86_400, "longest idle gap between jobs, s"),
        new("first_idle_s", 20, 0, 86_400, "idle time before the first job, s"),
        new("start_ramp_s", 15, 0, 3600, "job start ramp (model load, warm-up), s"),
        new("crash_prob", 0.3, 0, 1, "probability that a job crashes (straight to idle) instead of finishing with a final checkpoint"),
        new("stall_prob", 0.2, 0, 1, "probability per job of one straggler stall (all ranks wait at dip power)"),
        new("stall_min_s", 2, 0, 3600, "shortest stall, s"),
        new("stall_max_s", 10, 0, 3600, "longest stall, s"),
        new("noise_frac", 0.01, 0, 0.5, "standard deviation of white noise, fraction of peak"),
        new("edge_s", 0.05, 0, 10, "time a transition between levels takes, s"),
    ];

    private AiTrainingProfile(double[] samplesW, double resolutionS, string description)
        : base(samplesW, resolutionS, description)
    {
    }

    /// <summary>Generates the profile for a parsed spec (see <see cref="Parameters"/>).</summary>
    public static AiTrainingProfile Create(ProfileSpec p)
    {
        double peakW = p["peak_w"];
        var rng = new DeterministicRandom((ulong)p["seed"]);
        var w = new ProfileWriter(p["duration_s"], p["resolution_s"], p["edge_s"], p["idle_frac"] * peakW);
        double idleW = p["idle_frac"] * peakW;

        w.Hold(idleW, p["first_idle_s"]);
        while (!w.Full)
        {
            double iterationS = rng.LogUniform(p["iteration_min_s"], Math.Max(p["iteration_min_s"], p["iteration_max_s"]));
            double commW = rng.Uniform(p["comm_min_frac"], Math.Max(p["comm_min_frac"], p["comm_max_frac"])) * peakW;
            double duty = rng.Uniform(p["comm_duty_min"], Math.Max(p["comm_duty_min"], p["comm_duty_max"]));
            double checkpointEveryS = rng.Uniform(p["checkpoint_every_min_s"], Math.Max(p["checkpoint_every_min_s"], p["checkpoint_every_max_s"]));
            double jobEndS = w.TimeS + Math.Max(60, rng.Exponential(p["job_mean_s"]));
            bool crash = rng.Chance(p["crash_prob"]);
            double stallAtS = rng.Chance(p["stall_prob"]) ? rng.Uniform(w.TimeS, jobEndS) : double.PositiveInfinity;

            // Start: model load and warm-up ramp towards the compute level.
            w.Ramp(p["compute_frac"] * peakW * 0.8, p["start_ramp_s"]);
            double nextCheckpointS = w.TimeS + checkpointEveryS;
            while (!w.Full && w.TimeS < jobEndS)
            {
                double computeW = Math.Min(peakW, p["compute_frac"] * peakW * (1 + (0.02 * rng.Gaussian())));
                w.Hold(computeW, iterationS * (1 - duty));
                w.Hold(commW, iterationS * duty);
                if (w.TimeS >= stallAtS)
                {
                    w.Hold(commW, rng.Uniform(p["stall_min_s"], Math.Max(p["stall_min_s"], p["stall_max_s"])));
                    stallAtS = double.PositiveInfinity;
                }

                if (w.TimeS >= nextCheckpointS)
                {
                    w.Hold(p["checkpoint_frac"] * peakW, rng.Uniform(p["checkpoint_min_s"], Math.Max(p["checkpoint_min_s"], p["checkpoint_max_s"])));
                    nextCheckpointS = w.TimeS + checkpointEveryS;
                }
            }

            if (!crash && !w.Full)
            {
                w.Hold(p["checkpoint_frac"] * peakW, rng.Uniform(p["checkpoint_min_s"], Math.Max(p["checkpoint_min_s"], p["checkpoint_max_s"])));
            }

            // Abrupt end (completion or crash) and an idle gap.
            w.Hold(idleW, rng.Uniform(p["gap_min_s"], Math.Max(p["gap_min_s"], p["gap_max_s"])));
        }

        double[] samples = w.Samples;
        double noiseW = p["noise_frac"] * peakW;
        for (int k = 0; k < samples.Length; k++)
        {
            samples[k] = Math.Clamp(samples[k] + (noiseW * rng.Gaussian()), 0, peakW);
        }

        return new AiTrainingProfile(samples, p["resolution_s"], p.Describe());
    }
}
