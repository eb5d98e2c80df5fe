using Edge.Core.Levers;
using Edge.Simulation.Agents;

namespace Edge.Agents.Tests;

/// <summary>
/// Reversion is a ramp: 200 simulated agents whose commands expire at one instant release without a step — the summed
/// power rises no faster than the fleet's ramp limit in any 1 s window (virtual time, 10 ms steps).
/// </summary>
public class FleetReleaseTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Agents = 200;
    private const long StepNs = 10_000_000;

    /// <summary>Largest rise of <paramref name="w"/> over any window of <paramref name="window"/> samples, W.</summary>
    private static double MaxWindowRiseW(double[] w, int window)
    {
        double worst = 0;
        for (int j = 1; j < w.Length; j++)
        {
            for (int i = Math.Max(0, j - window); i < j; i++)
            {
                worst = Math.Max(worst, w[j] - w[i]);
            }
        }

        return worst;
    }

    private static double[] RunGpus(double fleetRampWPerS, double jitterS, double? commandedRelease, out SimulatedGpuNode[] nodes)
    {
        const double maxCapW = 5600, capW = 2800;
        nodes = new SimulatedGpuNode[Agents];
        long expiresNs = 5_000_000_000;
        for (int a = 0; a < Agents; a++)
        {
            var lever = new ReleaseRamp(1600, maxCapW, maxCapW, releaseWPerS: fleetRampWPerS / Agents, jitterS, ReleaseRamp.SeedOf($"gpu-{a:D3}"));
            Assert.True(lever.TryCommand(capW, 0, expiresNs, commandedRelease, out string? error), error);
            nodes[a] = new SimulatedGpuNode(lever, _ => 5400, responseLatencyS: 0.1);
        }

        var sum = new double[(int)(120e9 / StepNs)];
        for (int k = 0; k < sum.Length; k++)
        {
            long now = k * StepNs;
            foreach (SimulatedGpuNode n in nodes)
            {
                sum[k] += n.Step(now);
            }
        }

        return sum;
    }

    [Fact]
    public void Two_hundred_gpu_caps_expiring_together_release_within_the_fleet_ramp()
    {
        const double fleetRampWPerS = 10_800;   // 1 %/s of the fleet's 200 × 5.4 kW
        double[] sum = RunGpus(fleetRampWPerS, jitterS: 5, commandedRelease: null, out SimulatedGpuNode[] nodes);
        double rise = MaxWindowRiseW(sum, 100);
        output.WriteLine($"200 GPU caps: largest 1 s rise {rise:F0} W (limit {fleetRampWPerS} W/s)");
        Assert.True(rise <= fleetRampWPerS * 1.001, $"the fleet rose {rise:F0} W in 1 s; the limit is {fleetRampWPerS} W/s");
        // The release did happen: every cap is back at its free value and the fleet draws its demand.
        Assert.All(nodes, n => Assert.Equal(LeverPhase.Free, n.Lever.Phase));
        Assert.Equal(Agents * 5400, sum[^1], 6);
        Assert.Equal(Agents * 2800, sum[(int)(5e9 / StepNs)], 6);
        Assert.All(nodes, n => Assert.Equal(1, n.Lever.Expiries));
        Assert.True(nodes[0].EnergyLostWh > 0 && nodes[0].CappedS > 5);
    }

    [Fact]
    public void Without_the_ramp_the_same_fleet_makes_the_step()
    {
        // The control case that shows the test can fail: an instant release (huge rate, no jitter).
        double[] sum = RunGpus(1e12, jitterS: 0, commandedRelease: null, out _);
        double step = MaxWindowRiseW(sum, 100);
        output.WriteLine($"instant release: largest 1 s rise {step:F0} W");
        Assert.True(step > 0.9 * Agents * (5400 - 2800));
    }

    [Fact]
    public void Random_delays_bunch_the_steps_of_quantised_loads_which_is_why_they_get_slots()
    {
        const double ratedW = 5000, fleetRampWPerS = 10_000;
        var miners = new SimulatedMiner[Agents];
        for (int a = 0; a < Agents; a++)
        {
            var lever = new ReleaseRamp(0, ratedW, ratedW, fleetRampWPerS / Agents, jitterS: 20, ReleaseRamp.SeedOf($"miner-{a:D3}"));
            miners[a] = new SimulatedMiner(lever, ratedW, levelStepPct: 5, transitionS: 2);
            Assert.True(lever.TryCommand(0, 0, 10_000_000_000, null, out _));
        }

        var sum = new double[(int)(160e9 / StepNs)];
        for (int k = 0; k < sum.Length; k++)
        {
            foreach (SimulatedMiner m in miners)
            {
                sum[k] += m.Step(k * StepNs);
            }
        }

        double bunched = MaxWindowRiseW(sum, 100);
        output.WriteLine($"200 miners with random delays: largest 1 s rise {bunched:F0} W");
        Assert.True(bunched > fleetRampWPerS + 250);
    }

    [Fact]
    public void A_command_may_slow_the_release_but_never_speed_it_up()
    {
        var lever = new ReleaseRamp(0, 1000, 1000, releaseWPerS: 10, jitterS: 0, seed: 1);
        Assert.True(lever.TryCommand(0, 0, 1_000_000_000, releaseWPerS: 1e6, out _));
        lever.Update(2_000_000_000);
        Assert.Equal(10, lever.ValueW, 6);       // 1 s of release at the local 10 W/s, not 1e6
        Assert.True(lever.TryCommand(0, 2_000_000_000, 3_000_000_000, releaseWPerS: 2, out _));
        lever.Update(4_000_000_000);
        Assert.Equal(2, lever.ValueW, 6);        // slowed to 2 W/s by the command
        Assert.False(lever.TryCommand(1001, 4_000_000_000, 5_000_000_000, null, out string? error));
        Assert.Contains("local limits", error!, StringComparison.Ordinal);
        Assert.False(lever.TryCommand(500, 4_000_000_000, 4_000_000_000, null, out error));
        Assert.Contains("expired", error!, StringComparison.Ordinal);
        Assert.Equal(2, lever.ValueW, 6);        // refused commands changed nothing
    }

    [Fact]
    public void Two_hundred_miners_restarting_together_stay_within_the_fleet_ramp()
    {
        const double ratedW = 5000, fleetRampWPerS = 10_000;
        var miners = new SimulatedMiner[Agents];
        for (int a = 0; a < Agents; a++)
        {
            double rate = fleetRampWPerS / Agents;
            var lever = new ReleaseRamp(0, ratedW, ratedW, rate, jitterS: 0, seed: 1, fixedDelayS: ReleaseRamp.SlotDelayS(a, Agents, 0.05 * ratedW, rate));
            miners[a] = new SimulatedMiner(lever, ratedW, levelStepPct: 5, transitionS: 2);
            Assert.True(lever.TryCommand(0, 0, 10_000_000_000, null, out _));
        }

        var sum = new double[(int)(160e9 / StepNs)];
        for (int k = 0; k < sum.Length; k++)
        {
            foreach (SimulatedMiner m in miners)
            {
                sum[k] += m.Step(k * StepNs);
            }
        }

        Assert.Equal(0, sum[(int)(9e9 / StepNs)], 6);             // curtailed within the 2 s transition
        Assert.Equal(Agents * ratedW, sum[^1], 6);                 // all back
        double rise = MaxWindowRiseW(sum, 100);
        output.WriteLine($"200 miners with slots: largest 1 s rise {rise:F0} W (limit {fleetRampWPerS} W/s)");
        // Levels are quantised to 5 % (250 W) steps; with release slots the steps interleave evenly, so a 1 s window
        // holds at most one step more than the ramp allows.
        Assert.True(rise <= fleetRampWPerS + 250, $"the fleet rose {rise:F0} W in 1 s; ramp {fleetRampWPerS} W/s");
    }
}
