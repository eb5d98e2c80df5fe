using System.Globalization;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Commands;

/// <summary>
/// Issue 12 item 3: one account per connection — <c>edge check</c> and <c>edge bench mqtt</c> connect with their own
/// accounts (setup.sh makes them), so on the shipped broker (use_username_as_clientid) neither knocks the daemon off.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class AccountPerConnectionTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDir _state = new("edge-rig-accounts-");

    public void Dispose() => _state.Dispose();

    private bool Available() =>
        Peers.Available(output, [Peers.Mosquitto, Peers.MosquittoPub, Peers.MosquittoSub, Peers.MosquittoRr, Peers.MosquittoPasswd]);

    private static int EdgeSessions(ShippedBroker broker) =>
        broker.Log.Split('\n').Count(l => l.Contains($" as {ShippedBroker.EdgeUser} (", StringComparison.Ordinal));

    [Fact]
    public void Edge_check_connects_with_its_own_account_and_never_as_the_running_daemon()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker();
        using var bob = new OperatorConsole(broker, "bob");
        _state.Create();
        using InProcessDaemon edge = InProcessDaemon.StartWith(_state.Path, null, broker.DaemonOverrides());
        bob.Ready();
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        string[] common = ["check", "--rig", "sim", "--no-discharge", "--no-measure", "Mqtt:Enabled=true", "Mqtt:Host=127.0.0.1", $"Mqtt:Port={port}",
            $"Mqtt:Credentials:Username={ShippedBroker.EdgeUser}", $"Mqtt:Credentials:PasswordFile={broker.PasswordFile(ShippedBroker.EdgeUser)}"];

        // With Mqtt:CheckCredentials: the broker check passes as edge-site1-edge1-check.
        string checkUser = ShippedBroker.EdgeUser + "-check";
        using (var check = EdgeExecutable.Start([.. common, $"Mqtt:CheckCredentials:Username={checkUser}", $"Mqtt:CheckCredentials:PasswordFile={broker.PasswordFile(checkUser)}"]))
        {
            check.WaitForExit(Timeout);
            output.WriteLine(check.Log);
            Assert.Matches($@"broker 127\.0\.0\.1:{port}\s+PASS", check.Log);
            Assert.Contains($" as {checkUser} (", broker.Log, StringComparison.Ordinal);
        }

        // Without it: not checked (a warning that names the fix), never connected as the daemon's account.
        using (var check = EdgeExecutable.Start(common))
        {
            check.WaitForExit(Timeout);
            output.WriteLine(check.Log);
            Assert.Matches($@"broker 127\.0\.0\.1:{port}\s+WARN", check.Log);
            Assert.Contains("Mqtt:CheckCredentials", check.Log, StringComparison.Ordinal);
        }

        // The daemon kept its one session throughout and still answers.
        Assert.True(bob.Command("hold").GetProperty("ok").GetBoolean());
        Assert.Equal(1, EdgeSessions(broker));
        Assert.Equal(1, edge.Log.Lines.Count(l => l.Contains("MQTT connected", StringComparison.Ordinal)));
    }

    [Fact]
    public void Edge_bench_mqtt_runs_with_a_publisher_and_a_subscriber_account_and_refuses_to_share_one()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker();
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        string[] bench = ["bench", "mqtt", "--host", "127.0.0.1", "--port", port, "--count", "500", "--qos", "1"];

        using (var run = EdgeExecutable.Start([.. bench, "--user", "bench-pub", "--password-file", broker.PasswordFile("bench-pub"),
            "--sub-user", "bench-sub", "--sub-password-file", broker.PasswordFile("bench-sub")]))
        {
            Assert.Equal(0, run.WaitForExit(Timeout));
            output.WriteLine(run.Log);
            Assert.Matches(@"\n\s*1\s+500\s+[\d.]+\s+\d+\s+500\s", run.Log); // QoS 1: 500 sent, 500 received
            Assert.Contains(" as bench-pub (", broker.Log, StringComparison.Ordinal);
            Assert.Contains(" as bench-sub (", broker.Log, StringComparison.Ordinal);
        }

        // One account for both connections would knock one off the other: refused before connecting.
        using (var run = EdgeExecutable.Start([.. bench, "--user", "bench-pub", "--password-file", broker.PasswordFile("bench-pub")]))
        {
            Assert.Equal(2, run.WaitForExit(Timeout));
            Assert.Contains("--sub-user", run.Log, StringComparison.Ordinal);
        }

        using (var run = EdgeExecutable.Start([.. bench, "--user", "bench-pub", "--password-file", broker.PasswordFile("bench-pub"),
            "--sub-user", "bench-pub", "--sub-password-file", broker.PasswordFile("bench-pub")]))
        {
            Assert.Equal(2, run.WaitForExit(Timeout));
            Assert.Contains("must differ", run.Log, StringComparison.Ordinal);
        }

        // The bench accounts publish and read edge-bench/# only: a bench account cannot command or publish state.
        (int code, string log) = broker.Publish("bench-pub", $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/cmd/bench-pub/mode", "{}");
        Assert.True(code == 0 && log.Contains("Not authorized", StringComparison.Ordinal), log);
        (code, log) = broker.Publish("bench-pub", $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/state", "{}");
        Assert.True(code == 0 && log.Contains("Not authorized", StringComparison.Ordinal), log);
    }
}
