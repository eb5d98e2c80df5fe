using System.Buffers;
using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Outbox;

/// <summary>
/// The bounded store of everything the client still has to deliver: queued messages (in FIFO order) and QoS 1 messages
/// sent but not yet acknowledged (the inflight window). It is the client's session state: after a reconnect the
/// unacknowledged messages are sent again first, with DUP set, in their original order, then the queue continues — so a
/// subscriber sees QoS 1 messages at least once and in order.
/// <para>
/// Full: a telemetry message makes room by dropping the oldest queued telemetry message (or, with
/// <see cref="OutboxFullPolicy.RejectNew"/>, is refused); a critical message (alarm, status) is never dropped and may
/// use <see cref="MqttOutboxOptions.CriticalReserve"/> beyond the capacity. Every drop is counted. Messages already
/// sent and awaiting PUBACK are never dropped.
/// </para>
/// Thread-safe (one short lock; producers never wait for the network). Allocation-free in steady state: messages and
/// their buffers are pooled. With a spool, QoS 1 messages are also journalled to disk and restored at start — except
/// retained ones, which an earlier run's restart supersedes (<see cref="SupersededFromSpool"/>).
/// </summary>
public sealed class MqttOutbox : IDisposable
{
    private readonly object _gate = new();
    private readonly int _capacity;
    private readonly int _hardCapacity;
    private readonly int _maxPayloadBytes;
    private readonly int _spaceSlack;
    private readonly IOutboxSpool? _spool;
    private readonly object?[] _packetOwners = new object?[65_536];
    private readonly Stack<OutboxMessage> _free = new();
    private readonly ManualResetEventSlim _space = new(true);
    private MessageList _pending;
    private MessageList _inflight;
    private ushort _lastPacketId;
    private long _enqueued;
    private long _droppedTelemetry;
    private long _rejectedCritical;
    private long _acknowledged;
    private long _sent;
    private long _unexpectedAcks;

    /// <summary>Creates an outbox. With <paramref name="spool"/>, QoS 1 messages left in it are restored in order, except
    /// retained ones: those are dropped and removed from the spool (<see cref="SupersededFromSpool"/>).</summary>
    public MqttOutbox(MqttOutboxOptions options, IOutboxSpool? spool = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _capacity = options.Capacity;
        _hardCapacity = options.Capacity + options.CriticalReserve;
        _maxPayloadBytes = options.MaxPayloadBytes;
        _spaceSlack = Math.Min(options.Capacity / 8, 256);
        _spool = spool;
        if (spool is not null)
        {
            foreach (SpooledMessage m in spool.LoadPending())
            {
                if (m.Retain)
                {
                    // A retained message states the present (status online/offline, the throttle request in force) and
                    // this run states its own on connecting: sent after that, an earlier run's would replace it as the
                    // retained value — an old "offline" status while this run is online. It leaves the spool unsent.
                    spool.Remove(m.SpoolId);
                    SupersededFromSpool++;
                    continue;
                }

                OutboxMessage msg = Rent();
                Fill(msg, m.Topic, m.Payload.Span, m.Qos, m.Retain, m.Priority, null);
                msg.SpoolId = m.SpoolId;
                _pending.AddLast(msg);
                RestoredFromSpool++;
            }
        }
    }

    /// <summary>Called (outside the lock) whenever a message was queued: the client uses it to wake its writer.</summary>
    public Action? MessageQueued { get; set; }

    /// <summary>Messages restored from the spool at construction (to be sent, in their order, after whatever this run
    /// queues in front of them).</summary>
    public int RestoredFromSpool { get; }

    /// <summary>
    /// Retained messages found in the spool at construction and dropped unsent (and removed from the spool): a retained
    /// message of an earlier run is superseded by this run's own — its publishers state the present on every connection
    /// (<c>EdgePublisher</c>: the online status; the daemon: the throttle request in force).
    /// </summary>
    public int SupersededFromSpool { get; }

    /// <summary>Messages held now (queued + inflight).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count + _inflight.Count;
            }
        }
    }

    /// <summary>QoS 1 messages sent and awaiting PUBACK.</summary>
    public int InflightCount
    {
        get
        {
            lock (_gate)
            {
                return _inflight.Count;
            }
        }
    }

    /// <summary>Counters since start.</summary>
    public OutboxCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new OutboxCounters(_enqueued, _sent, _acknowledged, _droppedTelemetry, _rejectedCritical, _unexpectedAcks, _pending.Count, _inflight.Count);
            }
        }
    }

    /// <summary>
    /// Queues a message without waiting and without allocating (the payload is copied). Returns false when the message
    /// itself was refused (counted); true when queued, possibly after dropping an older telemetry message (counted).
    /// </summary>
    public bool TryEnqueue(
        string topic,
        ReadOnlySpan<byte> payload,
        MqttQualityOfServiceLevel qos,
        bool retain,
        OutboxPriority priority,
        OutboxFullPolicy policy = OutboxFullPolicy.DropOldestTelemetry) =>
        TryEnqueueCore(topic, payload, qos, retain, priority, policy, null, front: false);

    /// <summary>
    /// Blocks until a telemetry message would fit without dropping anything (once full, until about an eighth of the
    /// capacity, at most 256 messages, is free again), or the timeout passes.
    /// </summary>
    public bool WaitForSpace(TimeSpan timeout) => _space.Wait(timeout);

    /// <summary>Drops every queued and inflight message (used when the owner shuts down without a spool).</summary>
    public void Clear()
    {
        List<TaskCompletionSource<MqttClientPublishResult>>? failed = null;
        lock (_gate)
        {
            while (_pending.Head is { } m)
            {
                _pending.Remove(m);
                CollectFailure(m, ref failed);
                Return(m, fromSpool: false);
            }

            while (_inflight.Head is { } m)
            {
                _inflight.Remove(m);
                _packetOwners[m.PacketId] = null;
                CollectFailure(m, ref failed);
                Return(m, fromSpool: false);
            }

            UpdateSpace();
        }

        CompleteAll(failed, new MqttClientPublishResult(false, null, "outbox cleared"));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _spool?.Dispose();
        _space.Dispose();
    }

    internal bool TryEnqueueCore(
        string topic,
        ReadOnlySpan<byte> payload,
        MqttQualityOfServiceLevel qos,
        bool retain,
        OutboxPriority priority,
        OutboxFullPolicy policy,
        TaskCompletionSource<MqttClientPublishResult>? completion,
        bool front)
    {
        if (payload.Length > _maxPayloadBytes)
        {
            throw new ArgumentException($"Payload of {payload.Length} bytes exceeds Mqtt:Outbox:MaxPayloadBytes ({_maxPayloadBytes}).", nameof(payload));
        }

        if (qos > MqttQualityOfServiceLevel.AtLeastOnce)
        {
            throw new NotSupportedException("QoS 2 is not supported by this client.");
        }

        TaskCompletionSource<MqttClientPublishResult>? droppedCompletion = null;
        lock (_gate)
        {
            int held = _pending.Count + _inflight.Count;
            if (held >= _capacity)
            {
                bool mayDrop = priority == OutboxPriority.Critical || policy == OutboxFullPolicy.DropOldestTelemetry;
                OutboxMessage? victim = mayDrop ? OldestQueuedTelemetry() : null;
                if (victim is not null)
                {
                    _pending.Remove(victim);
                    _droppedTelemetry++;
                    droppedCompletion = victim.Completion;
                    Return(victim, fromSpool: true);
                }
                else if (priority == OutboxPriority.Telemetry || held >= _hardCapacity)
                {
                    if (priority == OutboxPriority.Telemetry)
                    {
                        _droppedTelemetry++;
                    }
                    else
                    {
                        _rejectedCritical++;
                    }

                    UpdateSpace();
                    return false;
                }
            }

            OutboxMessage m = Rent();
            Fill(m, topic, payload, qos, retain, priority, completion);
            if (_spool is not null && qos == MqttQualityOfServiceLevel.AtLeastOnce)
            {
                m.SpoolId = _spool.Append(topic, payload, qos, retain, priority);
            }

            if (front)
            {
                _pending.AddFirst(m);
            }
            else
            {
                _pending.AddLast(m);
            }

            _enqueued++;
            UpdateSpace();
        }

        droppedCompletion?.TrySetResult(new MqttClientPublishResult(false, null, "dropped: outbox full"));
        MessageQueued?.Invoke();
        return true;
    }

    /// <summary>
    /// Encodes what may be sent now into <paramref name="writer"/>: first every inflight message that must be resent
    /// (DUP), then queued messages in order — QoS 0 ones leave the outbox, QoS 1 ones become inflight while the window
    /// (<paramref name="maxInflight"/>) has room. Stops after about <paramref name="maxBytes"/>. Returns the number of
    /// messages written; completions of QoS 0 messages are added to <paramref name="written"/> (to complete outside).
    /// </summary>
    internal int TakeBatch(IBufferWriter<byte> writer, int maxInflight, int maxBytes, List<TaskCompletionSource<MqttClientPublishResult>> written)
    {
        int count = 0;
        int bytes = 0;
        lock (_gate)
        {
            for (OutboxMessage? m = _inflight.Head; m is not null && bytes < maxBytes; m = m.Next)
            {
                if (!m.NeedsResend)
                {
                    continue;
                }

                MqttPacketWriter.WritePublish(writer, m.Topic, m.PayloadSpan, m.Qos, m.Retain, dup: true, m.PacketId);
                m.NeedsResend = false;
                bytes += m.Length + m.Topic.Length + 8;
                count++;
            }

            while (_pending.Head is { } m && bytes < maxBytes)
            {
                bytes += m.Length + m.Topic.Length + 8;
                if (m.Qos == MqttQualityOfServiceLevel.AtLeastOnce)
                {
                    if (_inflight.Count >= maxInflight)
                    {
                        break;
                    }

                    ushort id = AllocatePacketId(m);
                    if (id == 0)
                    {
                        break;
                    }

                    m.PacketId = id;
                    MqttPacketWriter.WritePublish(writer, m.Topic, m.PayloadSpan, m.Qos, m.Retain, dup: false, id);
                    _pending.Remove(m);
                    _inflight.AddLast(m);
                }
                else
                {
                    MqttPacketWriter.WritePublish(writer, m.Topic, m.PayloadSpan, m.Qos, m.Retain, dup: false, 0);
                    _pending.Remove(m);
                    if (m.Completion is not null)
                    {
                        written.Add(m.Completion);
                    }

                    Return(m, fromSpool: false);
                }

                _sent++;
                count++;
            }

            UpdateSpace();
        }

        return count;
    }

    /// <summary>True when something could be sent now with this window.</summary>
    internal bool HasSendable(int maxInflight)
    {
        lock (_gate)
        {
            if (_pending.Head is { } head && (head.Qos == MqttQualityOfServiceLevel.AtMostOnce || _inflight.Count < maxInflight))
            {
                return true;
            }

            for (OutboxMessage? m = _inflight.Head; m is not null; m = m.Next)
            {
                if (m.NeedsResend)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Handles a PUBACK: the message leaves the outbox (and the spool). Unknown identifiers are counted and ignored.</summary>
    internal void OnPubAck(ushort packetId)
    {
        TaskCompletionSource<MqttClientPublishResult>? completion = null;
        lock (_gate)
        {
            if (_packetOwners[packetId] is not OutboxMessage m)
            {
                _unexpectedAcks++;
                return;
            }

            _packetOwners[packetId] = null;
            _inflight.Remove(m);
            _acknowledged++;
            completion = m.Completion;
            Return(m, fromSpool: true);
            UpdateSpace();
        }

        completion?.TrySetResult(new MqttClientPublishResult(true, packetId, null));
    }

    /// <summary>The connection was lost: every inflight message will be sent again (DUP) on the next connection.</summary>
    internal void OnConnectionLost()
    {
        lock (_gate)
        {
            for (OutboxMessage? m = _inflight.Head; m is not null; m = m.Next)
            {
                m.NeedsResend = true;
            }
        }
    }

    /// <summary>Reserves a packet identifier for a non-PUBLISH exchange (SUBSCRIBE, UNSUBSCRIBE); 0 when none is free.</summary>
    internal ushort ReservePacketId(object owner)
    {
        lock (_gate)
        {
            return AllocatePacketId(owner);
        }
    }

    /// <summary>Releases an identifier reserved by <see cref="ReservePacketId"/>; returns its owner, or null if not reserved.</summary>
    internal object? ReleasePacketId(ushort packetId)
    {
        lock (_gate)
        {
            object? owner = _packetOwners[packetId];
            if (owner is OutboxMessage)
            {
                return null;
            }

            _packetOwners[packetId] = null;
            return owner;
        }
    }

    private ushort AllocatePacketId(object owner)
    {
        for (int tries = 0; tries < 65_535; tries++)
        {
            _lastPacketId = (ushort)(_lastPacketId == 65_535 ? 1 : _lastPacketId + 1);
            if (_packetOwners[_lastPacketId] is null)
            {
                _packetOwners[_lastPacketId] = owner;
                return _lastPacketId;
            }
        }

        return 0;
    }

    private OutboxMessage? OldestQueuedTelemetry()
    {
        for (OutboxMessage? m = _pending.Head; m is not null; m = m.Next)
        {
            if (m.Priority == OutboxPriority.Telemetry)
            {
                return m;
            }
        }

        return null;
    }

    private void UpdateSpace()
    {
        // With hysteresis: a producer waiting for space is woken once a batch fits, not once per acknowledgement.
        int held = _pending.Count + _inflight.Count;
        if (held < _capacity - _spaceSlack)
        {
            _space.Set();
        }
        else if (held >= _capacity)
        {
            _space.Reset();
        }
    }

    private OutboxMessage Rent() => _free.Count > 0 ? _free.Pop() : new OutboxMessage();

    private static void Fill(
        OutboxMessage m,
        string topic,
        ReadOnlySpan<byte> payload,
        MqttQualityOfServiceLevel qos,
        bool retain,
        OutboxPriority priority,
        TaskCompletionSource<MqttClientPublishResult>? completion)
    {
        m.Topic = topic;
        m.SetPayload(payload);
        m.Qos = qos;
        m.Retain = retain;
        m.Priority = priority;
        m.PacketId = 0;
        m.NeedsResend = false;
        m.SpoolId = 0;
        m.Completion = completion;
    }

    private void Return(OutboxMessage m, bool fromSpool)
    {
        if (m.SpoolId != 0)
        {
            // A message leaves the spool when acknowledged or dropped; a QoS 0 message was never in it.
            if (fromSpool)
            {
                _spool?.Remove(m.SpoolId);
            }

            m.SpoolId = 0;
        }

        m.Completion = null;
        m.Topic = string.Empty;
        _free.Push(m);
    }

    private static void CollectFailure(OutboxMessage m, ref List<TaskCompletionSource<MqttClientPublishResult>>? failed)
    {
        if (m.Completion is not null)
        {
            (failed ??= []).Add(m.Completion);
        }
    }

    private static void CompleteAll(List<TaskCompletionSource<MqttClientPublishResult>>? list, MqttClientPublishResult result)
    {
        if (list is null)
        {
            return;
        }

        foreach (var c in list)
        {
            c.TrySetResult(result);
        }
    }
}
