using System.Globalization;
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
    private readonly Action<string>? _log;
    private int _disposed;
    private long _packetsRefused;

    private EmbeddedBroker(MqttServer server, int port, Action<string>? log)
    {
        _server = server;
        Port = port;
        _log = log;
    }

    /// <summary>The port served.</summary>
    public int Port { get; }

    /// <summary>Packets refused for their size (their senders disconnected), since the start.</summary>
    public long PacketsRefused => Interlocked.Read(ref _packetsRefused);

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
    /// The largest packet (remaining length) a client may send, bytes: a PUBLISH with a payload at
    /// <see cref="MaxPublishPayloadBytes"/> and room for the longest topic (65,537 bytes with its length), a packet id
    /// and MQTT 5 properties. A larger one is refused from its fixed header, before a byte of its body is read.
    /// </summary>
    public const int MaxPacketBytes = MaxPublishPayloadBytes + 128 * 1024;

    /// <summary>
    /// Starts a broker on 127.0.0.1:<paramref name="port"/> (and [::1] where the host has IPv6 loopback, so that
    /// <c>localhost</c> resolving to either works). Throws <see cref="SocketException"/> when the port is taken.
    /// </summary>
    /// <param name="port">The TCP port.</param>
    /// <param name="log">Told of every packet refused for its size (a warning); null: counted only.</param>
    public static EmbeddedBroker Start(int port, Action<string>? log = null)
    {
        MqttServerOptions options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(Socket.OSSupportsIPv6 ? IPAddress.IPv6Loopback : IPAddress.None)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            .Build();
        EmbeddedBroker? broker = null;
        var listener = new EmbeddedBrokerListener(MaxPacketBytes, (client, type) => broker?.Refused(
            string.Create(CultureInfo.InvariantCulture, $"a {type} from {client} announcing more than {MaxPacketBytes} bytes (the packet limit), unread")));
        MqttServer server = new MqttServerFactory().CreateMqttServer(options, [listener]);
        broker = new EmbeddedBroker(server, port, log);

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
        // subscription and queued (1.7 GB resident, the loop starved into a fault), and a fixed header announcing
        // 256 MiB made it allocate that much and wait for the body. A packet beyond MaxPacketBytes is refused by the
        // listener from its fixed header (EmbeddedBrokerListener: its sender is disconnected, nothing of the body read);
        // a PUBLISH within it whose payload is beyond what Edge's own client accepts is dropped here and its sender
        // disconnected (read once: at most 128 KiB beyond the limit). On a real site the broker's own limit (mosquitto's
        // max_packet_size) is the answer.
        server.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Payload.Length > MaxPublishPayloadBytes)
            {
                e.ProcessPublish = false;
                e.CloseConnection = true;
                broker.Refused(string.Create(CultureInfo.InvariantCulture,
                    $"a PUBLISH from {e.ClientId} with a {e.ApplicationMessage.Payload.Length} byte payload (the payload limit is {MaxPublishPayloadBytes})"));
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

        return broker;
    }

    /// <summary>Counts and tells of a packet refused for its size.</summary>
    private void Refused(string what)
    {
        long n = Interlocked.Increment(ref _packetsRefused);
        _log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"embedded broker: refused {what}; disconnected the client ({n} refused since the start)"));
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
