using System.Globalization;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Brokers;

/// <summary>
/// Debian's nats-server as a private cluster of <c>n</c> nodes on loopback ports picked here: each node with JetStream
/// (which NATS's MQTT needs for sessions, QoS 1 and retained messages) and an MQTT listener, routes to every other
/// node. Never a system service. A node can be killed alone (SIGKILL).
/// </summary>
internal sealed class NatsCluster : IDisposable
{
    public const string NatsServer = "/usr/sbin/nats-server";

    private readonly TempDir _dir = new("edge-rig-nats-");
    private readonly ChildProcess?[] _nodes;

    public NatsCluster(int nodes)
    {
        _dir.Create();
        _nodes = new ChildProcess?[nodes];
        MqttPorts = new int[nodes];
        // Ports are picked free and then bound by nats-server: another process may take one in between. Such a start is
        // told apart (the node exits saying so) and the whole cluster is started again on fresh ports.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Start(nodes);
                return;
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 3 && Log.Contains("address already in use", StringComparison.Ordinal))
            {
                StopAll();
            }
        }
    }

    /// <summary>The nodes' MQTT ports, in node order.</summary>
    public int[] MqttPorts { get; }

    /// <summary>Every node's log, node by node.</summary>
    public string Log => string.Join('\n', _nodes.Select((n, i) => $"--- n{i + 1}\n{n?.Log}"));

    /// <summary>SIGKILL to node <paramref name="index"/> (0-based); waits for it to exit.</summary>
    public void Kill(int index)
    {
        ChildProcess node = _nodes[index] ?? throw new InvalidOperationException($"node n{index + 1} is not running");
        node.Signal(ChildProcess.SigKill);
        node.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        StopAll();
        _dir.Dispose();
    }

    private void Start(int nodes)
    {
        int[] clientPorts = [.. Enumerable.Range(0, nodes).Select(_ => Mosquitto.FreePort())];
        int[] routePorts = [.. Enumerable.Range(0, nodes).Select(_ => Mosquitto.FreePort())];
        for (int i = 0; i < nodes; i++)
        {
            MqttPorts[i] = Mosquitto.FreePort();
        }

        string routes = string.Join(", ", routePorts.Select(p => $"nats-route://127.0.0.1:{I(p)}"));
        for (int i = 0; i < nodes; i++)
        {
            string config = _dir[$"n{i + 1}.conf"];
            File.WriteAllText(config, $$"""
                server_name: n{{I(i + 1)}}
                listen: 127.0.0.1:{{I(clientPorts[i])}}
                jetstream { store_dir: "{{_dir[$"js{i + 1}"]}}" }
                cluster { name: edge-rig, listen: 127.0.0.1:{{I(routePorts[i])}}, routes: [{{routes}}] }
                mqtt { listen: 127.0.0.1:{{I(MqttPorts[i])}} }

                """);
            _nodes[i] = new ChildProcess(NatsServer, ["-c", config]);
        }

        foreach (ChildProcess node in _nodes.OfType<ChildProcess>())
        {
            node.WaitForLine(l => l.Contains("Server is ready", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "nats-server 'Server is ready'");
        }

        // MQTT sessions and retained messages live in JetStream: wait until the cluster has elected its meta leader.
        Wait.Until(() => _nodes.Any(n => n!.Log.Contains("JetStream cluster new metadata leader", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "a JetStream meta leader in the NATS cluster", () => Log);
    }

    private void StopAll()
    {
        for (int i = 0; i < _nodes.Length; i++)
        {
            _nodes[i]?.Dispose();
            _nodes[i] = null;
        }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
