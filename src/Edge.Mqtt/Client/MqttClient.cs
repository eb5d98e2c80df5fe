// The MQTT 3.1.1 client. One I/O thread per client ("session thread") connects, reconnects with backoff, and writes;
// one reader thread per connection decodes what the broker sends. Nobody else touches the socket, and producers (the
// publisher thread, commands) only ever queue into the outbox and wake the session thread — they never wait for the
// network.
//
// Session thread, per connection:
//   TCP connect → optional TLS (SslStream, CA file, client certificate) → CONNECT → CONNACK (strictly decoded)
//   → start reader → re-subscribe when the broker has no session → sync hook (e.g. "status: online" to the front)
//   → write loop: control packets (SUBSCRIBE, PUBACK, PINGREQ) then a batch from the outbox (DUP resends first),
//     coalesced into one socket write; wait for a wake-up or the next keep-alive deadline.
//   The link is declared dead when a PINGREQ is not answered within PingTimeout. A PINGREQ is sent when nothing was
//   sent, or nothing received, for a keep-alive period (so a publish-only QoS 0 stream still detects a dead broker).
// Reader thread: fills a buffer, decodes frames with MqttPacketReader; any malformed packet or protocol violation
//   closes the connection with the reason logged (MQTT 3.1.1 §4.8).
// On loss: inflight QoS 1 messages are marked for resend with DUP; the session thread waits (exponential backoff with
// jitter) and tries again. Events (ConnectedAsync, DisconnectedAsync) run on the thread pool, one at a time, in order.

using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Mqtt.Client;

/// <summary>
/// An MQTT 3.1.1 client that survives brokers: QoS 0/1 publishing through a bounded outbox with an inflight window,
/// retransmission with DUP after reconnect, keep-alive with dead-link detection, TLS, Last Will, credentials from a
/// file or the environment, reconnect with exponential backoff and jitter. The public shape follows MQTTnet's
/// (<c>ConnectAsync</c>, <c>PublishAsync</c>, <c>SubscribeAsync</c>, <c>ApplicationMessageReceivedAsync</c>,
/// <c>ConnectedAsync</c>, <c>DisconnectedAsync</c>), so swapping in MQTTnet later touches only this project.
/// <para>
/// Threading: all network I/O runs on the client's own threads. <see cref="ApplicationMessageReceivedAsync"/> handlers
/// run on the reader thread and delay further reception while they run: they must not wait for a QoS 1 PUBACK
/// (queue the publish and return instead).
/// </para>
/// </summary>
public sealed class MqttClient : IDisposable
{
    /// <summary>
    /// The reason of an attempt the broker ended without a CONNACK (<see cref="MqttClientDisconnectedEventArgs.Reason"/>):
    /// what a broker does when it refuses something in CONNECT it has no return code for (e.g. a Will topic).
    /// </summary>
    public const string ClosedBeforeConnAck = "broker closed the connection before CONNACK";

    private const int MaxBatchBytes = 256 * 1024;

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly ManualResetEventSlim _stopSignal = new(false);
    private readonly object _controlGate = new();
    private readonly Queue<byte[]> _control = new();
    private readonly Queue<ushort> _pubAcks = new();
    private readonly object _subscriptionGate = new();
    private readonly List<MqttTopicFilter> _subscriptions = [];
    private readonly List<PendingRequest> _pendingRequests = [];
    private readonly Dictionary<string, int> _refusals = new(StringComparer.Ordinal); // refused filters: refusals in a row
    private readonly List<MqttTopicFilter> _refusedFilters = [];
    private ITimer? _refusedRetry;
    private readonly object _writeGate = new();
    private readonly ArrayBufferWriter<byte> _writeBuffer = new(64 * 1024);
    private readonly List<TaskCompletionSource<MqttClientPublishResult>> _written = [];
    private readonly object _eventGate = new();
    private Task _eventChain = Task.CompletedTask;
    private MqttClientOptions? _options;
    private MqttOutbox? _outbox;
    private Thread? _sessionThread;
    private volatile Connection? _connection;
    private volatile bool _stopping;
    private Connection? _opening; // the attempt in progress, so a stop aborts a CONNECT the broker never answers
    private TaskCompletionSource<MqttClientConnectResult>? _firstConnect;
    private TaskCompletionSource? _stopped;
    private long _drainDeadlineTs;
    private volatile bool _disconnectRequested;
    private long _connects;
    private long _connectionLosses;
    private long _malformed;
    private long _bytesSent;
    private long _bytesReceived;
    private long _received;
    private string? _lastDisconnectReason;
    private (byte[] Bytes, string Text)? _lastTopic;

    private int _failedAttempts;
    private IReadOnlyList<MqttServer> _servers = []; // _options.Servers(), fixed at start
    private volatile int _serverIndex; // into _servers: the broker of the current (or next) attempt

    /// <summary>Creates a client; nothing happens until <see cref="ConnectAsync"/> or <see cref="Start"/>.</summary>
    public MqttClient(ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised after every accepted connection (thread pool; handlers run one at a time, in order).</summary>
    public event Func<MqttClientConnectedEventArgs, Task>? ConnectedAsync;

    /// <summary>Raised after a connection ended or an attempt failed (thread pool; one at a time, in order).</summary>
    public event Func<MqttClientDisconnectedEventArgs, Task>? DisconnectedAsync;

    /// <summary>Raised for every delivered message, on the reader thread (see the class remarks).</summary>
    public event Func<MqttApplicationMessageReceivedEventArgs, Task>? ApplicationMessageReceivedAsync;

    /// <summary>
    /// Raised (on the reader thread) for a PUBLISH larger than <see cref="MqttClientOptions.MaxIncomingPacketBytes"/>:
    /// its body was discarded unread (and acknowledged at QoS 1) instead of closing the connection, so an oversized
    /// message cannot knock the client offline. Handlers must not block.
    /// </summary>
    public event Action<MqttOversizedMessageEventArgs>? OversizedMessageDropped;

    /// <summary>
    /// Called synchronously on the session thread after CONNACK and before anything is written on the new connection
    /// (e.g. to queue a retained "online" status in front of the backlog). Must not block.
    /// </summary>
    public Action<MqttClientConnectResult>? ConnectionEstablished { get; set; }

    /// <summary>True while a connection is accepted and open.</summary>
    public bool IsConnected => _connection is { IsOpen: true, Accepted: true };

    /// <summary>
    /// The broker of the current connection (or of the next attempt while there is none): <c>Host:Port</c> or one of
    /// the <see cref="MqttClientOptions.FailoverServers"/>. Null before <see cref="ConnectAsync"/> or <see cref="Start"/>.
    /// </summary>
    public MqttServer? Server => _servers.Count > 0 ? _servers[_serverIndex] : null;

    /// <summary>The options in use (after <see cref="ConnectAsync"/> or <see cref="Start"/>).</summary>
    public MqttClientOptions? Options => _options;

    /// <summary>The outbox (after <see cref="ConnectAsync"/> or <see cref="Start"/>): producers may queue into it directly.</summary>
    public MqttOutbox Outbox => _outbox ?? throw new InvalidOperationException("The client has not been started.");

    /// <summary>Connection and traffic counters.</summary>
    public MqttClientStatistics Statistics => new(
        Interlocked.Read(ref _connects),
        Interlocked.Read(ref _connectionLosses),
        Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _bytesSent),
        Interlocked.Read(ref _bytesReceived),
        Interlocked.Read(ref _received),
        _lastDisconnectReason);

    /// <summary>
    /// Connects once and, when accepted, keeps the session up (reconnecting per <see cref="MqttClientOptions.Reconnect"/>).
    /// Throws <see cref="MqttConnectingFailedException"/> when the first attempt fails (then the client is stopped).
    /// </summary>
    public async Task<MqttClientConnectResult> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default)
    {
        var first = new TaskCompletionSource<MqttClientConnectResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        StartCore(options, first);
        using (cancellationToken.Register(() => first.TrySetCanceled(cancellationToken)))
        {
            try
            {
                return await first.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Stop();
                throw;
            }
        }
    }

    /// <summary>
    /// Starts the session thread and returns at once: it connects in the background and keeps trying with backoff for
    /// as long as the client runs (the daemon keeps running without a broker). Messages queued meanwhile wait in the outbox.
    /// </summary>
    public void Start(MqttClientOptions options) => StartCore(options, null);

    /// <summary>
    /// Queues a message (with critical priority: a full outbox makes room by dropping its oldest telemetry, and refuses
    /// only beyond its critical reserve, with <c>IsSuccess = false</c>); the task completes when the message was
    /// written (QoS 0) or acknowledged (QoS 1), possibly after reconnects. Producers that must never wait or allocate
    /// use <see cref="Outbox"/> directly.
    /// </summary>
    public Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        string? error = MqttUtf8.CheckTopicName(message.Topic);
        if (error is not null)
        {
            throw new ArgumentException($"Topic '{message.Topic}': {error}.", nameof(message));
        }

        var done = new TaskCompletionSource<MqttClientPublishResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Outbox.TryEnqueueCore(message.Topic, message.Payload.Span, message.QualityOfServiceLevel, message.Retain, OutboxPriority.Critical, OutboxFullPolicy.RejectNew, done, front: false))
        {
            return Task.FromResult(new MqttClientPublishResult(false, null, "outbox full"));
        }

        return cancellationToken.CanBeCanceled ? done.Task.WaitAsync(cancellationToken) : done.Task;
    }

    /// <summary>Subscribes to one filter.</summary>
    public Task<MqttClientSubscribeResult> SubscribeAsync(string topic, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce, CancellationToken cancellationToken = default) =>
        SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, qos).Build(), cancellationToken);

    /// <summary>
    /// Subscribes; the task completes with the SUBACK (sent as soon as connected). The filters are remembered and
    /// subscribed again after a reconnect when the broker kept no session.
    /// </summary>
    public Task<MqttClientSubscribeResult> SubscribeAsync(MqttClientSubscribeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TopicFilters.Count == 0)
        {
            throw new ArgumentException("At least one topic filter is required.", nameof(options));
        }

        foreach (MqttTopicFilter f in options.TopicFilters)
        {
            if (MqttUtf8.CheckTopicFilter(f.Topic) is { } error)
            {
                throw new ArgumentException($"Topic filter '{f.Topic}': {error}.", nameof(options));
            }

            if (f.QualityOfServiceLevel > MqttQualityOfServiceLevel.AtLeastOnce)
            {
                throw new NotSupportedException("This client subscribes at QoS 0 or 1 only.");
            }
        }

        var request = new PendingRequest(options.TopicFilters.ToArray(), null);
        lock (_subscriptionGate)
        {
            foreach (MqttTopicFilter f in request.Filters!)
            {
                _subscriptions.RemoveAll(s => s.Topic == f.Topic);
                _subscriptions.Add(f);
            }

            _pendingRequests.Add(request);
        }

        SendIfConnected(request);
        return cancellationToken.CanBeCanceled ? request.SubscribeDone!.Task.WaitAsync(cancellationToken) : request.SubscribeDone!.Task;
    }

    /// <summary>Unsubscribes; completes on UNSUBACK (or at once when not connected: the filter is simply forgotten).</summary>
    public Task UnsubscribeAsync(string topic, CancellationToken cancellationToken = default)
    {
        var request = new PendingRequest(null, [topic]);
        lock (_subscriptionGate)
        {
            _subscriptions.RemoveAll(s => s.Topic == topic);
            if (!IsConnected)
            {
                return Task.CompletedTask;
            }

            _pendingRequests.Add(request);
        }

        SendIfConnected(request);
        return cancellationToken.CanBeCanceled ? request.UnsubscribeDone!.Task.WaitAsync(cancellationToken) : request.UnsubscribeDone!.Task;
    }

    /// <summary>
    /// Disconnects cleanly: waits up to <paramref name="drainTimeout"/> for the outbox to empty (everything sent and
    /// acknowledged), sends DISCONNECT (so the broker discards the Will) and stops the client.
    /// </summary>
    public async Task DisconnectAsync(TimeSpan drainTimeout = default, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource? stopped = _stopped;
        if (stopped is null)
        {
            return;
        }

        Interlocked.Exchange(ref _drainDeadlineTs, _time.GetTimestamp() + (long)(drainTimeout.TotalSeconds * _time.TimestampFrequency));
        _disconnectRequested = true;
        if (!IsConnected)
        {
            Stop();
        }

        _wake.Set();
        await stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops at once: closes the socket without DISCONNECT (the broker publishes the Will).</summary>
    public void Dispose()
    {
        Stop();
        _sessionThread?.Join(TimeSpan.FromSeconds(10));
        lock (_subscriptionGate)
        {
            _refusedRetry?.Dispose();
        }

        _outbox?.Dispose();
    }

    /// <summary>Closes the current socket without DISCONNECT, as a crash or cable pull would (tests; the client reconnects).</summary>
    public void AbortConnection(string reason = "connection aborted on request") => _connection?.Close(reason, null);

    private void Stop()
    {
        _stopping = true;
        _stopSignal.Set();
        _connection?.Close("client stopped", null);
        Volatile.Read(ref _opening)?.Close("client stopped while connecting", null);
        _wake.Set();
    }

    private void StartCore(MqttClientOptions options, TaskCompletionSource<MqttClientConnectResult>? first)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        if (_sessionThread is not null)
        {
            throw new InvalidOperationException("The client was already started; create a new client to connect elsewhere.");
        }

        _options = options;
        _servers = options.Servers();
        IOutboxSpool? spool = string.IsNullOrEmpty(options.Outbox.SpoolPath)
            ? null
            : new FileOutboxSpool(options.Outbox.SpoolPath, options.Outbox.SpoolMaxBytes, options.Outbox.SpoolFsync, options.Outbox.Capacity, _logger);
        _outbox = new MqttOutbox(options.Outbox, spool) { MessageQueued = () => _wake.Set() };
        if (_outbox.SupersededFromSpool > 0)
        {
            _logger.LogInformation(
                "Outbox spool {Path}: {Count} retained {Messages} of an earlier run dropped unsent (superseded: this run publishes its own status on connecting); {Restored} messages to send",
                options.Outbox.SpoolPath, _outbox.SupersededFromSpool, _outbox.SupersededFromSpool == 1 ? "message" : "messages", _outbox.RestoredFromSpool);
        }

        _firstConnect = first;
        _stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sessionThread = new Thread(SessionLoop) { IsBackground = true, Name = $"mqtt-{options.ClientId}" };
        _sessionThread.Start();
    }

    private void SessionLoop()
    {
        MqttClientOptions options = _options!;
        IReadOnlyList<MqttServer> servers = _servers;
        var backoff = new ReconnectBackoff(options.Reconnect);
        int roundStart = 0; // the server a round of attempts began with: a round that comes back to it failed everywhere
        try
        {
            while (!_stopping)
            {
                MqttServer server = servers[_serverIndex];
                Connection? connection = null;
                MqttClientConnectResult? result = null;
                string? failure = null;
                Exception? exception = null;
                try
                {
                    connection = Open(options, server, out result);
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        failure = $"broker refused the connection: {result.ResultCode}";
                    }
                }
                catch (Exception e)
                {
                    // Any failure of an attempt (network, TLS, credentials, protocol) is retried; none may kill the thread.
                    failure = e is OperationCanceledException ? "connect timed out" : e.Message;
                    exception = e;
                }

                if (failure is not null)
                {
                    connection?.Close(failure, exception);
                    _serverIndex = (_serverIndex + 1) % servers.Count;
                    bool roundFailed = _serverIndex == roundStart;
                    // Say it once per outage and server, not at every backoff step (a broker may be down for hours).
                    _failedAttempts++;
                    if (servers.Count == 1)
                    {
                        _logger.Log(_failedAttempts == 1 ? LogLevel.Warning : LogLevel.Debug,
                            "MQTT {Server}: connection attempt failed: {Reason} (retrying with backoff; further failures are logged at debug level)", server, failure);
                    }
                    else
                    {
                        _logger.Log(_failedAttempts <= servers.Count ? LogLevel.Warning : LogLevel.Debug,
                            "MQTT {Server}: connection attempt failed: {Reason}; {Next} (further failures are logged at debug level)",
                            server, failure, roundFailed ? "no broker of the list answered: retrying with backoff" : $"trying {servers[_serverIndex]} next");
                    }

                    RaiseDisconnected(new MqttClientDisconnectedEventArgs(false, failure, exception));
                    if (!roundFailed && !_disconnectRequested)
                    {
                        continue; // the next broker of the list at once
                    }

                    if (_firstConnect is { } first)
                    {
                        string where = servers.Count == 1 ? server.ToString() : $"any of {string.Join(", ", servers)}";
                        first.TrySetException(new MqttConnectingFailedException($"Cannot connect to {where}: {failure}", result, exception));
                        return;
                    }

                    if (!options.Reconnect.Enabled || _disconnectRequested)
                    {
                        return;
                    }

                    _stopSignal.Wait(backoff.NextDelay());
                    continue;
                }

                backoff.Reset();
                RunConnection(connection!, result!, server);
                roundStart = _serverIndex; // after a loss, the broker that served last is tried first
                _firstConnect = null;
                if (_stopping || _disconnectRequested || !options.Reconnect.Enabled)
                {
                    return;
                }

                _stopSignal.Wait(backoff.NextDelay());
            }
        }
        catch (Exception e)
        {
            _logger.LogCritical(e, "MQTT {Server}: session thread failed; the client stops", servers[_serverIndex]);
        }
        finally
        {
            _firstConnect?.TrySetException(new MqttConnectingFailedException("The client was stopped before it connected."));
            _stopped?.TrySetResult();
        }
    }

    private Connection Open(MqttClientOptions options, MqttServer server, out MqttClientConnectResult result)
    {
        using var timeout = new CancellationTokenSource(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connection = new Connection(socket, options.MaxIncomingPacketBytes, this);
        Volatile.Write(ref _opening, connection);
        try
        {
            if (_stopping)
            {
                throw new OperationCanceledException("the client was stopped");
            }

            socket.ConnectAsync(server.Host, server.Port, timeout.Token).AsTask().GetAwaiter().GetResult();
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (options.Tls.UseTls)
            {
                stream = AuthenticateTls(stream, options, server, timeout.Token);
            }

            connection.Stream = stream;
            byte[]? password = options.Credentials.ReadPassword();
            MqttApplicationMessage? will = options.WillFactory is { } factory ? factory() : options.Will;
            var connect = new ConnectPacket
            {
                ClientId = options.ClientId,
                CleanSession = options.CleanSession,
                KeepAliveS = (ushort)Math.Round(options.KeepAlivePeriod.TotalSeconds),
                WillTopic = will?.Topic,
                WillPayload = will?.Payload ?? default,
                WillQos = will?.QualityOfServiceLevel ?? MqttQualityOfServiceLevel.AtMostOnce,
                WillRetain = will?.Retain ?? false,
                Username = options.Credentials.Username,
                Password = password is null ? (ReadOnlyMemory<byte>?)null : password,
            };
            var buffer = new ArrayBufferWriter<byte>(256);
            MqttPacketWriter.WriteConnect(buffer, connect);
            if (password is not null)
            {
                Array.Clear(password);
            }

            stream.Write(buffer.WrittenSpan);
            CryptographicClear(buffer);
            connection.MarkSent(_time.GetTimestamp());

            int remainingMs = (int)Math.Max(1, options.ConnectTimeout.TotalMilliseconds);
            stream.ReadTimeout = remainingMs;
            result = connection.ReadConnAck();
            stream.ReadTimeout = Timeout.Infinite;
            return connection;
        }
        catch
        {
            connection.Close("connect failed", null);
            throw;
        }
        finally
        {
            Volatile.Write(ref _opening, null);
        }
    }

    private static void CryptographicClear(ArrayBufferWriter<byte> buffer)
    {
        // The CONNECT carried the password: wipe the bytes the buffer still holds.
        buffer.Clear();
    }

    private static SslStream AuthenticateTls(Stream inner, MqttClientOptions options, MqttServer server, CancellationToken cancellationToken)
    {
        MqttClientTlsOptions tls = options.Tls;
        X509Certificate2Collection? roots = null;
        if (!string.IsNullOrEmpty(tls.CaFile))
        {
            roots = [];
            roots.ImportFromPemFile(tls.CaFile);
        }

        var auth = new SslClientAuthenticationOptions
        {
            TargetHost = tls.TargetHost ?? server.Host,
            EnabledSslProtocols = tls.SslProtocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateServer(certificate, errors, roots, tls.AllowNameMismatch),
        };
        if (!string.IsNullOrEmpty(tls.ClientCertificateFile))
        {
            auth.ClientCertificates = [X509Certificate2.CreateFromPemFile(tls.ClientCertificateFile, tls.ClientKeyFile)];
        }

        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        ssl.AuthenticateAsClientAsync(auth, cancellationToken).GetAwaiter().GetResult();
        return ssl;
    }

    private static bool ValidateServer(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? roots, bool allowNameMismatch)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 && !allowNameMismatch)
        {
            return false;
        }

        if (roots is null)
        {
            return (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }

    private void RunConnection(Connection connection, MqttClientConnectResult result, MqttServer server)
    {
        MqttClientOptions options = _options!;
        connection.Accepted = true;
        _connection = connection;
        Interlocked.Increment(ref _connects);
        _logger.LogInformation(
            "MQTT {Server}: connected as {ClientId} (session present: {SessionPresent}, {Credentials}, TLS: {Tls})",
            server, options.ClientId, result.IsSessionPresent, options.Credentials, options.Tls.UseTls);
        var reader = new Thread(connection.ReadLoop) { IsBackground = true, Name = $"mqtt-rx-{options.ClientId}" };
        reader.Start();

        ResubscribeAfterConnect(result.IsSessionPresent);
        try
        {
            ConnectionEstablished?.Invoke(result);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "MQTT: ConnectionEstablished hook failed");
        }

        _firstConnect?.TrySetResult(result);
        RaiseConnected(new MqttClientConnectedEventArgs(result, server));

        WriteLoop(connection, options);

        connection.Close(_stopping ? "client stopped" : "disconnected", null);
        reader.Join();
        _connection = null;
        Outbox.OnConnectionLost();
        lock (_controlGate)
        {
            _control.Clear();
            _pubAcks.Clear();
        }

        string reason = connection.CloseReason ?? "closed";
        _lastDisconnectReason = reason;
        if (!connection.Graceful && !_stopping)
        {
            Interlocked.Increment(ref _connectionLosses);
            _logger.LogWarning("MQTT {Server}: connection lost: {Reason}", server, reason);
        }

        RaiseDisconnected(new MqttClientDisconnectedEventArgs(true, reason, connection.CloseException));
    }

    private void WriteLoop(Connection connection, MqttClientOptions options)
    {
        long keepAliveTicks = (long)(options.KeepAlivePeriod.TotalSeconds * _time.TimestampFrequency);
        long pingTimeoutTicks = (long)(options.PingTimeout.TotalSeconds * _time.TimestampFrequency);
        while (connection.IsOpen)
        {
            _wake.Reset();
            long now = _time.GetTimestamp();
            bool pingDue = false;
            if (keepAliveTicks > 0)
            {
                long pingSent = connection.PingSentTs;
                if (pingSent != 0 && now - pingSent > pingTimeoutTicks)
                {
                    connection.Close($"keep-alive: no PINGRESP within {options.PingTimeout.TotalSeconds:0.###} s", null);
                    return;
                }

                pingDue = pingSent == 0 && (now - connection.LastSentTs >= keepAliveTicks || now - connection.LastReceivedTs >= keepAliveTicks);
            }

            bool draining = _disconnectRequested;
            int written;
            lock (_writeGate)
            {
                written = WriteAvailable(connection, now, pingDue);
            }

            if (written < 0)
            {
                return;
            }

            if (written > 0)
            {
                continue;
            }

            if (draining && (Outbox.Count == 0 || now >= Interlocked.Read(ref _drainDeadlineTs)))
            {
                lock (_writeGate)
                {
                    _writeBuffer.ResetWrittenCount();
                    MqttPacketWriter.WriteDisconnect(_writeBuffer);
                    connection.TryWrite(_writeBuffer.WrittenSpan);
                }

                connection.Graceful = true;
                connection.Close("disconnected by the client", null);
                _stopping = true;
                _stopSignal.Set();
                return;
            }

            _wake.Wait(NextWait(connection, now, keepAliveTicks, pingTimeoutTicks, draining));
        }
    }

    /// <summary>
    /// Writes what can be sent now — control packets (SUBSCRIBE, PUBACK), an optional PINGREQ, then a batch from the
    /// outbox — as one socket write. Caller holds <c>_writeGate</c>. Returns the bytes written, 0 for nothing, −1 when
    /// the connection failed.
    /// </summary>
    private int WriteAvailable(Connection connection, long now, bool pingDue)
    {
        _writeBuffer.ResetWrittenCount();
        DrainControl(_writeBuffer);
        if (pingDue)
        {
            MqttPacketWriter.WritePingReq(_writeBuffer);
            connection.PingSentTs = now;
        }

        _written.Clear();
        Outbox.TakeBatch(_writeBuffer, _options!.MaxInflight, MaxBatchBytes, _written);
        if (_writeBuffer.WrittenCount == 0)
        {
            return 0;
        }

        if (!connection.TryWrite(_writeBuffer.WrittenSpan))
        {
            FailWritten("connection lost before the message was written");
            return -1;
        }

        Interlocked.Add(ref _bytesSent, _writeBuffer.WrittenCount);
        connection.MarkSent(now);
        foreach (var done in _written)
        {
            done.TrySetResult(MqttClientPublishResult.Written);
        }

        return _writeBuffer.WrittenCount;
    }

    /// <summary>
    /// Called by the reader after a read that freed window space or needs PUBACKs: writes at once on the reader thread
    /// when the writer is idle (saving a thread hand-off per round trip), else leaves it to the writer.
    /// </summary>
    private void WriteFromReader(Connection connection)
    {
        if (Monitor.TryEnter(_writeGate))
        {
            try
            {
                if (connection.IsOpen)
                {
                    WriteAvailable(connection, _time.GetTimestamp(), pingDue: false);
                }
            }
            finally
            {
                Monitor.Exit(_writeGate);
            }
        }
        else
        {
            _wake.Set();
        }
    }

    private void FailWritten(string reason)
    {
        // QoS 0 messages taken from the outbox but not written are lost (at-most-once); tell their callers.
        foreach (var done in _written)
        {
            done.TrySetResult(new MqttClientPublishResult(false, null, reason));
        }
    }

    private TimeSpan NextWait(Connection connection, long now, long keepAliveTicks, long pingTimeoutTicks, bool draining)
    {
        long waitTicks = _time.TimestampFrequency; // at most 1 s between checks
        if (keepAliveTicks > 0)
        {
            long pingSent = connection.PingSentTs;
            long deadline = pingSent != 0
                ? pingSent + pingTimeoutTicks + 1
                : Math.Min(connection.LastSentTs, connection.LastReceivedTs) + keepAliveTicks;
            waitTicks = Math.Min(waitTicks, deadline - now);
        }

        if (draining)
        {
            waitTicks = Math.Min(waitTicks, _time.TimestampFrequency / 50);
        }

        return TimeSpan.FromSeconds(Math.Max(1, waitTicks) / (double)_time.TimestampFrequency);
    }

    private void DrainControl(ArrayBufferWriter<byte> buffer)
    {
        lock (_controlGate)
        {
            while (_control.TryDequeue(out byte[]? packet))
            {
                buffer.Write(packet);
            }

            while (_pubAcks.TryDequeue(out ushort id))
            {
                MqttPacketWriter.WritePubAck(buffer, id);
            }
        }
    }

    private void ResubscribeAfterConnect(bool sessionPresent)
    {
        List<PendingRequest> toSend;
        lock (_subscriptionGate)
        {
            // Requests of the previous connection never got their acknowledgement: send them again with new identifiers.
            foreach (PendingRequest r in _pendingRequests)
            {
                if (r.PacketId != 0)
                {
                    Outbox.ReleasePacketId(r.PacketId);
                    r.PacketId = 0;
                }
            }

            if (!sessionPresent && _subscriptions.Count > 0)
            {
                // The broker kept no session: subscribe again to every remembered filter not already being requested.
                var requested = new HashSet<string>(StringComparer.Ordinal);
                foreach (PendingRequest r in _pendingRequests)
                {
                    foreach (MqttTopicFilter f in r.Filters ?? [])
                    {
                        requested.Add(f.Topic);
                    }
                }

                MqttTopicFilter[] rest = _subscriptions.Where(s => !requested.Contains(s.Topic)).ToArray();
                if (rest.Length > 0)
                {
                    _pendingRequests.Insert(0, new PendingRequest(rest, null));
                }
            }

            toSend = [.. _pendingRequests];
        }

        foreach (PendingRequest r in toSend)
        {
            Send(r);
        }
    }

    private void SendIfConnected(PendingRequest request)
    {
        if (IsConnected)
        {
            Send(request);
        }
    }

    private void Send(PendingRequest request)
    {
        lock (_subscriptionGate)
        {
            if (request.PacketId != 0 || !_pendingRequests.Contains(request))
            {
                return;
            }

            ushort id = Outbox.ReservePacketId(request);
            if (id == 0)
            {
                return;
            }

            request.PacketId = id;
            var buffer = new ArrayBufferWriter<byte>(64);
            if (request.Filters is not null)
            {
                MqttPacketWriter.WriteSubscribe(buffer, id, request.Filters);
            }
            else
            {
                MqttPacketWriter.WriteUnsubscribe(buffer, id, request.Unsubscribe!);
            }

            lock (_controlGate)
            {
                _control.Enqueue(buffer.WrittenSpan.ToArray());
            }
        }

        _wake.Set();
    }

    // ---- reader-thread callbacks ----------------------------------------------------------------------------------

    private string? OnPacket(Connection connection, in MqttFrame frame)
    {
        Interlocked.Add(ref _bytesReceived, frame.TotalLength);
        string? error = MqttPacketReader.CheckFromServer(frame.Type, frame.Flags);
        if (error is not null)
        {
            return error;
        }

        switch (frame.Type)
        {
            case PacketType.Publish:
                error = MqttPacketReader.TryParsePublish(frame.Flags, frame.Body, out PublishView publish);
                if (error is not null)
                {
                    return error;
                }

                Interlocked.Increment(ref _received);
                Deliver(publish);
                if (publish.Qos == MqttQualityOfServiceLevel.AtLeastOnce)
                {
                    lock (_controlGate)
                    {
                        _pubAcks.Enqueue(publish.PacketId);
                    }

                    connection.WakePending = true;
                }

                return null;

            case PacketType.PubAck:
                error = MqttPacketReader.TryParseIdOnly(frame.Body, out ushort ackId);
                if (error is null)
                {
                    Outbox.OnPubAck(ackId);
                    connection.WakePending = true;
                }

                return error;

            case PacketType.SubAck:
                error = MqttPacketReader.TryParseSubAck(frame.Body, out ushort subId, out ReadOnlySpan<byte> codes);
                return error ?? CompleteRequest(subId, codes);

            case PacketType.UnsubAck:
                error = MqttPacketReader.TryParseIdOnly(frame.Body, out ushort unsubId);
                return error ?? CompleteRequest(unsubId, default);

            case PacketType.PingResp:
                error = MqttPacketReader.TryParsePingResp(frame.Body);
                if (error is null)
                {
                    connection.PingSentTs = 0;
                }

                return error;

            case PacketType.ConnAck:
                return "second CONNACK on one connection";

            default:
                return "unexpected packet type";
        }
    }

    private string? CompleteRequest(ushort packetId, ReadOnlySpan<byte> codes)
    {
        PendingRequest? request = Outbox.ReleasePacketId(packetId) as PendingRequest;
        if (request is null)
        {
            return null; // an acknowledgement for a request of an earlier connection: harmless
        }

        lock (_subscriptionGate)
        {
            _pendingRequests.Remove(request);
        }

        if (request.Filters is not null)
        {
            if (codes.Length != request.Filters.Length)
            {
                return "SUBACK return code count differs from the SUBSCRIBE's filter count";
            }

            byte[] granted = codes.ToArray();
            List<MqttTopicFilter>? refused = null;
            for (int i = 0; i < granted.Length; i++)
            {
                if (granted[i] == 0x80)
                {
                    (refused ??= []).Add(request.Filters[i]);
                }
                else
                {
                    int before;
                    lock (_subscriptionGate)
                    {
                        _refusals.Remove(request.Filters[i].Topic, out before);
                    }

                    if (before > 0)
                    {
                        _logger.LogInformation("MQTT: subscription to {Filter} granted after {Refusals} refusal(s)", request.Filters[i].Topic, before);
                    }
                }
            }

            if (refused is not null)
            {
                AskAgainLater(refused);
            }

            request.SubscribeDone?.TrySetResult(new MqttClientSubscribeResult(granted));
        }
        else
        {
            request.UnsubscribeDone?.TrySetResult();
        }

        return null;
    }

    /// <summary>
    /// A refused subscription (SUBACK 0x80) is asked for again on the same connection after 1, 2, 4 … 60 s: a NATS
    /// cluster refuses while it elects JetStream leaders after losing a node, and a command subscription lost for good
    /// would leave the operators unheard. A refusal that stays (an ACL) costs one SUBSCRIBE a minute.
    /// </summary>
    private void AskAgainLater(List<MqttTopicFilter> refused)
    {
        int refusals = 0;
        lock (_subscriptionGate)
        {
            foreach (MqttTopicFilter f in refused)
            {
                refusals = Math.Max(refusals, _refusals[f.Topic] = _refusals.GetValueOrDefault(f.Topic) + 1);
                if (!_refusedFilters.Exists(r => r.Topic == f.Topic))
                {
                    _refusedFilters.Add(f);
                }
            }

            TimeSpan delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(refusals - 1, 6))));
            _logger.Log(refusals == 1 ? LogLevel.Warning : LogLevel.Debug, "MQTT: broker refused subscription to {Filter}; asking again in {DelayS} s",
                string.Join(", ", refused.Select(f => f.Topic)), delay.TotalSeconds);
            _refusedRetry ??= _time.CreateTimer(_ => SubscribeRefusedAgain(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _refusedRetry.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void SubscribeRefusedAgain()
    {
        PendingRequest request;
        lock (_subscriptionGate)
        {
            // Only filters still wanted (not unsubscribed meanwhile), with the QoS last asked for.
            MqttTopicFilter[] again = [.. _subscriptions.Where(s => _refusedFilters.Exists(r => r.Topic == s.Topic))];
            _refusedFilters.Clear();
            if (again.Length == 0 || _stopping)
            {
                return;
            }

            request = new PendingRequest(again, null);
            _pendingRequests.Add(request);
        }

        SendIfConnected(request); // while disconnected, the reconnect sends it with every pending request
    }

    private void Deliver(in PublishView publish)
    {
        Func<MqttApplicationMessageReceivedEventArgs, Task>? handler = ApplicationMessageReceivedAsync;
        if (handler is null)
        {
            return;
        }

        var args = new MqttApplicationMessageReceivedEventArgs(new MqttApplicationMessage
        {
            Topic = TopicString(publish.TopicUtf8),
            Payload = publish.Payload.ToArray(),
            QualityOfServiceLevel = publish.Qos,
            Retain = publish.Retain,
            Dup = publish.Dup,
        });
        if (handler.HasSingleTarget)
        {
            Invoke(handler, args);
            return;
        }

        foreach (Delegate h in handler.GetInvocationList())
        {
            Invoke((Func<MqttApplicationMessageReceivedEventArgs, Task>)h, args);
        }
    }

    private void Invoke(Func<MqttApplicationMessageReceivedEventArgs, Task> handler, MqttApplicationMessageReceivedEventArgs args)
    {
        try
        {
            Task t = handler(args);
            if (!t.IsCompletedSuccessfully)
            {
                t.GetAwaiter().GetResult();
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "MQTT: message handler failed for a message on {Topic}", args.ApplicationMessage.Topic);
        }
    }

    /// <summary>The topic as a string, reusing the previous one when the bytes are the same (most traffic repeats a few topics).</summary>
    private string TopicString(ReadOnlySpan<byte> utf8)
    {
        (byte[] Bytes, string Text)? last = _lastTopic;
        if (last is { } l && utf8.SequenceEqual(l.Bytes))
        {
            return l.Text;
        }

        string text = System.Text.Encoding.UTF8.GetString(utf8);
        _lastTopic = (utf8.ToArray(), text);
        return text;
    }

    private void OnOversizedPublishSkipped(string topic, int payloadBytes, ushort ackId)
    {
        Interlocked.Increment(ref _received);
        _logger.LogWarning("MQTT: discarded a PUBLISH of {Bytes} bytes on {Topic} (limit {Limit} bytes)", payloadBytes, topic, _options?.MaxIncomingPacketBytes);
        if (ackId != 0)
        {
            lock (_controlGate)
            {
                _pubAcks.Enqueue(ackId);
            }

            _wake.Set();
        }

        try
        {
            OversizedMessageDropped?.Invoke(new MqttOversizedMessageEventArgs(topic, payloadBytes));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "MQTT: oversized-message handler failed");
        }
    }

    private void OnMalformed(string reason)
    {
        Interlocked.Increment(ref _malformed);
        _logger.LogError("MQTT {Server}: closing the connection: {Reason}", Server, reason);
    }

    private void RaiseConnected(MqttClientConnectedEventArgs args)
    {
        _failedAttempts = 0;
        Func<MqttClientConnectedEventArgs, Task>? handler = ConnectedAsync;
        if (handler is not null)
        {
            Chain(() => handler(args));
        }
    }

    private void RaiseDisconnected(MqttClientDisconnectedEventArgs args)
    {
        Func<MqttClientDisconnectedEventArgs, Task>? handler = DisconnectedAsync;
        if (handler is not null)
        {
            Chain(() => handler(args));
        }
    }

    private void Chain(Func<Task> run)
    {
        lock (_eventGate)
        {
            _eventChain = _eventChain.ContinueWith(
                async _ =>
                {
                    try
                    {
                        await run().ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        _logger.LogError(e, "MQTT: connection event handler failed");
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>A SUBSCRIBE or UNSUBSCRIBE awaiting its acknowledgement.</summary>
    private sealed class PendingRequest
    {
        public PendingRequest(MqttTopicFilter[]? filters, string[]? unsubscribe)
        {
            Filters = filters;
            Unsubscribe = unsubscribe;
            if (filters is not null)
            {
                SubscribeDone = new TaskCompletionSource<MqttClientSubscribeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                UnsubscribeDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public MqttTopicFilter[]? Filters { get; }

        public string[]? Unsubscribe { get; }

        public TaskCompletionSource<MqttClientSubscribeResult>? SubscribeDone { get; }

        public TaskCompletionSource? UnsubscribeDone { get; }

        public ushort PacketId { get; set; }
    }

    /// <summary>One TCP (or TLS) connection: the socket, the receive buffer, and the liveness timestamps.</summary>
    private sealed class Connection
    {
        private readonly Socket _socket;
        private readonly int _maxPacketBytes;
        private readonly MqttClient _owner;
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private int _closed;
        private long _lastSentTs;
        private long _lastReceivedTs;
        private long _pingSentTs;
        private int _skipRemaining;
        private string? _skipTopic;
        private ushort _skipAckId;
        private int _skipSize;

        public Connection(Socket socket, int maxPacketBytes, MqttClient owner)
        {
            _socket = socket;
            _maxPacketBytes = maxPacketBytes;
            _owner = owner;
            _lastReceivedTs = owner._time.GetTimestamp();
            _lastSentTs = _lastReceivedTs;
        }

        public Stream? Stream { get; set; }

        public bool Accepted { get; set; }

        public bool Graceful { get; set; }

        /// <summary>The reader handled packets that give the writer work; it wakes the writer once per read.</summary>
        public bool WakePending { get; set; }

        public bool IsOpen => Volatile.Read(ref _closed) == 0;

        public string? CloseReason { get; private set; }

        public Exception? CloseException { get; private set; }

        public long LastSentTs => Volatile.Read(ref _lastSentTs);

        public long LastReceivedTs => Volatile.Read(ref _lastReceivedTs);

        public long PingSentTs
        {
            get => Volatile.Read(ref _pingSentTs);
            set => Volatile.Write(ref _pingSentTs, value);
        }

        public void MarkSent(long ts) => Volatile.Write(ref _lastSentTs, ts);

        public bool TryWrite(ReadOnlySpan<byte> data)
        {
            try
            {
                Stream!.Write(data);
                return true;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                Close("write failed: " + e.Message, e);
                return false;
            }
        }

        public void Close(string reason, Exception? exception)
        {
            if (Interlocked.CompareExchange(ref _closed, 1, 0) != 0)
            {
                return;
            }

            CloseReason = reason;
            CloseException = exception;
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // already gone
            }

            _socket.Close(0);
            _owner._wake.Set();
        }

        /// <summary>Reads until CONNACK (the first packet a broker may send); throws on anything else.</summary>
        public MqttClientConnectResult ReadConnAck()
        {
            while (true)
            {
                DecodeStatus status = MqttPacketReader.TryReadFrame(_buffer.AsSpan(_start, _end - _start), _maxPacketBytes, out MqttFrame frame, out string? error);
                if (status == DecodeStatus.Malformed)
                {
                    throw new ProtocolViolationException("malformed packet from broker: " + error);
                }

                if (status == DecodeStatus.Complete)
                {
                    if (frame.Type != PacketType.ConnAck)
                    {
                        throw new ProtocolViolationException($"expected CONNACK, received {frame.Type}");
                    }

                    error = MqttPacketReader.CheckFromServer(frame.Type, frame.Flags);
                    bool sessionPresent = false;
                    byte code = 0;
                    error ??= MqttPacketReader.TryParseConnAck(frame.Body, out sessionPresent, out code);
                    if (error is not null)
                    {
                        throw new ProtocolViolationException("malformed CONNACK: " + error);
                    }

                    _start += frame.TotalLength;
                    Volatile.Write(ref _lastReceivedTs, _owner._time.GetTimestamp());
                    return new MqttClientConnectResult((MqttClientConnectResultCode)code, sessionPresent);
                }

                if (!Fill())
                {
                    throw new IOException(ClosedBeforeConnAck);
                }
            }
        }

        public void ReadLoop()
        {
            try
            {
                while (IsOpen)
                {
                    while (true)
                    {
                        if (_skipRemaining > 0)
                        {
                            int n = Math.Min(_skipRemaining, _end - _start);
                            _start += n;
                            _skipRemaining -= n;
                            if (_skipRemaining > 0)
                            {
                                break;
                            }

                            _owner.OnOversizedPublishSkipped(_skipTopic!, _skipSize, _skipAckId);
                            continue;
                        }

                        ReadOnlySpan<byte> available = _buffer.AsSpan(_start, _end - _start);
                        DecodeStatus status = MqttPacketReader.TryReadHeader(available, out PacketType type, out byte flags, out int remaining, out int header, out string? error);
                        if (status == DecodeStatus.Complete && type == PacketType.Publish && remaining > _maxPacketBytes)
                        {
                            // Too large to buffer: read the topic and packet id, then discard the body as it streams in.
                            status = TryStartSkip(available, flags, remaining, header, out error);
                        }
                        else if (status == DecodeStatus.Complete)
                        {
                            status = MqttPacketReader.TryReadFrame(available, _maxPacketBytes, out MqttFrame frame, out error);
                            if (status == DecodeStatus.Complete)
                            {
                                Volatile.Write(ref _lastReceivedTs, _owner._time.GetTimestamp());
                                error = _owner.OnPacket(this, frame);
                                _start += frame.TotalLength;
                            }
                        }

                        if (error is not null)
                        {
                            string reason = "malformed packet from broker: " + error;
                            _owner.OnMalformed(reason);
                            Close(reason, null);
                            return;
                        }

                        if (status == DecodeStatus.NeedMoreData)
                        {
                            break;
                        }
                    }

                    // One wake-up for everything this read brought (PUBACKs free the window, PUBLISHes need PUBACKs):
                    // the writer then answers with one batched write instead of one per packet.
                    if (WakePending)
                    {
                        WakePending = false;
                        _owner.WriteFromReader(this);
                    }

                    if (!Fill())
                    {
                        Close("broker closed the connection", null);
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                Close(IsOpen ? "read failed: " + e.Message : CloseReason ?? "closed", e);
            }
        }

        private DecodeStatus TryStartSkip(ReadOnlySpan<byte> available, byte flags, int remaining, int header, out string? error)
        {
            error = null;
            if (available.Length < header + 2)
            {
                return DecodeStatus.NeedMoreData;
            }

            int topicLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(available[header..]);
            int prefix = 2 + topicLength + (((flags >> 1) & 3) > 0 ? 2 : 0);
            if (prefix > remaining)
            {
                error = "PUBLISH topic runs past the end of the packet";
                return DecodeStatus.Malformed;
            }

            if (available.Length < header + prefix)
            {
                return DecodeStatus.NeedMoreData;
            }

            error = MqttPacketReader.TryParsePublish(flags, available.Slice(header, prefix), out PublishView view);
            if (error is not null)
            {
                return DecodeStatus.Malformed;
            }

            Volatile.Write(ref _lastReceivedTs, _owner._time.GetTimestamp());
            _skipTopic = view.Topic;
            _skipAckId = view.Qos == MqttQualityOfServiceLevel.AtLeastOnce ? view.PacketId : (ushort)0;
            _skipSize = remaining - prefix;
            _skipRemaining = header + remaining;
            return DecodeStatus.Complete;
        }

        /// <summary>Reads more bytes (compacting and growing the buffer as needed); false at end of stream.</summary>
        private bool Fill()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                // A frame larger than the buffer is still allowed up to the packet limit (its header was checked).
                int needed = Math.Min(Math.Max(_maxPacketBytes + 5, 70_000), _buffer.Length * 2);
                Debug.Assert(needed > _buffer.Length, "the frame decoder rejects packets above the limit");
                Array.Resize(ref _buffer, needed);
            }

            int n = Stream!.Read(_buffer, _end, _buffer.Length - _end);
            if (n <= 0)
            {
                return false;
            }

            _end += n;
            return true;
        }
    }
}
