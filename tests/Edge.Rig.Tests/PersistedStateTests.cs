using System.Text.Json;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 7, "persisted state restored": the SoC estimate is saved at stop with write-then-rename, and the next start
/// (Sim:InitialSocPct unset, Sim:ResumeState=true — a simulated rig resumes only when told, see SimStateTests) starts
/// the simulated batteries from it; a corrupt file is reported and the daemon starts
/// from a fresh state anyway.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class PersistedStateTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_soc_estimate_survives_a_restart_and_the_file_is_replaced_by_rename()
    {
        using var state = new TempDir();
        string file = state["state.json"];

        double savedPct;
        using (var first = InProcessDaemon.Start(state.Path, "Sim:InitialSocPct=73"))
        {
            Wait.Until(() => double.IsFinite(first.Daemon.Pump!.LastSocPct), Timeout, "a SoC reading from the inverters", () => first.Log.Text);
            first.Stop();
            Assert.True(File.Exists(file), "no state.json after a clean stop");
            savedPct = Read(file).GetProperty("soc_estimate_pct").GetDouble();
            Assert.Equal(first.Daemon.Pump!.LastSocPct, savedPct, 9);
        }

        output.WriteLine($"saved SoC estimate {savedPct} %");
        Assert.InRange(savedPct, 70, 76);
        Assert.Equal(1, Read(file).GetProperty("starts").GetInt64());
        Assert.Empty(Directory.GetFiles(state.Path, ".state.json.*")); // no temporary left behind

        // A second name for the first file's inode: an in-place write would change it too, a write-then-rename cannot.
        string firstCopy = state["state-after-first-run.json"];
        Assert.Equal(0, Tool("/bin/ln", file, firstCopy));

        using (var second = InProcessDaemon.Start(state.Path, "Sim:ResumeState=true"))
        {
            // The simulated batteries were created from the saved estimate (the default would be 50 %).
            foreach (var host in second.Daemon.Rig!.SimulatedInverters)
            {
                Assert.InRange(host.Simulator.Snapshot().SocPct, savedPct - 1, savedPct + 1);
            }

            Wait.Until(() => double.IsFinite(second.Daemon.Pump!.LastSocPct), Timeout, "a SoC reading from the inverters", () => second.Log.Text);
            Assert.InRange(second.Daemon.Pump!.LastSocPct, savedPct - 1, savedPct + 1);
            second.Stop();
        }

        Assert.Equal(2, Read(file).GetProperty("starts").GetInt64());
        Assert.Equal(1, Read(firstCopy).GetProperty("starts").GetInt64());
        Assert.Equal(savedPct, Read(firstCopy).GetProperty("soc_estimate_pct").GetDouble());
    }

    [Fact]
    public void A_corrupt_state_file_is_reported_and_the_daemon_starts_from_a_fresh_state()
    {
        using var state = new TempDir();
        state.Create();
        string file = state["state.json"];
        File.WriteAllText(file, """{ "version": 1, "soc_estimate_pct": 81.5, "starts": """); // cut off mid-write

        using (var run = InProcessDaemon.Start(state.Path))
        {
            string? warning = run.Log.Lines.FirstOrDefault(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("state.json", StringComparison.Ordinal));
            Assert.True(warning is not null, "no warning about the unreadable state file:\n" + run.Log.Text);
            output.WriteLine(warning);
            Assert.Contains("fresh state", warning, StringComparison.Ordinal);
            foreach (var host in run.Daemon.Rig!.SimulatedInverters)
            {
                Assert.Equal(50, host.Simulator.Snapshot().SocPct, 1); // the fresh default, not the 81.5 of the broken file
            }

            Wait.Until(() => run.Daemon.Pump!.Consumed > 10, Timeout, "control cycles");
            run.Stop();
            Assert.Equal(0, run.Status.ExitCode);
        }

        JsonElement saved = Read(file);
        Assert.Equal(1, saved.GetProperty("starts").GetInt64());
    }

    private static JsonElement Read(string path)
    {
        using JsonDocument d = JsonDocument.Parse(File.ReadAllText(path));
        return d.RootElement.Clone();
    }

    private static int Tool(string file, params string[] args)
    {
        using var p = new ChildProcess(file, args);
        return p.WaitForExit(TimeSpan.FromSeconds(10));
    }
}
