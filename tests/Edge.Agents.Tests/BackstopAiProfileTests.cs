using Edge.Core.Backstop;
using Edge.Simulation.Profiles;

namespace Edge.Agents.Tests;

/// <summary>The tiered backstop against the AI-training profile (virtual time, 10 ms periods).</summary>
public class BackstopAiProfileTests
{
    [Fact]
    public void The_raw_training_load_escalates_and_a_smoothed_grid_does_not()
    {
        const double peakW = 1e6, periodS = 0.01;
        SampledProfile profile = LoadProfiles.Create($"ai-training:peak_w={peakW},duration_s=600,seed=3");
        var raw = new TieredBackstop(BackstopPolicy.Default(0.01 * peakW), periodS);
        var smooth = new TieredBackstop(BackstopPolicy.Default(0.01 * peakW), periodS);
        int maxRawTier = 0, maxSmoothTier = 0;
        double grid = profile.PowerAt(0), lowPassW = grid;
        for (int k = 0; k < 60_000; k++)
        {
            double load = profile.PowerAt(k * periodS);
            // A 30 s low-pass behind a 1 %/s ramp limit stands in for a battery-smoothed grid.
            lowPassW += (load - lowPassW) * periodS / 30;
            grid += Math.Clamp(lowPassW - grid, -0.01 * peakW * periodS, 0.01 * peakW * periodS);
            maxRawTier = Math.Max(maxRawTier, raw.Step(load, load));
            maxSmoothTier = Math.Max(maxSmoothTier, smooth.Step(load, grid));
        }

        Assert.Equal(4, maxRawTier);
        // The stand-in runs at its full ramp through job starts; its kinks reach the alarm tier, never an actuating one.
        Assert.True(maxSmoothTier <= 1, $"a smoothed 1 %/s grid reached tier {maxSmoothTier}");
        Assert.True(raw.Monitor.LoadAmplitudeW.Max() > 0.05 * peakW);
    }
}
