using System.Globalization;
using Xunit.Abstractions;

namespace Edge.Tests.Deploy;

/// <summary>
/// deploy/mosquitto/edge.conf + edge.acl in a real mosquitto, exercised with the real mosquitto_pub/mosquitto_sub over
/// TLS: who may publish what. A publish is judged twice: by the broker's MQTT 5 PUBACK (mosquitto_pub prints "Not
/// authorized") and by delivery — a subscriber allowed to read everything (viewer) either sees the probe or not.
/// "Not" is decided without waiting on a clock: after the probe the same broker gets a sentinel from the edge user;
/// mosquitto routes a QoS 1 message to its subscribers before it acknowledges it, and a subscriber receives in order,
/// so once the sentinel has arrived a permitted probe would have arrived before it.
/// </summary>
public sealed class MosquittoAclTests : IClassFixture<MosquittoBroker>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly MosquittoBroker _broker;
    private readonly ITestOutputHelper _output;
    private readonly string _site = "site-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _node = "node-" + Guid.NewGuid().ToString("N")[..8];

    public MosquittoAclTests(MosquittoBroker broker, ITestOutputHelper output)
    {
        _broker = broker;
        _output = output;
    }

    private string Edge(string suffix) => $"edge/{_site}/{_node}/{suffix}";

    private string Sparkplug(string type) => $"spBv1.0/{_site}/{type}/{_node}";

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

    /// <summary>The viewer, reading everything of this test's site and node.</summary>
    private LineProcess Observer() =>
        Subscribe("viewer", [$"edge/{_site}/{_node}/#", $"spBv1.0/{_site}/#"], "edge", Edge("status"));

    /// <summary>Publishes a probe as <paramref name="user"/> and asserts whether the broker let it through.</summary>
    private void AssertPublish(LineProcess observer, string user, string topic, bool allowed, int? port = null)
    {
        string probe = "probe-" + Guid.NewGuid().ToString("N");
        Shell.Result pub = Publish(user, topic, probe, port: port);
        Assert.True(pub.ExitCode == 0, $"{user} could not publish at all:\n{pub.All}\nbroker:\n{_broker.Log}");
        bool refusedInPuback = pub.All.Contains("Not authorized", StringComparison.Ordinal);

        string sentinel = "sentinel-" + Guid.NewGuid().ToString("N");
        Shell.Result s = Publish("edge", Edge("status"), sentinel);
        Assert.True(s.ExitCode == 0, s.All);
        observer.WaitFor(l => l == $"{Edge("status")} {sentinel}", Timeout, "the sentinel at the observer");
        bool delivered = observer.Saw(l => l == $"{topic} {probe}");

        string verdict = allowed ? "may" : "must not";
        Assert.True(delivered == allowed, $"{user} {verdict} publish {topic}, but it was {(delivered ? "" : "not ")}delivered.\nobserver:\n{observer.Log}");
        Assert.True(refusedInPuback == !allowed, $"{user} {verdict} publish {topic}, but the PUBACK said otherwise:\n{pub.All}");
    }

    [Fact]
    public void The_edge_user_publishes_its_topics_but_no_commands()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess observer = Observer();
        AssertPublish(observer, "edge", Edge("state"), allowed: true);
        AssertPublish(observer, "edge", Edge("alarm"), allowed: true);
        AssertPublish(observer, "edge", Edge("sensors/rack1-a"), allowed: true);
        AssertPublish(observer, "edge", Edge("cmd/mode/reply"), allowed: true);
        AssertPublish(observer, "edge", Sparkplug("NDATA"), allowed: true);
        AssertPublish(observer, "edge", Edge("cmd/mode"), allowed: false);
        AssertPublish(observer, "edge", Edge("cmd/limits"), allowed: false);
        AssertPublish(observer, "edge", Sparkplug("NCMD"), allowed: false);
    }

    [Fact]
    public void The_operator_publishes_commands_but_not_the_edge_topics()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess observer = Observer();
        AssertPublish(observer, "operator", Edge("cmd/mode"), allowed: true);
        AssertPublish(observer, "operator", Sparkplug("NCMD"), allowed: true);
        AssertPublish(observer, "operator", Edge("state"), allowed: false);
        AssertPublish(observer, "operator", Edge("status"), allowed: false);
        AssertPublish(observer, "operator", Edge("cmd/mode/reply"), allowed: false);
        AssertPublish(observer, "operator", Sparkplug("NDATA"), allowed: false);
    }

    [Fact]
    public void The_viewer_publishes_nothing()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess observer = Observer();
        AssertPublish(observer, "viewer", Edge("cmd/mode"), allowed: false);
        AssertPublish(observer, "viewer", Edge("state"), allowed: false);
    }

    [Fact]
    public void The_edge_user_receives_the_operators_commands()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess edge = Subscribe("edge", [$"edge/{_site}/{_node}/cmd/+"], "operator", Edge("cmd/ready"));
        string command = "{\"id\":\"" + Guid.NewGuid().ToString("N") + "\",\"mode\":\"hold\"}";
        Shell.Result r = Publish("operator", Edge("cmd/mode"), command);
        Assert.True(r.ExitCode == 0, r.All);
        edge.WaitFor(l => l == $"{Edge("cmd/mode")} {command}", Timeout, "the operator's command at the edge subscriber");
    }

    [Fact]
    public void The_loopback_listener_enforces_the_same_acl()
    {
        if (!Available())
        {
            return;
        }

        using LineProcess observer = Observer();
        AssertPublish(observer, "edge", Edge("state"), allowed: true, port: _broker.PlainPort);
        AssertPublish(observer, "edge", Edge("cmd/mode"), allowed: false, port: _broker.PlainPort);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("edge", "not-the-password")]
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
