using Edge.Cli;

namespace Edge.Tests;

/// <summary>`edge check` end to end on the simulated rig and on a rig whose hardware is absent.</summary>
public sealed class CheckCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CommandRegistry.Run(args, new CommandContext(o, e, false, CancellationToken.None));
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void The_simulated_rig_passes_every_check_including_the_sign_test()
    {
        (int code, string stdout, string stderr) = Run("check", "--rig", "sim", "Mqtt:Enabled=false");
        Assert.True(code == 0, stdout + stderr);
        Assert.Matches(@"sign test: battery power\s+PASS", stdout);
        Assert.Contains("sign test: site meter", stdout, StringComparison.Ordinal);
        Assert.Equal(8, stdout.Split('\n').Count(l => l.StartsWith("sensor ", StringComparison.Ordinal) && l.Contains("PASS", StringComparison.Ordinal)));
        Assert.Equal(2, stdout.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^inverter pcs\d\s+PASS")));

        // Issue 11: each inverter measured over its own connection once its driver stopped.
        foreach (string item in new[] { "WSet read-back", "command latency", "time constant", "increases ramped (WRmp)", "decreases ramped", "revert" })
        {
            Assert.Equal(2, stdout.Split('\n').Count(l => l.StartsWith("inverter pcs", StringComparison.Ordinal) && l.Contains(": " + item, StringComparison.Ordinal)));
        }
        Assert.Contains("broker", stdout, StringComparison.Ordinal);
        Assert.Contains("all ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rig_whose_hardware_is_missing_fails_naming_the_device()
    {
        string rig = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "hardware", "rigs", "pi4-bench-2x-ina226.json");
        Assert.True(File.Exists(rig), rig);
        (int code, string stdout, _) = Run("check", "--rig", rig, "Mqtt:Enabled=false");
        Assert.Equal(1, code);
        Assert.Contains("FAIL", stdout, StringComparison.Ordinal);
        // The first device that cannot be opened is named (this machine has neither /dev/i2c-* nor /dev/gpiochip*).
        Assert.True(stdout.Contains("/dev/i2c-", StringComparison.Ordinal) || stdout.Contains("/dev/gpiochip", StringComparison.Ordinal), stdout);
    }

    [Fact]
    public void A_bad_option_is_a_configuration_error()
    {
        (int code, _, string stderr) = Run("check", "--rig", "sim", "Sim:Inverters=0");
        Assert.Equal(2, code);
        Assert.Contains("Sim:Inverters", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_broker_of_the_list_is_checked_and_a_silent_failover_broker_is_a_warning()
    {
        // Nothing listens on either port: the daemon's broker fails the check, a failover broker only warns (Edge runs
        // on the others), and each is named with its address.
        int primary = Deploy.MosquittoBroker.FreePort();
        int failover = Deploy.MosquittoBroker.FreePort();
        var mqtt = new Edge.Daemon.MqttSettings { Host = "127.0.0.1", Port = primary, FailoverServers = [$"127.0.0.1:{failover}"] };
        var results = new List<Edge.Check.CheckResult>();
        Edge.Commands.CheckCommand.CheckBroker(new Edge.Daemon.EdgeOptions { Rig = "hil" }, mqtt, results);
        Assert.Collection(results,
            r => Assert.Equal(($"broker 127.0.0.1:{primary}", Edge.Check.CheckVerdict.Fail), (r.Item, r.Verdict)),
            r => Assert.Equal(($"failover broker 127.0.0.1:{failover}", Edge.Check.CheckVerdict.Warn), (r.Item, r.Verdict)));
        Assert.All(results, r => Assert.Contains("refused", r.Detail, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void On_the_sim_rig_a_silent_local_port_passes_because_edge_run_serves_it_itself()
    {
        int port = Deploy.MosquittoBroker.FreePort();
        var mqtt = new Edge.Daemon.MqttSettings { Host = "localhost", Port = port };
        var results = new List<Edge.Check.CheckResult>();
        Edge.Commands.CheckCommand.CheckBroker(new Edge.Daemon.EdgeOptions { Rig = "sim" }, mqtt, results);
        Edge.Check.CheckResult r = Assert.Single(results);
        Assert.Equal(Edge.Check.CheckVerdict.Pass, r.Verdict);
        Assert.Contains("embedded broker", r.Detail, StringComparison.Ordinal);

        // Not where edge run would not serve it: Mqtt:EmbeddedBroker=off.
        results.Clear();
        Edge.Commands.CheckCommand.CheckBroker(new Edge.Daemon.EdgeOptions { Rig = "sim" }, new Edge.Daemon.MqttSettings { Host = "localhost", Port = port, EmbeddedBroker = "off" }, results);
        Assert.Equal(Edge.Check.CheckVerdict.Fail, Assert.Single(results).Verdict);
    }
}
