using System.Net;
using System.Net.Sockets;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace Edge.Daemon;

/// <summary>
/// The embedded broker's TCP listener, in place of MQTTnet's own (which has no packet-size limit and allocates the
/// length a fixed header announces — up to 256 MiB — before reading a byte of the body): the same endpoint options
/// (addresses, port, backlog, no-delay, linger), and every connection read through a
/// <see cref="SizeLimitedMqttChannel"/>.
/// </summary>
internal sealed class EmbeddedBrokerListener : IMqttServerAdapter
{
    private readonly long _maxPacketBytes;
    private readonly Action<EndPoint?, string> _refused;
    private readonly List<Socket> _listeners = [];
    private CancellationTokenSource? _stop;

    /// <summary>Creates the listener.</summary>
    /// <param name="maxPacketBytes">The largest remaining length a client may announce, bytes.</param>
    /// <param name="refused">Called for each refused packet: the client and the packet type's name.</param>
    public EmbeddedBrokerListener(long maxPacketBytes, Action<EndPoint?, string> refused)
    {
        _maxPacketBytes = maxPacketBytes;
        _refused = refused;
    }

    /// <inheritdoc />
    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>Binds and listens on the default endpoint's addresses; throws <see cref="SocketException"/> when the port is taken.</summary>
    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        MqttServerTcpEndpointOptions endpoint = options.DefaultEndpointOptions;
        _stop = new CancellationTokenSource();
        CancellationToken stop = _stop.Token;
        try
        {
            foreach (IPAddress address in new[] { endpoint.BoundInterNetworkAddress, endpoint.BoundInterNetworkV6Address })
            {
                if (address.Equals(IPAddress.None))
                {
                    continue;
                }

                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                _listeners.Add(socket);
                socket.Bind(new IPEndPoint(address, endpoint.Port));
                socket.Listen(endpoint.ConnectionBacklog);
                _ = Task.Run(() => AcceptAsync(socket, options, logger, stop), CancellationToken.None);
            }
        }
        catch
        {
            Stop();
            throw;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => Stop();

    private void Stop()
    {
        _stop?.Cancel();
        foreach (Socket socket in _listeners)
        {
            socket.Dispose();
        }

        _listeners.Clear();
        _stop?.Dispose();
        _stop = null;
    }

    private async Task AcceptAsync(Socket listener, MqttServerOptions options, IMqttNetLogger logger, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                return; // stopped
            }
            catch (SocketException)
            {
                continue; // one failed accept (a client that reset before it was accepted)
            }

            _ = Task.Run(() => ServeAsync(client, options, logger), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, MqttServerOptions options, IMqttNetLogger logger)
    {
        MqttServerTcpEndpointOptions endpoint = options.DefaultEndpointOptions;
        NetworkStream? stream = null;
        try
        {
            stream = new NetworkStream(client, ownsSocket: true);
            EndPoint? remote = client.RemoteEndPoint;
            client.NoDelay = endpoint.NoDelay;
            if (endpoint.LingerState is { } linger)
            {
                client.LingerState = linger;
            }

            if (ClientHandler is not { } handler)
            {
                return;
            }

            var tcp = new MqttTcpChannel(stream, client.LocalEndPoint, remote, null);
            var channel = new SizeLimitedMqttChannel(tcp, _maxPacketBytes, type => _refused(remote, type));
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, logger) { AllowPacketFragmentation = endpoint.AllowPacketFragmentation };
            await handler(adapter).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client went away or misbehaved: MQTTnet has ended its session. A connection never takes the broker
            // (or, unobserved, the process) down with it.
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                client.Dispose();
            }
        }
    }
}
