using System.Globalization;
using System.Text.Json;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Agents;

/// <summary>
/// <c>edge agent flex</c> as a process against a real mosquitto, its level set by a fake command (a shell script that
/// records every level it is given); mosquitto_rr commands it, mosquitto_sub records its topics.
/// </summary>
public sealed class FlexAgentTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDir _dir = new("edge-flex-agent-");

    public void Dispose() => _dir.Dispose();

    private static string Expires(double seconds) =>
        DateTimeOffset.UtcNow.AddSeconds(seconds).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    [Fact]
    public void Edge_agent_flex_reaches_its_broker_through_failover_when_the_first_is_down_and_refuses_a_malformed_entry()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        _dir.Create();
        string[] Args(params string[] broker) =>
            ["agent", "flex", "--site", "site1", "--agent", "miner-2", "--rated-w", "1000", "--command", "/bin/true {level_pct}", .. broker, "--duration", "20s"];

        using (var bad = EdgeExecutable.Start(Args("--failover", "broker-2:1883,mqtt://broker-3")))
        {
            Assert.Equal(2, bad.WaitForExit(Timeout));
            Assert.Contains("--failover: 'mqtt://broker-3' write host:port, without a scheme", bad.Log, StringComparison.Ordinal);
        }

        using var broker = new Mosquitto();
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        using var capabilities = new ChildProcess(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", port, "-t", "edge/site1/agents/miner-2/capabilities", "-C", "1", "-W", "30"]);
        string nobody = Mosquitto.FreePort().ToString(CultureInfo.InvariantCulture);
        using var agent = EdgeExecutable.Start(Args("--host", "127.0.0.1", "--port", nobody, "--failover", $"127.0.0.1:{port}"));
        capabilities.WaitForLine(l => l.Contains("\"max_w\":1000", StringComparison.Ordinal), Timeout, "the agent's capabilities through the failover broker");
        agent.WaitForLine(l => l.Contains($"127.0.0.1:{nobody}: connection attempt failed", StringComparison.Ordinal) && l.Contains($"trying 127.0.0.1:{port} next", StringComparison.Ordinal),
            Timeout, "the agent's note that the first broker failed");
    }

    [Fact]
    public void Edge_agent_flex_applies_a_level_through_its_command_publishes_telemetry_and_reverts_along_the_ramp()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub, Peers.MosquittoRr))
        {
            return;
        }

        _dir.Create();
        string levels = _dir["levels.txt"];
        File.WriteAllText(_dir["set-level.sh"], $"#!/bin/sh\necho \"$1\" >> '{levels}'\n");
        using var broker = new Mosquitto();
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        const string root = "edge/site1/agents/miner-1";
        using var topics = new ChildProcess("/usr/bin/stdbuf", ["-oL", Peers.MosquittoSub, "-h", "127.0.0.1", "-p", port, "-v", "-t", root + "/#"]);
        using var agent = EdgeExecutable.Start(["agent", "flex", "--site", "site1", "--agent", "miner-1", "--rated-w", "1000", "--command", $"/bin/sh {_dir["set-level.sh"]} {{level_pct}}",
            "--host", "127.0.0.1", "--port", port, "--level-step-pct", "10", "--min-level-pct", "20", "--release-w-per-s", "200", "--release-jitter-s", "0"]);

        List<(TimeSpan At, JsonElement T)> Telemetry() => topics.Lines.Where(l => l.Line.StartsWith(root + "/telemetry ", StringComparison.Ordinal))
            .Select(l => (l.At, JsonDocument.Parse(l.Line[(l.Line.IndexOf(' ', StringComparison.Ordinal) + 1)..]).RootElement.Clone())).ToList();
        JsonElement Request(string payload)
        {
            using var rr = new ChildProcess(Peers.MosquittoRr, ["-h", "127.0.0.1", "-p", port, "-q", "1", "-t", root + "/cmd/edge1/level", "-e", root + "/reply/edge1/level", "-W", "10", "-m", payload]);
            Assert.Equal(0, rr.WaitForExit(Timeout));
            return JsonDocument.Parse(rr.Lines.Select(l => l.Line).First(l => l.StartsWith('{'))).RootElement.Clone();
        }

        // Capabilities (retained) and telemetry at ≥ 10 Hz.
        topics.WaitForLine(l => l.StartsWith(root + "/capabilities ", StringComparison.Ordinal) && l.Contains("\"level_step_pct\":10", StringComparison.Ordinal), Timeout, "capabilities");
        Wait.Until(() => Telemetry().Count >= 5, Timeout, "telemetry", () => agent.Log);
        // Counted on the agent's own stamps (ts_ms): when the lines reach this test is the broker's and the subscriber's
        // scheduling too (17 in a 2 s window of arrival times under stress-ng while the agent sent 20).
        long Ts(JsonElement t) => t.GetProperty("ts_ms").GetInt64();
        // Over 10 s: a stall of the agent (a starved box) is caught up on the agent's schedule, but the samples it owes
        // are stamped when sent, so a short window that ends inside a stall misses them (45 of 50 in 5 s seen beside
        // stress-ng and a parallel test run).
        long ts0 = Ts(Telemetry()[^1].T);
        Wait.Until(() => Ts(Telemetry()[^1].T) > ts0 + 10_000, Timeout, "10 s of telemetry", () => agent.Log);
        int inTenSeconds = Telemetry().Count(t => Ts(t.T) > ts0 && Ts(t.T) <= ts0 + 10_000);
        Assert.True(inTenSeconds >= 95, $"{inTenSeconds} telemetry messages stamped within 10 s (10 Hz: 100)");
        Assert.Equal(100, Telemetry()[^1].T.GetProperty("level_pct").GetDouble());
        Assert.Equal(1000, Telemetry()[^1].T.GetProperty("power_w").GetDouble());

        // Refused: below the local minimum, out of the contract's range, unknown command fields — nothing applied.
        JsonElement low = Request($$"""{"id":"c1","expires_at":"{{Expires(30)}}","level_pct":10}""");
        Assert.False(low.GetProperty("ok").GetBoolean());
        Assert.Contains("outside the local limits [20, 100]", low.GetProperty("error").GetString(), StringComparison.Ordinal);
        JsonElement junk = Request($$"""{"id":"c2","expires_at":"{{Expires(30)}}","level_pct":40,"rate":5}""");
        Assert.False(junk.GetProperty("ok").GetBoolean());
        Assert.False(File.Exists(levels), "a refused command ran the level command");

        // Applied: 45 % → 40 % (a step of this load, toward more curtailment), by the command, before the reply.
        JsonElement ok = Request($$"""{"id":"c3","expires_at":"{{Expires(3)}}","level_pct":45}""");
        output.WriteLine(ok.ToString());
        Assert.True(ok.GetProperty("ok").GetBoolean(), ok.ToString());
        Assert.Equal(40, ok.GetProperty("applied").GetDouble());
        Assert.Equal(["40"], File.ReadAllLines(levels));
        Wait.Until(() => Telemetry()[^1].T.GetProperty("level_pct").GetDouble() == 40, Timeout, "level 40 % in telemetry");
        Assert.Equal(400, Telemetry()[^1].T.GetProperty("power_w").GetDouble());
        Assert.Equal("commanded", Telemetry()[^1].T.GetProperty("state").GetString());

        // Expiry: back to 100 % along the ramp (200 W/s of 1000 W = 20 %/s): one 10 % step at a time, ~3 s in all.
        Wait.Until(() => Telemetry()[^1].T.GetProperty("level_pct").GetDouble() == 100 && Telemetry()[^1].T.GetProperty("state").GetString() == "free",
            TimeSpan.FromSeconds(20), "the release back to 100 %", () => agent.Log);
        string[] written = File.ReadAllLines(levels);
        output.WriteLine("levels written: " + string.Join(", ", written));
        Assert.Equal(["40", "50", "60", "70", "80", "90", "100"], written);
        var release = Telemetry().SkipWhile(t => t.T.GetProperty("level_pct").GetDouble() != 40).ToList();
        // Timed on the agent's own stamps (ts_ms): arrival times at this subscriber add the broker's and this process's
        // scheduling, which on a loaded box bunches messages together and makes the ramp look faster than it was.
        long left40Ms = release.First(t => t.T.GetProperty("level_pct").GetDouble() > 40).T.GetProperty("ts_ms").GetInt64();
        long at100Ms = release.First(t => t.T.GetProperty("level_pct").GetDouble() == 100).T.GetProperty("ts_ms").GetInt64();
        double releaseS = (at100Ms - left40Ms) / 1000.0;
        output.WriteLine($"released 50 → 100 % in {releaseS:F2} s (the ramp: 2.5 s; each level command is a process start, slower on a loaded machine)");
        Assert.InRange(releaseS, 2.2, 10); // never faster than the ramp; a slow actuator only makes it slower
        for (int i = 1; i < release.Count; i++)
        {
            double step = release[i].T.GetProperty("level_pct").GetDouble() - release[i - 1].T.GetProperty("level_pct").GetDouble();
            Assert.InRange(step, 0, 10);
        }

        agent.Signal(ChildProcess.SigInt);
        Assert.Equal(0, agent.WaitForExit(Timeout));
        topics.WaitForLine(l => l.StartsWith(root + "/status ", StringComparison.Ordinal) && l.Contains("offline", StringComparison.Ordinal), Timeout, "offline status");
    }
}
