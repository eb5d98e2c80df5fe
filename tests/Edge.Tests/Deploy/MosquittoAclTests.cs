using System.Globalization;
using Xunit.Abstractions;

namespace Edge.Tests.Deploy;

/// <summary>
/// deploy/mosquitto/edge.conf + edge.acl in a real mosquitto, with the accounts deploy/mosquitto/setup.sh makes,
/// exercised with the real mosquitto_pub/mosquitto_sub over TLS: who may publish what. A publish is judged twice: by the broker's MQTT 5 PUBACK (mosquitto_pub prints "Not
/// authorized") and by delivery — a subscriber allowed to read everything (viewer) either sees the probe or not.
/// "Not" is decided without waiting on a clock: after the probe the same broker gets a sentinel from the edge user;
/// mosquitto routes a QoS 1 message to its subscribers before it acknowledges it, and a subscriber receives in order,
/// so once the sentinel has arrived a permitted probe would have arrived before it.
/// </summary>
public sealed class MosquittoAclTests : IClassFixture<MosquittoBroker>
{
    // Only a bound on a failure's wait: each step is a TLS connection by a fresh mosquitto_pub/mosquitto_sub, which on
    // a box loaded far beyond CI (a stressed series, replays and a second test run at once) once took the whole 15 s.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly MosquittoBroker _broker;
    private readonly ITestOutputHelper _output;
    private const string EdgeUser = "edge-site1-edge1";
    private readonly string _site = MosquittoBroker.Site;
    private readonly string _node = MosquittoBroker.Node;

    public MosquittoAclTests(MosquittoBroker broker, ITestOutputHelper output)
    {
        _broker = broker;
        _output = output;
    }

    private string Edge(string suffix) => $"edge/{_site}/{_node}/{suffix}";

    private string Sparkplug(string type) => $"spBv1.0/{_site}/{type}/{_node}";

    private string Command(string op, string name = "mode") => Edge($"cmd/{op}/{name}");

    private string Reply(string op, string name = "mode") => Edge($"reply/{op}/{name}");

    private bool Available()
    {
        if (_broker.Missing.Length == 0)
        {
            return true;
        }

        return Shell.Require(_output, "mosquitto, mosquitto-clients, openssl", _broker.Missing);
    }

    private Shell.Result Publish(string user, string topic, string payload, bool retain = false, int? port = null)
    {
        var args = new List<string>(_broker.Tls(user)) { "-t", topic, "-m", payload, "-q", "1", "-V", "mqttv5" };
        if (retain)
        {
            args.Add("-r");
        }

        if (port is int plain)
        {
            // The loopback listener: no TLS, same users and ACL.
            int i = args.IndexOf("--cafile");
            args.RemoveRange(i, 2);
            args[args.IndexOf("-h") + 1] = "127.0.0.1";
            args[args.IndexOf("-p") + 1] = plain.ToString(CultureInfo.InvariantCulture);
        }

        return Shell.Run("mosquitto_pub", args, timeout: Timeout);
    }

    /// <summary>A mosquitto_sub as <paramref name="user"/> on <paramref name="filters"/>, ready once it has received the
    /// retained message <paramref name="readyTopic"/> that <paramref name="readyPublisher"/> leaves there first.</summary>
    private LineProcess Subscribe(string user, string[] filters, string readyPublisher, string readyTopic)
    {
        string ready = "ready-" + Guid.NewGuid().ToString("N");
        Shell.Result r = Publish(readyPublisher, readyTopic, ready, retain: true);
        Assert.True(r.ExitCode == 0 && !r.All.Contains("Not authorized", StringComparison.Ordinal), r.All);
        var args = new List<string>(_broker.Tls(user)) { "-v", "-q", "1" };
        foreach (string f in filters)
        {
            args.Add("-t");
            args.Add(f);
        }

        var sub = new LineProcess(Shell.Which("mosquitto_sub")!, args);
        sub.WaitFor(l => l == $"{readyTopic} {ready}", Timeout, $"the retained '{readyTopic}' at the {user} subscriber");
        return sub;
    }

    /// <summary>The observer (a viewer account of its own: one connection per account), reading the node's data topics
    /// and Sparkplug. (A viewer reads no commands or replies: those are checked by PUBACK alone.)</summary>
    private LineProcess Observer() =>
        Subscribe("observer", [$"edge/{_site}/{_node}/+", $"edge/{_site}/{_node}/sensors/#", $"spBv1.0/{_site}/#"], EdgeUser, Edge("status"));

    /// <summary>Publishes a probe as <paramref name="user"/> and asserts whether the broker let it through.</summary>
    private void AssertPublish(LineProcess observer, string user, string topic, bool allowed, int? port = null)
    {
        string probe = "probe-" + Guid.NewGuid().ToString("N");
        Shell.Result pub = Publish(user, topic, probe, port: port);
        Assert.True(pub.ExitCode == 0, $"{user} could not publish at all:\n{pub.All}\nbroker:\n{_broker.Log}");
        bool refusedInPuback = pub.All.Contains("Not authorized", StringComparison.Ordinal);

        string sentinel = "sentinel-" + Guid.NewGuid().ToString("N");
        Shell.Result s = Publish(EdgeUser, Edge("status"), sentinel);
        Assert.True(s.ExitCode == 0, s.All);
        observer.WaitFor(l => l == $"{Edge("status")} {sentinel}", Timeout, "the sentinel at the observer");
        bool delivered = observer.Saw(l => l == $"{topic} {probe}");
        bool observed = !topic.Contains("/cmd/", StringComparison.Ordinal) && !topic.Contains("/reply/", StringComparison.Ordinal);

        string verdict = allowed ? "may" : "must not";
        Assert.True(!observed || delivered == allowed, $"{user} {verdict} publish {topic}, but it was {(delivered ? "" : "not ")}delivered.\nobserver:\n{observer.Log}");
        Assert.True(refusedInPuback == !allowed, $"{user} {verdict} publish {topic}, but the PUBACK said otherwise:\n{pub.All}");
    }

    [Fact]
    public void The_node_account_publishes_its_topics_but_no_commands()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess observer = Observer();
        AssertPublish(observer, EdgeUser, Edge("state"), allowed: true);
        AssertPublish(observer, EdgeUser, Edge("alarm"), allowed: true);
        AssertPublish(observer, EdgeUser, Edge("throttle"), allowed: true); // backstop tier 4's request (docs/agents.md)
        AssertPublish(observer, EdgeUser, Edge("sensors/rack1-a"), allowed: true);
        AssertPublish(observer, EdgeUser, Reply("alice"), allowed: true);
        AssertPublish(observer, EdgeUser, Command(EdgeUser), allowed: false);
        AssertPublish(observer, EdgeUser, Command("alice"), allowed: false);
        AssertPublish(observer, EdgeUser, Sparkplug("NDATA"), allowed: false); // that is the -spb account's
        AssertPublish(observer, EdgeUser + "-spb", Sparkplug("NDATA"), allowed: true);
        AssertPublish(observer, EdgeUser + "-spb", Sparkplug("NCMD"), allowed: false);
        AssertPublish(observer, EdgeUser + "-spb", Sparkplug("DDATA") + "/inv1", allowed: true); // devices: sensors and inverters
        AssertPublish(observer, EdgeUser + "-spb", Sparkplug("DBIRTH") + "/inv1", allowed: true);
        AssertPublish(observer, EdgeUser + "-spb", Sparkplug("DDEATH") + "/inv1", allowed: true);
        AssertPublish(observer, EdgeUser, Sparkplug("DDATA") + "/inv1", allowed: false);
        AssertPublish(observer, EdgeUser + "-spb", Sparkplug("DCMD") + "/inv1", allowed: false);
        AssertPublish(observer, EdgeUser + "-spb", Edge("state"), allowed: false);
    }

    [Fact]
    public void A_node_account_cannot_publish_another_nodes_topics()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess observer = Observer();
        AssertPublish(observer, "edge-site1-edge2", Edge("state"), allowed: false);
        AssertPublish(observer, "edge-site1-edge2", Edge("status"), allowed: false);
        AssertPublish(observer, "edge-site1-edge2", Reply("alice"), allowed: false);
        AssertPublish(observer, "edge-site1-edge2", Command("edge-site1-edge2"), allowed: false);
        AssertPublish(observer, EdgeUser + "-check", Edge("state"), allowed: false);
    }

    [Fact]
    public void An_operator_commands_only_under_its_own_name()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess observer = Observer();
        AssertPublish(observer, "alice", Command("alice"), allowed: true);
        AssertPublish(observer, "alice", Command("alice", "limits"), allowed: true);
        AssertPublish(observer, "alice", Sparkplug("NCMD"), allowed: true);
        AssertPublish(observer, "alice", Command("bob"), allowed: false);
        AssertPublish(observer, "alice", Edge("cmd/mode"), allowed: false);
        AssertPublish(observer, "alice", Edge("state"), allowed: false);
        AssertPublish(observer, "alice", Edge("status"), allowed: false);
        AssertPublish(observer, "alice", Reply("alice"), allowed: false);
        AssertPublish(observer, "alice", Sparkplug("NDATA"), allowed: false);
    }

    [Fact]
    public void The_viewer_publishes_nothing()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess observer = Observer();
        AssertPublish(observer, "grafana", Command("grafana"), allowed: false);
        AssertPublish(observer, "grafana", Command("alice"), allowed: false);
        AssertPublish(observer, "grafana", Edge("state"), allowed: false);
    }

    [Fact]
    public void The_node_receives_the_operators_commands_and_only_that_operator_its_replies()
    {
        if (!Available())
        {
            return;
        }

        string command = "{\"id\":\"" + Guid.NewGuid().ToString("N") + "\",\"mode\":\"hold\"}";
        using (LineProcess edge = Subscribe(EdgeUser, [$"edge/{_site}/{_node}/cmd/#"], "alice", Command("alice", "ready")))
        {
            Shell.Result r = Publish("alice", Command("alice"), command);
            Assert.True(r.ExitCode == 0, r.All);
            edge.WaitFor(l => l == $"{Command("alice")} {command}", Timeout, "the operator's command at the node's subscriber");
        }

        // The node's subscriber is gone before the node's account publishes below: one connection per account
        // (use_username_as_clientid), and a reconnecting mosquitto_sub would knock the publisher off (exit 7).

        // alice also asks for bob's replies: the broker refuses the subscription or never delivers them.
        using LineProcess alice = Subscribe("alice", [$"edge/{_site}/{_node}/reply/alice/#", $"edge/{_site}/{_node}/reply/bob/#"], EdgeUser, Reply("alice", "ready"));
        using LineProcess bob = Subscribe("bob", [$"edge/{_site}/{_node}/reply/bob/#"], EdgeUser, Reply("bob", "ready"));
        string reply = "{\"id\":\"x\",\"ok\":true,\"error\":null}";
        Assert.Equal(0, Publish(EdgeUser, Reply("bob"), reply).ExitCode);
        Assert.Equal(0, Publish(EdgeUser, Reply("alice"), reply).ExitCode);
        alice.WaitFor(l => l == $"{Reply("alice")} {reply}", Timeout, "alice's reply");
        bob.WaitFor(l => l == $"{Reply("bob")} {reply}", Timeout, "bob's reply");
        Assert.False(alice.Saw(l => l.StartsWith(Reply("bob"), StringComparison.Ordinal)), "alice must not read bob's replies:\n" + alice.Log);
    }

    [Fact]
    public void The_loopback_listener_enforces_the_same_acl()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess observer = Observer();
        AssertPublish(observer, EdgeUser, Edge("state"), allowed: true, port: _broker.PlainPort);
        AssertPublish(observer, EdgeUser, Command(EdgeUser), allowed: false, port: _broker.PlainPort);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(EdgeUser, "not-the-password")]
    [InlineData("mallory", "whatever")]
    public void Anonymous_clients_and_wrong_passwords_are_refused(string? user, string? password)
    {
        if (!Available())
        {
            return;
        }

        var args = new List<string>
        {
            "-h", "localhost", "-p", _broker.TlsPort.ToString(CultureInfo.InvariantCulture), "--cafile", _broker.CaFile,
            "-t", Edge("state"), "-m", "x", "-q", "1",
        };
        if (user is not null)
        {
            args.AddRange(["-u", user, "-P", password!]);
        }

        Shell.Result r = Shell.Run("mosquitto_pub", args, timeout: Timeout);
        Assert.True(r.ExitCode != 0, r.All);
        Assert.Contains("not authorised", r.All, StringComparison.OrdinalIgnoreCase);
    }
}
