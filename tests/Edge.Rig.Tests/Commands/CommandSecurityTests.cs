using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Edge.Core.Control;
using Edge.Mqtt.Commands;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Commands;

/// <summary>
/// Issue 12's "Done when", with the whole daemon (sim rig), a real mosquitto running the shipped edge.conf and edge.acl
/// with accounts made by the shipped setup.sh, and mosquitto_pub/_sub and paho as the operators.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class CommandSecurityTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDir _state = new("edge-rig-cmd-");

    public void Dispose() => _state.Dispose();

    private bool Available(params string[] more) =>
        Peers.Available(output, [Peers.Mosquitto, Peers.MosquittoPub, Peers.MosquittoSub, Peers.MosquittoRr, Peers.MosquittoPasswd, .. more]);

    private InProcessDaemon Start(ShippedBroker broker, Action<InProcessDaemon>? beforeRun = null, params string[] more)
    {
        _state.Create();
        return InProcessDaemon.StartWith(_state.Path, beforeRun, broker.DaemonOverrides(more));
    }

    private static ControlMode ModeOf(InProcessDaemon d) => d.Daemon.Cycle!.Controller.Mode;

    [Fact]
    public void A_retained_command_and_a_command_queued_while_edge_was_offline_are_never_applied()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker();
        using var alice = new OperatorConsole(broker, "alice");
        using var bob = new OperatorConsole(broker, "bob");
        using (InProcessDaemon first = Start(broker))
        {
            Assert.True(bob.Ready().GetProperty("ok").GetBoolean());
            first.Stop();
        }

        // Edge is offline: a retained command and a plain QoS 1 command (a persistent session would queue the latter).
        string retainedId = OperatorConsole.NewId(), queuedId = OperatorConsole.NewId();
        alice.Send("mode", OperatorConsole.Mode(retainedId, "hold"), retain: true);
        alice.Send("mode", OperatorConsole.Mode(queuedId, "standby"));
        alice.Listen();

        using InProcessDaemon second = Start(broker);
        JsonElement retained = alice.WaitHeard(retainedId);
        Assert.False(retained.GetProperty("ok").GetBoolean());
        Assert.Contains("retained", retained.GetProperty("error").GetString());

        // A sentinel after the reconnect: anything the broker had kept for Edge would have been delivered before it.
        Assert.True(bob.Command("auto").GetProperty("ok").GetBoolean());
        Assert.DoesNotContain(alice.Heard, r => r.Reply.GetProperty("id").GetString() == queuedId);
        Assert.Equal(ControlMode.Auto, ModeOf(second));
        Assert.Equal(1, second.Daemon.Commands!.Counters.Applied); // bob's sentinel only
        Assert.Contains(second.Log.Lines, l => l.Contains("session present: False", StringComparison.Ordinal));

        // Clearing the retained command (an empty retained message, as bob: alice keeps listening) is counted and not
        // answered. bob may not publish under alice's name, so alice's listener stops first.
        alice.Dispose();
        long ignored = second.Daemon.Commands.Counters.Ignored;
        (int code, string said) = broker.Publish("alice", alice.CommandTopic("mode"), "", retain: true);
        Assert.True(code == 0, said);
        Wait.Until(() => second.Daemon.Commands.Counters.Ignored == ignored + 1, Timeout, "the empty payload to be counted");
        Assert.Equal(0, second.Daemon.Commands.Counters.Rejected - 1); // only the retained command was rejected
    }

    [Fact]
    public void A_reused_id_is_refused_even_after_kill_9()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker();
        using var alice = new OperatorConsole(broker, "alice");
        _state.Create();
        ChildProcess StartEdge() => EdgeExecutable.Start(
        [
            "run", "--rig", "sim", $"Edge:StateDirectory={_state.Path}", "Edge:LiveView=off", "Loop:FaultAfterConsecutiveMisses=1000",
            .. broker.DaemonOverrides(),
        ]);

        string id = OperatorConsole.NewId();
        using (ChildProcess edge = StartEdge())
        {
            alice.Ready();
            Assert.True(alice.Command("hold", id).GetProperty("ok").GetBoolean());
            JsonElement reused = alice.Command("auto", id);
            Assert.False(reused.GetProperty("ok").GetBoolean());
            Assert.Contains("already used", reused.GetProperty("error").GetString());
            edge.Signal(ChildProcess.SigKill);
            edge.WaitForExit(Timeout);
        }

        using (ChildProcess edge = StartEdge())
        {
            alice.Ready("hold");
            JsonElement afterKill = alice.Command("auto", id);
            Assert.False(afterKill.GetProperty("ok").GetBoolean());
            Assert.Contains("already used", afterKill.GetProperty("error").GetString());
            Assert.True(alice.Command("auto").GetProperty("ok").GetBoolean());
            edge.Signal(ChildProcess.SigTerm);
            edge.WaitForExit(TimeSpan.FromSeconds(120));
        }
    }

    [Fact]
    public void A_400_per_s_flood_from_one_account_leaves_another_operators_commands_accepted_and_audited()
    {
        if (!Available(Peers.Python3, Peers.Paho))
        {
            return;
        }

        using var broker = new ShippedBroker();
        using var bob = new OperatorConsole(broker, "bob");
        using InProcessDaemon edge = Start(broker);
        bob.Ready();

        // mallory: 400 messages/s for 20 s (unknown names, retained, junk, expired commands), QoS 1, with paho.
        using var flood = new ChildProcess(Peers.Python3,
        [
            Path.Combine(AppContext.BaseDirectory, "Commands", "flood.py"), "127.0.0.1", broker.Port.ToString(CultureInfo.InvariantCulture),
            "mallory", broker.Password("mallory"), $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/cmd/mallory/", "400", "8000",
        ]);
        var accepted = new List<string>();
        var clock = Stopwatch.StartNew();
        while (!flood.HasExited)
        {
            // bob at most 1 command/s, below his own rate limit (2/s, burst 5) and far below Edge's intake rate: a
            // reply that came late (a starved box) is never made up for with a burst.
            TimeSpan sent = clock.Elapsed;
            string id = OperatorConsole.NewId();
            JsonElement reply = bob.Command(accepted.Count % 2 == 0 ? "hold" : "auto", id);
            Assert.True(reply.GetProperty("ok").GetBoolean(), $"bob's command {accepted.Count + 1} during the flood (sent {sent.TotalSeconds:0.0} s in, answered after {(clock.Elapsed - sent).TotalSeconds:0.0} s): {reply}");
            accepted.Add(id);
            Wait.TryUntil(() => flood.HasExited, sent + TimeSpan.FromSeconds(1) - clock.Elapsed); // paces bob, ends early with the flood
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "the flood did not end");
        }

        Assert.Equal(0, flood.WaitForExit(Timeout));
        output.WriteLine(flood.Log);

        // mallory's last PUBACKs say the broker has every message, not that it has passed them all on to Edge yet: on a
        // busy box the last few are still on their way when the flood exits (8015 of 8021 counted once, CI=true .ci/run).
        // Wait for them, bounded — a message the broker dropped never comes, and the assertion below says so.
        Wait.TryUntil(() => edge.Daemon.Commands!.Counters.Received >= 8000 + accepted.Count, Timeout);
        CommandCounters c = edge.Daemon.Commands!.Counters;
        output.WriteLine($"{c}; bob's accepted commands: {accepted.Count}");
        Assert.True(accepted.Count >= 10, $"bob sent only {accepted.Count} commands during the 20 s flood");
        Assert.True(c.Received >= 8000 + accepted.Count, $"Edge took in {c.Received} messages; mallory sent 8000 (the broker dropped some)");
        Assert.True(c.Suppressed > 7000, c.ToString());

        edge.Daemon.Commands.Summarise();
        string audit = File.ReadAllText(Path.Combine(_state.Path, "commands.audit.jsonl"));
        Assert.All(accepted, id => Assert.Contains($"\"id\":\"{id}\",\"stage\":\"applied\"", audit));
        Assert.DoesNotContain("mallory", audit);
        string rejected = File.ReadAllText(Path.Combine(_state.Path, "commands.audit.rejected.jsonl"));
        Assert.Contains("\"operator\":\"mallory\",\"stage\":\"suppressed\"", rejected);
    }

    [Fact]
    public void Edge_takes_in_thousands_of_commands_a_second_and_stays_in_command_when_a_flood_outruns_it()
    {
        if (!Available(Peers.Python3, Peers.Paho))
        {
            return;
        }

        using var broker = new ShippedBroker();
        using var bob = new OperatorConsole(broker, "bob");
        using InProcessDaemon edge = Start(broker);
        bob.Ready();
        CommandProcessor commands = edge.Daemon.Commands!;

        // As fast as paho can publish, QoS 1 and QoS 0: Edge's intake is the rate its counter grows while the flood lasts.
        foreach (string qos in new[] { "1", "0" })
        {
            const int count = 30_000;
            long before = commands.Counters.Received;
            using var flood = new ChildProcess(Peers.Python3,
            [
                Path.Combine(AppContext.BaseDirectory, "Commands", "flood.py"), "127.0.0.1", broker.Port.ToString(CultureInfo.InvariantCulture),
                "mallory", broker.Password("mallory"), $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/cmd/mallory/", "0", count.ToString(CultureInfo.InvariantCulture), qos,
            ]);

            // Edge's intake: messages counted between the first and the last arrival. Everything the broker passed on has
            // arrived once the flood has ended and the counter has not moved for 0.5 s.
            var clock = Stopwatch.StartNew();
            TimeSpan first = TimeSpan.Zero, lastChange = TimeSpan.Zero;
            long seen = before;
            Wait.Until(
                () =>
                {
                    long now = commands.Counters.Received;
                    if (now != seen)
                    {
                        first = seen == before ? clock.Elapsed : first;
                        lastChange = clock.Elapsed;
                        seen = now;
                    }

                    return flood.HasExited && clock.Elapsed - lastChange > TimeSpan.FromSeconds(0.5);
                },
                TimeSpan.FromSeconds(300),
                "the flood to end and reach Edge");
            Assert.Equal(0, flood.WaitForExit(Timeout));
            long taken = seen - before;
            double intake = taken / (lastChange - first).TotalSeconds;
            output.WriteLine($"QoS {qos}: {flood.Log.Trim()}; Edge took in {taken} of {count + 1} in {(lastChange - first).TotalSeconds:0.00} s ({intake:0}/s); {commands.Counters}");
            // Whether one account can outrun Edge depends on the machine (on a fast 2-core box paho cannot; on CI's it
            // can, by a few percent): what the broker drops then is the documented defence (max_queued_messages), not a
            // failure. What must hold: an intake a thousand times any operator's rate limit, and Edge in command.
            Assert.True(intake >= 2000, $"Edge took in only {intake:0} commands/s");
            Assert.True(taken >= Math.Min(count, 1000), $"Edge took in only {taken} of {count + 1}");
            Assert.NotEqual(ControlMode.Fault, ModeOf(edge));

            // And Edge still answers another operator at once.
            Assert.True(bob.Command(qos == "1" ? "hold" : "auto").GetProperty("ok").GetBoolean());
        }

        Assert.Equal(1, edge.Log.Lines.Count(l => l.Contains("MQTT connected", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_viewer_cannot_take_edges_client_id_and_no_account_can_publish_what_is_not_its_own()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker();
        using var bob = new OperatorConsole(broker, "bob");
        using InProcessDaemon edge = Start(broker);
        bob.Ready();

        // grafana (a viewer) connects ten times with Edge's client id: the broker names each connection after its
        // account (use_username_as_clientid), so Edge is never disconnected.
        for (int i = 0; i < 10; i++)
        {
            using var viewer = new ChildProcess(Peers.MosquittoSub, [.. broker.As("grafana"), "-i", ShippedBroker.EdgeUser, "-t", $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/state", "-C", "1", "-W", "20"]);
            Assert.Equal(0, viewer.WaitForExit(Timeout));
        }

        Assert.True(bob.Command("hold").GetProperty("ok").GetBoolean());
        Assert.DoesNotContain($"Client {ShippedBroker.EdgeUser} already connected", broker.Log, StringComparison.Ordinal);
        Assert.Equal(1, broker.Log.Split('\n').Count(l => l.Contains($" as {ShippedBroker.EdgeUser} (", StringComparison.Ordinal)));
        Assert.Equal(10, broker.Log.Split('\n').Count(l => l.Contains(" as grafana (", StringComparison.Ordinal)));

        string other = $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}";
        (string User, string Topic)[] refused =
        [
            ("edge-site1-edge2", other + "/state"),                      // a node account, another node's state
            ("edge-site1-edge2", other + "/status"),
            ("edge-site1-edge2", other + "/reply/alice/mode"),          // a fake reply
            ("edge-site1-edge2", other + "/cmd/edge-site1-edge2/mode"), // a node never commands
            ("edge-site1-edge1-spb", other + "/state"),                 // the Sparkplug account is not the daemon's
            ("alice", other + "/cmd/bob/mode"),                         // an operator as another operator
            ("alice", other + "/state"),
            ("grafana", other + "/cmd/grafana/mode"),                   // a viewer
        ];
        foreach ((string user, string topic) in refused)
        {
            (int code, string said) = broker.Publish(user, topic, OperatorConsole.Mode(OperatorConsole.NewId(), "standby"));
            Assert.True(code == 0 && said.Contains("Not authorized", StringComparison.Ordinal), $"{user} → {topic} must be refused: {said}");
        }

        Assert.True(bob.Command("auto").GetProperty("ok").GetBoolean());
        Assert.Equal(ControlMode.Auto, ModeOf(edge));
        Assert.DoesNotContain($"Client {ShippedBroker.EdgeUser} already connected", broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void The_daemon_and_its_sparkplug_connection_each_use_their_own_account()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker();
        using var bob = new OperatorConsole(broker, "bob");
        string spb = ShippedBroker.EdgeUser + "-spb";
        using InProcessDaemon edge = Start(broker, null,
            "Sparkplug:Enabled=true", // group and node left unset: they default to Edge:Site and Edge:Node, which setup.sh grants
            $"Sparkplug:Credentials:Username={spb}", $"Sparkplug:Credentials:PasswordFile={broker.PasswordFile(spb)}");
        bob.Ready();

        // The NBIRTH reaches a viewer: the Sparkplug connection logged in with its own account and may publish it.
        using var viewer = new ChildProcess(Peers.MosquittoSub, [.. broker.As("grafana"), "-t", $"spBv1.0/{ShippedBroker.Site}/NDATA/{ShippedBroker.Node}", "-C", "1", "-W", "20"]);
        Assert.True(viewer.WaitForExit(Timeout) == 0, $"no NDATA from the Sparkplug connection:\n{broker.Log}");

        // The rig's sensors and inverters are Sparkplug devices of the node, and the shipped ACL lets that account publish them.
        using var devices = new ChildProcess(Peers.MosquittoSub, [.. broker.As("grafana"), "-t", $"spBv1.0/{ShippedBroker.Site}/DDATA/{ShippedBroker.Node}/+", "-v", "-C", "2", "-W", "20"]);
        Assert.True(devices.WaitForExit(Timeout) == 0, $"no DDATA from the rig's devices:\n{broker.Log}");
        Assert.True(bob.Command("hold").GetProperty("ok").GetBoolean());
        Assert.Contains($" as {spb} (", broker.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("already connected", broker.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Denied PUBLISH", broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_are_refused_with_the_reason_while_the_wall_clock_is_unsynchronised()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker();
        using var alice = new OperatorConsole(broker, "alice");
        var clock = new FixedClockStatus("the wall clock is not synchronised (simulated: adjtimex TIME_ERROR)");
        using InProcessDaemon edge = Start(broker, d => d.Daemon.CommandClock = clock, "Mqtt:Commands:RequireClockSync=true");
        JsonElement reply = alice.Ready("hold");
        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Contains("not synchronised", reply.GetProperty("error").GetString());
        Assert.Equal(ControlMode.Auto, ModeOf(edge));
        Assert.Equal(0, edge.Daemon.Commands!.Counters.Applied);
    }
}
