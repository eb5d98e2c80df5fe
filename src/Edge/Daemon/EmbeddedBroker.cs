using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace Edge.Daemon;

/// <summary>
/// The MQTT broker <c>edge run --rig sim</c> serves itself when none answers (<c>Mqtt:EmbeddedBroker</c>, see
/// docs/DESIGN.md §12): an MQTTnet server on the loopback address and the configured port, anonymous,
/// retained messages in memory. It runs on the thread pool beside the loop (never inside a control period) and lives
/// as long as the daemon; a broker that already answers on the port always wins, so the embedded one is only a
/// stand-in that lets the demo run with no installs.
/// </summary>
internal sealed class EmbeddedBroker : IDisposable
{
    /// <summary>How long a broker that is already there gets to accept a connection before Edge serves the port itself.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private static readonly System.Reflection.FieldInfo? ConnectPacketField =
        typeof(ValidatingConnectionEventArgs).GetField("_connectPacket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);

    private readonly MqttServer _server;
    private int _disposed;

    private EmbeddedBroker(MqttServer server, int port)
    {
        _server = server;
        Port = port;
    }

    /// <summary>The port served.</summary>
    public int Port { get; }

    /// <summary>
    /// True when <paramref name="setting"/> (auto | on | off) asks for an embedded broker on this rig and host:
    /// <c>off</c> never; <c>auto</c> only on the simulated rig <c>sim</c>; <c>on</c> on any rig. In every case only
    /// for a loopback host (an embedded broker on another machine's name would serve nobody).
    /// </summary>
    public static bool Wanted(string setting, string rig, string host) => setting switch
    {
        "off" => false,
        "on" => IsLoopback(host),
        _ => string.Equals(rig, "sim", StringComparison.OrdinalIgnoreCase) && IsLoopback(host),
    };

    /// <summary>True for <c>localhost</c> and loopback addresses.</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));

    /// <summary>
    /// True when something accepts a TCP connection on the loopback <paramref name="port"/> within
    /// <paramref name="timeout"/>. A refused connection is a definite "nobody": it is retried until the timeout only
    /// when <paramref name="retryRefused"/> is set (a broker that is still starting).
    /// </summary>
    public static bool SomethingAccepts(string host, int port, TimeSpan timeout, bool retryRefused = false)
    {
        var deadline = Stopwatch.StartNew();
        IPAddress[] addresses = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
            : [IPAddress.Parse(host.Trim('[', ']'))];
        while (true)
        {
            foreach (IPAddress address in addresses)
            {
                TimeSpan left = timeout - deadline.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                try
                {
                    using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    using var cts = new CancellationTokenSource(left);
                    socket.ConnectAsync(new IPEndPoint(address, port), cts.Token).AsTask().GetAwaiter().GetResult();
                    return true;
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    // refused, unreachable (no IPv6) or timed out: try the next address
                }
            }

            if (!retryRefused || deadline.Elapsed >= timeout)
            {
                return false;
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>The largest PUBLISH payload the embedded broker routes, bytes (Edge's own client's default limit).</summary>
    public const int MaxPublishPayloadBytes = 1024 * 1024;

    /// <summary>
    /// Starts a broker on 127.0.0.1:<paramref name="port"/> (and [::1] where the host has IPv6 loopback, so that
    /// <c>localhost</c> resolving to either works). Throws <see cref="SocketException"/> when the port is taken.
    /// </summary>
    public static EmbeddedBroker Start(int port)
    {
        MqttServerOptions options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(Socket.OSSupportsIPv6 ? IPAddress.IPv6Loopback : IPAddress.None)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            .Build();
        MqttServer server = new MqttServerFactory().CreateMqttServer(options);

        // mosquitto_sub and paho connect with an empty client id and a clean session, asking the broker to assign one
        // (MQTT 3.1.1 §3.1.3-6/-7 allow it). MQTTnet 5.2 assigns identifiers to MQTT 5 clients only and refuses 3.1.1
        // ones with "identifier rejected"; its public event cannot rename the client, so the CONNECT packet behind it
        // is given an id here (pinned version; EmbeddedBrokerTests catches a change with a real mosquitto_sub).
        server.ValidatingConnectionAsync += e =>
        {
            if (string.IsNullOrEmpty(e.ClientId) && e.CleanSession == true && ConnectPacketField?.GetValue(e) is MqttConnectPacket connect)
            {
                connect.ClientId = "edge-embedded-" + Guid.NewGuid().ToString("N")[..12];
            }

            return Task.CompletedTask;
        };

        // MQTTnet has no packet-size limit of its own: a client's 260 MB PUBLISH was routed to Edge's command
        // subscription and queued (1.7 GB resident, the loop starved into a fault). Anything beyond what Edge's own
        // client accepts is dropped and its sender disconnected; the broker still reads the packet once (it is in this
        // process: the real brokers' limit, e.g. mosquitto's max_packet_size, is the answer on a real site).
        server.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Payload.Length > MaxPublishPayloadBytes)
            {
                e.ProcessPublish = false;
                e.CloseConnection = true;
            }

            return Task.CompletedTask;
        };

        try
        {
            server.StartAsync().GetAwaiter().GetResult();
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return new EmbeddedBroker(server, port);
    }

    /// <summary>Stops the broker (clients see the connection close; the daemon publishes its offline status first).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // the daemon stops it at the end of its stop, the host disposes the daemon after that
        }

        try
        {
            _server.StopAsync().Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // stopping a broker whose sockets are already gone
        }

        _server.Dispose();
    }
}
