using System.Globalization;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// Issue 11 item 5: <c>edge run --rig hil Sim:InverterEndpoints=…</c> attaches to inverters that already run (here two
/// pymodbus SunSpec inverters) and spawns none; one log line per device health change (offline, online); the
/// inverters the hil rig spawns itself die with the daemon even when it is killed with SIGKILL (no orphans).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class HilAttachTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_hil_rig_attaches_to_running_inverters_and_logs_each_health_change()
    {
        if (!Peers.Available(output, PyInverter.Python))
        {
            return;
        }

        using var state = new TempDir();
        using var pcs1 = new PyInverter(2000, 5000, 60, output: output);
        var pcs2 = new PyInverter(2000, 5000, 60, output: output);
        PyInverter? again = null;
        using var edge = EdgeExecutable.Start(
        [
            "run", "--rig", "hil", $"Sim:InverterEndpoints={pcs1.Endpoint},{pcs2.Endpoint}", "Sim:InverterPowerW=2000",
            $"Edge:StateDirectory={state.Path}", "Edge:LiveView=off", "Mqtt:Enabled=false", $"Sim:Profile={Profiles.Swinging}",
            "Controller:RampUpWPerS=1000", "Controller:RampDownWPerS=1000", // the stop's ramp-out takes seconds, not a minute
        ]);
        try
        {
            edge.WaitForLine(l => l.Contains("inverter pcs2: online", StringComparison.Ordinal), Timeout, "pcs2 online");
            Assert.Contains(edge.Lines, l => l.Line.Contains($"attached to running inverters at {pcs1.Endpoint}, {pcs2.Endpoint}", StringComparison.Ordinal));
            Assert.DoesNotContain(edge.ChildPids(), p => ChildProcess.CommandLine(p)?.Contains("sim inverter", StringComparison.Ordinal) == true);

            int port = pcs2.Port;
            pcs2.Dispose(); // the device goes away …
            edge.WaitForLine(l => l.Contains("inverter pcs2: offline", StringComparison.Ordinal), Timeout, "one line saying pcs2 went offline");
            again = new PyInverter(2000, 5000, 60, port, output); // … and comes back on the same port
            (TimeSpan back, _) = edge.WaitForLine(l => l.Contains("inverter pcs2: online", StringComparison.Ordinal) && edge.Lines.Count(x => x.Line.Contains("inverter pcs2: online", StringComparison.Ordinal)) >= 2,
                Timeout, "a second line saying pcs2 is online again");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pcs2 online again {back.TotalSeconds:0.0} s after the start"));
            Assert.Single(edge.Lines, l => l.Line.Contains("inverter pcs2: offline", StringComparison.Ordinal));

            edge.Signal(ChildProcess.SigTerm);
            Assert.Equal(0, edge.WaitForExit(Timeout));
            Assert.False(pcs1.HasExited || again.HasExited, "attached inverters must outlive the daemon");
        }
        finally
        {
            output.WriteLine(edge.Log);
            pcs2.Dispose();
            again?.Dispose();
        }
    }

    [Fact]
    public void Inverters_the_hil_rig_spawns_die_with_a_daemon_killed_with_sigkill()
    {
        using var state = new TempDir();
        using var edge = EdgeExecutable.Start(
        [
            "run", "--rig", "hil", $"Edge:StateDirectory={state.Path}", "Edge:LiveView=off", "Mqtt:Enabled=false", $"Sim:Profile={Profiles.Swinging}",
        ]);
        edge.WaitForLine(l => l.Contains("first control cycle", StringComparison.Ordinal), Timeout, "the first control cycle");
        var inverters = edge.ChildPids().Where(p => ChildProcess.CommandLine(p)?.Contains("sim inverter", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(2, inverters.Count);
        edge.Signal(ChildProcess.SigKill);
        edge.WaitForExit(Timeout);
        Wait.Until(() => inverters.All(p => ChildProcess.CommandLine(p) is null), TimeSpan.FromSeconds(10), "the spawned inverter processes to exit with the daemon",
            () => string.Join(", ", inverters.Select(p => $"{p}: {ChildProcess.CommandLine(p)}")));
    }
}
