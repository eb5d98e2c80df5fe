using System.Globalization;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Brokers;

/// <summary>
/// Debian's RabbitMQ as a private node (its own node name, Erlang cookie, database and logs in a temp directory) with
/// the MQTT plugin on a loopback port picked here, anonymous MQTT allowed. Never the system service. Starting takes
/// 10–20 s (Erlang boot, plugin).
/// </summary>
internal sealed class RabbitMq : IDisposable
{
    public const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private readonly TempDir _dir = new("edge-rig-rabbitmq-");
    private ChildProcess? _process;

    public RabbitMq()
    {
        _dir.Create();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Start();
                return;
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 3 && Log.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase))
            {
                _process?.Dispose(); // a port picked free was taken before RabbitMQ bound it: fresh ports
            }
        }
    }

    public int MqttPort { get; private set; }

    public string Log => _process?.Log ?? "";

    public void Dispose()
    {
        _process?.Dispose();
        _dir.Dispose();
    }

    private void Start()
    {
        MqttPort = Mosquitto.FreePort();
        int amqpPort = Mosquitto.FreePort();
        int distPort = Mosquitto.FreePort();
        string config = _dir["rabbitmq.conf"];
        File.WriteAllText(config, $"""
            listeners.tcp.default = 127.0.0.1:{I(amqpPort)}
            mqtt.listeners.tcp.default = 127.0.0.1:{I(MqttPort)}
            mqtt.allow_anonymous = true
            loopback_users = none

            """);
        File.WriteAllText(_dir["enabled_plugins"], "[rabbitmq_mqtt].\n");
        string name = $"edge-rig-{Guid.NewGuid():N}"[..20];
        _process = new ChildProcess(Server, [], new Dictionary<string, string?>
        {
            ["HOME"] = _dir.Path, // the Erlang cookie
            ["RABBITMQ_NODENAME"] = name + "@localhost",
            ["RABBITMQ_CONFIG_FILE"] = config,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = _dir["enabled_plugins"],
            ["RABBITMQ_MNESIA_BASE"] = _dir["mnesia"],
            ["RABBITMQ_LOG_BASE"] = _dir["log"],
            ["RABBITMQ_PID_FILE"] = _dir["rabbitmq.pid"],
            ["RABBITMQ_DIST_PORT"] = I(distPort),
            ["RABBITMQ_LOGS"] = "-", // log to stdout, where the test reads it
        });
        _process.WaitForLine(l => l.Contains("Server startup complete", StringComparison.Ordinal) || l.Contains("completed with", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90), "RabbitMQ 'Server startup complete'");
        Assert.True(Edge.Daemon.EmbeddedBroker.SomethingAccepts("127.0.0.1", MqttPort, TimeSpan.FromSeconds(30), retryRefused: true),
            $"RabbitMQ's MQTT listener on {MqttPort} did not accept within 30 s:\n{Log}");
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
