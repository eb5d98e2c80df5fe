using Edge.Core.Levers;
using Edge.Simulation.Agents;
using Edge.Simulation.Profiles;
using Edge.Tests.Shared;

namespace Edge.Simulation.Tests;

/// <summary>
/// The simulated site with its agents' devices in it (<see cref="SimulatedSiteLoad"/>): a cap lowers the racks' load by
/// what it withholds once the node's response latency has passed, the miners are on the grid (and on the measured
/// feeders when wired so), and sampling allocates nothing — on virtual time.
/// </summary>
public class SimulatedSiteLoadTests
{
    private sealed class Flat(double powerW) : ILoadProfile
    {
        public string Description => "flat";

        public double PeakW => powerW;

        public double DurationS => 3600;

        public double PowerAt(double timeS) => powerW;
    }

    private const long S = 1_000_000_000;

    private static (SimulatedSiteLoad Site, SimulatedGpuNode Gpu, SimulatedMiner Miner) Build(bool flexInLoad)
    {
        // 3 kW of racks; one GPU node demands a third of it (1 kW, its maximum cap), a 1 kW miner beside them.
        var site = new SimulatedSiteLoad(new Flat(3_000), flexInLoad);
        ILoadProfile racks = site.Racks;
        var gpu = new SimulatedGpuNode(new ReleaseRamp(300, 1_000, 1_000, 50, 0, 1), t => racks.PowerAt(t) / 3, 0.1);
        var miner = new SimulatedMiner(new ReleaseRamp(0, 1_000, 1_000, 50, 0, 2), 1_000, 5, 2);
        site.Attach(gpu);
        site.Attach(miner, 1_000);
        return (site, gpu, miner);
    }

    [Fact]
    public void A_cap_lowers_the_racks_load_by_what_it_withholds_after_the_response_latency_and_the_grid_carries_the_miner()
    {
        (SimulatedSiteLoad site, SimulatedGpuNode gpu, SimulatedMiner miner) = Build(flexInLoad: false);
        Assert.Equal(3_000, site.PowerAt(1));
        Assert.Equal((3_000 * 1.03) + 1_000, site.GridLoadW(1, 0.03), 1e-9);

        gpu.Step(1 * S);
        Assert.True(gpu.Lever.TryCommand(400, 1 * S, 30 * S, null, out string? error), error);
        gpu.Step(1 * S + 50_000_000); // within the 100 ms response: the old cap still holds
        Assert.Equal(3_000, site.PowerAt(1.05));
        gpu.Step(1 * S + 150_000_000);
        Assert.Equal(400, gpu.EffectiveCapW);
        Assert.Equal(400, gpu.PowerW);
        Assert.Equal(1_000, gpu.DemandW);
        Assert.Equal(600, site.WithheldW(1.15));
        Assert.Equal(2_400, site.PowerAt(1.15));
        Assert.Equal((2_400 * 1.03) + 1_000, site.GridLoadW(1.15, 0.03), 1e-9);

        // The miner curtailed to 0 takes its 2 s: the grid loses it along the slew, the sensors never saw it.
        Assert.True(miner.Lever.TryCommand(0, 2 * S, 30 * S, null, out error), error);
        miner.Step(2 * S);
        miner.Step(3 * S);
        Assert.Equal(500, site.FlexW, 1e-6);
        miner.Step(4 * S);
        Assert.Equal(0, site.FlexW, 1e-6);
        Assert.Equal(2_400, site.PowerAt(4));
        Assert.Equal(2_400 * 1.03, site.GridLoadW(4, 0.03), 1e-9);
    }

    [Fact]
    public void Flexible_loads_on_the_measured_feeders_are_in_the_sensors_load_and_sampling_allocates_nothing()
    {
        (SimulatedSiteLoad site, _, _) = Build(flexInLoad: true);
        Assert.Equal(4_000, site.PowerAt(1));
        Assert.Equal(4_000, site.PeakW);
        Assert.Equal((3_000 * 1.03) + 1_000, site.GridLoadW(1, 0.03), 1e-9);

        double sum = 0;
        for (int i = 0; i < 1_000; i++)
        {
            sum += site.PowerAt(i * 0.001);
        }

        Action pass = () =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                sum += site.PowerAt(i * 0.001) + site.GridLoadW(i * 0.001, 0.03);
            }
        };
        Assert.Equal(0, SteadyAllocations.PerPassMinimum(pass));
        Assert.True(sum > 0);
    }
}
