using Edge.Core.Forecast;

namespace Edge.Core.Tests;

/// <summary>
/// The persistence level (docs/planner.md §2): still through noise, at once after a move, following a drift; fed 10 ms
/// samples on virtual time and updated once a second, as the planner does.
/// </summary>
public sealed class PersistenceLevelTests
{
    private const long PeriodNs = 10_000_000;
    private const double NoiseW = 300; // per 10 ms sample: the 1 s means scatter by 30 W

    /// <summary>Runs <paramref name="seconds"/> of <paramref name="load"/> plus noise, calling <paramref name="each"/> after every 1 s update.</summary>
    private static void Run(Func<double, double> load, int seconds, Action<double, PersistenceLevel> each, PhasePredictor? phases = null, PersistenceLevel? level = null)
    {
        phases ??= new PhasePredictor();
        level ??= new PersistenceLevel();
        var random = new Random(7);
        for (long k = 0; k < seconds * 100L; k++)
        {
            double u1 = 1 - random.NextDouble();
            double u2 = random.NextDouble();
            double noise = NoiseW * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            phases.Add(k * PeriodNs, load(k * 0.01) + noise);
            if (k % 100 == 99)
            {
                level.Update(phases);
                each((k + 1) * 0.01, level);
            }
        }
    }

    [Fact]
    public void On_a_flat_noisy_load_the_level_holds_still_near_the_load()
    {
        int changes = 0;
        double previous = double.NaN;
        double worstW = 0;
        double noiseSumW = 0;
        int rounds = 0;
        Run(_ => 10_000, 600, (t, level) =>
        {
            if (t > 60)
            {
                changes += level.LevelW != previous ? 1 : 0;
                worstW = Math.Max(worstW, Math.Abs(level.LevelW - 10_000));
                noiseSumW += level.NoiseW;
                rounds++;
            }

            previous = level.LevelW;
        });

        Assert.InRange(noiseSumW / rounds, 25, 35); // σ of a 1 s mean of 100 samples: 30 W
        // The newest 1 s mean alone would change 540 times and stray up to ~100 W.
        Assert.True(changes <= 20, $"the level changed {changes} times in 540 s");
        Assert.True(worstW < 60, $"the level strayed {worstW:F0} W from the load");
    }

    [Fact]
    public void A_move_beyond_the_noise_is_followed_at_the_first_update_after_it()
    {
        // The step at 120 s is in the bin [120, 121), complete once the sample at 121 s has come: the update at 122 s.
        double at121 = double.NaN;
        double at122 = double.NaN;
        Run(t => t < 120 ? 10_000 : 13_000, 180, (t, level) =>
        {
            at121 = Math.Abs(t - 121) < 1e-6 ? level.LevelW : at121;
            at122 = Math.Abs(t - 122) < 1e-6 ? level.LevelW : at122;
        });

        Assert.InRange(at121, 9_900, 10_100);
        Assert.InRange(at122, 12_900, 13_100);
    }

    [Fact]
    public void A_slow_drift_is_followed_within_a_few_noise_deviations()
    {
        double worstW = 0;
        Run(t => 10_000 + (2 * t), 600, (t, level) => // 2 W/s: 0.07 noise deviations of a 1 s mean per second
        {
            if (t > 60)
            {
                worstW = Math.Max(worstW, Math.Abs(level.LevelW - (10_000 + (2 * t))));
            }
        });

        Assert.True(worstW < 150, $"the level lagged the drift by up to {worstW:F0} W");
    }

    [Fact]
    public void Before_ten_seconds_are_seen_the_level_is_the_mean_of_what_there_is()
    {
        var phases = new PhasePredictor();
        var level = new PersistenceLevel();
        Assert.True(double.IsNaN(level.LevelW));
        level.Update(phases);
        Assert.True(double.IsNaN(level.LevelW));
        for (long k = 0; k <= 300; k++)
        {
            phases.Add(k * PeriodNs, k < 100 ? 1_000 : k < 200 ? 2_000 : 6_000); // three complete 1 s bins
        }

        level.Update(phases);
        Assert.Equal(3_000, level.LevelW, 9);
        Assert.True(double.IsNaN(level.NoiseW));
    }

    [Fact]
    public void An_update_allocates_nothing()
    {
        var phases = new PhasePredictor();
        var level = new PersistenceLevel();
        long allocated = 0;
        Run(t => t % 40 < 20 ? 10_000 : 4_000, 200, (t, l) =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            l.Update(phases);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }, phases, level);
        Assert.Equal(0, allocated);
    }
}
