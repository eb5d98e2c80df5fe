using System.Text.Json;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 13 item 4: the simulated rig keeps no battery state between demo runs. Two consecutive runs in the same
/// state directory both start their simulated batteries at the simulated SoC (50 %), although the first one saved a
/// different SoC; only <c>Sim:ResumeState=true</c> resumes it (PersistedStateTests).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class SimStateTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Two_consecutive_sim_runs_both_start_at_the_simulated_soc()
    {
        using var state = new TempDir();

        // The first run leaves a SoC far from the simulated start behind, as a long demo does.
        using (var first = InProcessDaemon.Start(state.Path, "Sim:InitialSocPct=21"))
        {
            Wait.Until(() => double.IsFinite(first.Daemon.Pump!.LastSocPct), Timeout, "a SoC reading from the inverters", () => first.Log.Text);
            first.Stop();
        }

        using JsonDocument saved = JsonDocument.Parse(File.ReadAllText(state["state.json"]));
        double savedPct = saved.RootElement.GetProperty("soc_estimate_pct").GetDouble();
        output.WriteLine($"first run saved SoC {savedPct} %");
        Assert.InRange(savedPct, 18, 24);

        for (int run = 2; run <= 3; run++)
        {
            using var next = InProcessDaemon.Start(state.Path);
            foreach (var host in next.Daemon.Rig!.SimulatedInverters)
            {
                Assert.Equal(50, host.Simulator.Snapshot().SocPct, 1);
            }

            Wait.Until(() => double.IsFinite(next.Daemon.Pump!.LastSocPct), Timeout, "a SoC reading from the inverters", () => next.Log.Text);
            double firstSeenPct = next.Daemon.Pump!.LastSocPct;
            output.WriteLine($"run {run}: first SoC the loop saw {firstSeenPct} %");
            Assert.InRange(firstSeenPct, 48, 52);
            Assert.True(next.Log.Contains("starting from the simulated SoC 50 %"), next.Log.Text);
            next.Stop();
        }
    }
}
