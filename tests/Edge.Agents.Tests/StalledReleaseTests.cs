using Edge.Agents.Contract;
using Edge.Agents.Flex;
using Edge.Agents.Nvml;

namespace Edge.Agents.Tests;

/// <summary>
/// An agent's release on virtual time: a stall (a slow level command, a starved agent, the host then running its
/// missed samples back to back) makes the release slower afterwards, never a burst of catch-up steps.
/// </summary>
public class StalledReleaseTests
{
    private sealed class Recorder : IFlexActuator
    {
        public List<(long AtNs, double LevelPct)> Written { get; } = [];

        public long NowNs { get; set; }

        public string? SetLevel(double levelPct)
        {
            Written.Add((NowNs, levelPct));
            return null;
        }

        public string Describe() => "recorder";
    }

    [Fact]
    public void An_agent_that_stalled_mid_release_steps_up_no_sooner_than_the_ramp_allows()
    {
        // 1 kW in 10 % steps released at 200 W/s: one step per 0.5 s.
        var actuator = new Recorder();
        var lever = new FlexLever(actuator, new FlexAgentOptions { RatedW = 1000, LevelStepPct = 10, ReleaseWPerS = 200, ReleaseJitterS = 0, MinLevelPct = 20 });
        const long PeriodNs = 100_000_000; // 10 Hz samples
        (double? applied, string? error) = lever.Apply("level", new AgentCommand { Id = "c1", ExpiresAt = DateTimeOffset.UnixEpoch.AddSeconds(1), LevelPct = 40 }, 0, 1_000_000_000);
        Assert.Null(error);
        Assert.Equal(40, applied);

        // Samples every 100 ms, except a 2 s stall right after the command expired (the ramp's value runs on meanwhile).
        for (long now = PeriodNs; now <= 10_000_000_000; now += PeriodNs)
        {
            if (now is > 1_000_000_000 and < 3_000_000_000)
            {
                continue;
            }

            actuator.NowNs = now;
            lever.Sample(now, now / PeriodNs, now / 1_000_000);
        }

        var ups = actuator.Written.Where(w => w.LevelPct > 40).ToList();
        Assert.Equal([50, 60, 70, 80, 90, 100], ups.Select(w => w.LevelPct));
        for (int i = 1; i < ups.Count; i++)
        {
            double gapS = (ups[i].AtNs - ups[i - 1].AtNs) / 1e9;
            Assert.True(gapS >= 0.5 - 1e-9, $"step {ups[i - 1].LevelPct} → {ups[i].LevelPct} % came {gapS:F1} s after the last: faster than the ramp (0.5 s a step)");
        }

        Assert.True(lever.IsFree);
    }

    [Fact]
    public void A_gpu_agent_that_stalled_mid_release_raises_its_cap_no_faster_than_the_ramp_even_when_its_samples_bunch()
    {
        // Two GPUs, node cap 1400 W released at 500 W/s, 10 Hz: one sample's worth is 50 W.
        var nvml = new FakeNvml(2, 100_000, 700_000, 600_000);
        var lever = new GpuLever(nvml, new GpuAgentOptions { MaxCapW = 1400, MinCapW = 400, ReleaseWPerS = 500, ReleaseJitterS = 0, Identity = "gpu-01" });
        lever.Sample(0, 0, 0);
        (double? applied, string? error) = lever.Apply("power-cap", new AgentCommand { Id = "c1", ExpiresAt = DateTimeOffset.UnixEpoch.AddSeconds(1), CapW = 400 }, 50_000_000, 1_000_000_000);
        Assert.True(error is null, error);
        Assert.Equal(400, applied);

        // Samples every 100 ms up to the expiry; then a 1 s stall, after which the host runs the ten missed samples
        // back to back (1 ms apart) and goes on at 10 Hz.
        var times = new List<long>();
        for (long t = 100_000_000; t <= 1_000_000_000; t += 100_000_000)
        {
            times.Add(t);
        }

        for (int k = 1; k <= 10; k++)
        {
            times.Add(2_000_000_000 + (k * 1_000_000));
        }

        for (long t = 2_100_000_000; t <= 6_000_000_000; t += 100_000_000)
        {
            times.Add(t);
        }

        var caps = new List<(long AtNs, double CapW)>();
        long seq = 1;
        foreach (long t in times)
        {
            caps.Add((t, lever.Sample(t, seq++, t / 1_000_000).CapW ?? double.NaN));
        }

        for (int i = 1; i < caps.Count; i++)
        {
            double riseW = caps[i].CapW - caps[i - 1].CapW, dtS = (caps[i].AtNs - caps[i - 1].AtNs) / 1e9;
            Assert.True(riseW <= (500 * Math.Min(dtS, 0.1)) + 1e-6, $"the cap rose {riseW:F0} W in {dtS:F3} s at {caps[i].AtNs / 1e9:F3} s: faster than the 500 W/s ramp");
        }

        Assert.Equal(1400, caps[^1].CapW, 1e-6);
    }
}
