using System.Globalization;
using System.Text.Json;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// <c>edge run --rig hil</c>: each inverter is a separate <c>edge sim inverter</c> process reached over a real socket.
/// The built edge runs as a child; a real mosquitto and mosquitto_sub show that both inverters answer and follow
/// their setpoints; SIGTERM stops Edge cleanly and takes the inverter processes with it.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class HilRigTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_hil_rig_controls_inverter_processes_and_cleans_them_up_on_sigterm(bool ctrlC)
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        using var broker = new Mosquitto();
        using var state = new TempDir();
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        using var sub = new ChildProcess(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", port, "-v", "-t", "edge/rig/hil/inverters/#"]);
        using var edge = EdgeExecutable.Start(
        [
            "run", "--rig", "hil", $"Edge:StateDirectory={state.Path}", "Edge:LiveView=off", "Edge:Site=rig", "Edge:Node=hil",
            "Mqtt:Host=127.0.0.1", $"Mqtt:Port={port}", "Mqtt:Publish:DetailRateHz=10", $"Sim:Profile={Profiles.Swinging}",
            "Controller:RampUpWPerS=1000", "Controller:RampDownWPerS=1000", "Loop:FaultAfterConsecutiveMisses=1000",
        ]);
        try
        {
            edge.WaitForLine(l => l.Contains("first control cycle", StringComparison.Ordinal), Timeout, "the first control cycle");
            Assert.Contains(edge.Lines, l => l.Line.Contains("as separate 'edge sim inverter' processes on ports", StringComparison.Ordinal));

            // Two children of edge, each an 'edge sim inverter' process.
            var inverters = edge.ChildPids().Where(p => ChildProcess.CommandLine(p)?.Contains("sim inverter", StringComparison.Ordinal) == true).ToList();
            output.WriteLine($"edge {edge.Pid}, inverter processes {string.Join(", ", inverters.Select(p => $"{p}: {ChildProcess.CommandLine(p)}"))}");
            Assert.Equal(2, inverters.Count);

            // Both answer (health ok) and deliver power (the swinging load keeps the battery busy).
            foreach (string id in new[] { "pcs1", "pcs2" })
            {
                sub.WaitForLine(l => Working(l, id), Timeout, $"{id} healthy and delivering its setpoint");
            }

            if (ctrlC)
            {
                // A Ctrl-C on a terminal goes to the whole foreground process group — edge and the inverter
                // processes it spawned. Delivered to each, as the terminal does: the inverters must stay for the ramp-down.
                foreach (int pid in inverters)
                {
                    Faults.Signals.Send(pid, ChildProcess.SigInt);
                }
            }

            edge.Signal(ctrlC ? ChildProcess.SigInt : ChildProcess.SigTerm);
            int exit = edge.WaitForExit(Timeout);
            output.WriteLine(edge.Log);
            Assert.Equal(0, exit);
            Assert.Contains(edge.Lines, l => l.Line.Contains("battery setpoint at 0 W after", StringComparison.Ordinal));
            // The inverters answered until the battery was at 0 W (what happens to them after that is the clean-up's).
            var lines = edge.Lines.Select(l => l.Line).ToList();
            int zero = lines.FindIndex(l => l.Contains("battery setpoint at 0 W after", StringComparison.Ordinal));
            Assert.DoesNotContain(lines.Take(zero), l => l.Contains("offline", StringComparison.Ordinal));
            Wait.Until(() => inverters.All(p => ChildProcess.CommandLine(p) is null), TimeSpan.FromSeconds(10), "the inverter processes to exit",
                () => string.Join(", ", inverters.Select(p => $"{p}: {ChildProcess.CommandLine(p)}")));
        }
        finally
        {
            if (!edge.HasExited)
            {
                output.WriteLine(edge.Log);
            }
        }
    }

    /// <summary>An inverter detail line of <paramref name="id"/> with health ok and clearly non-zero power that follows the setpoint's sign.</summary>
    private static bool Working(string line, string id)
    {
        string topic = $"edge/rig/hil/inverters/{id} ";
        if (!line.StartsWith(topic, StringComparison.Ordinal))
        {
            return false;
        }

        using JsonDocument d = JsonDocument.Parse(line[topic.Length..]);
        JsonElement j = d.RootElement;
        return j.GetProperty("health").GetString() == "ok"
            && j.TryGetProperty("power_w", out JsonElement p) && p.ValueKind == JsonValueKind.Number
            && j.TryGetProperty("setpoint_w", out JsonElement s) && s.ValueKind == JsonValueKind.Number
            && Math.Abs(p.GetDouble()) > 100 && p.GetDouble() * s.GetDouble() > 0;
    }
}
