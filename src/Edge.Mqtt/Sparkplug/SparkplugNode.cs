// A Sparkplug B edge node (Eclipse Sparkplug 3.0) on its own MQTT connection:
//   CONNECT  — clean session; the Will is the NDEATH carrying this connection's bdSeq (QoS 1, not retained). bdSeq is
//              incremented (mod 256) for every CONNECT packet and saved through IBdSeqStore before it is sent.
//   STATE    — with a primary host application configured (PrimaryHostId), spBv1.0/STATE/{host} is subscribed at QoS 1
//              and nothing is born on a connection until that connection has seen {"online":true} with a timestamp not
//              older than the last STATE seen. {"online":false} not older than the last online STATE while born: NDEATH
//              (QoS 1), the connection is dropped once it is acknowledged and a new one starts (new bdSeq), which again
//              waits for the host. Older STATE messages are ignored (a stale Will of an earlier host session).
//   NBIRTH   — first message of a session (QoS 0): seq 0, the bdSeq metric of that connection's Will, every
//              metric with name, alias and datatype, and "Node Control/Rebirth" = false.
//   DBIRTH   — right after the NBIRTH for every sensor and inverter that answers, and later whenever one comes back:
//              every device metric with name, alias (unique across the node), datatype and current value.
//   NDATA    — decimated state (QoS 0), metrics by alias only.
//   DDATA    — per device, by alias, only the metrics that changed (report by exception), at most at DataRateHz and at
//              the detail rate of the publisher (Mqtt:Publish:DetailRateHz).
//   DDEATH   — a device stops answering (see SparkplugDevice); it is born again (DBIRTH) when it answers again.
//   seq      — one counter for every N*/D* message of the session except NDEATH: +1 per message, 255 → 0.
//   NCMD     — subscribed at QoS 1; "Node Control/Rebirth" = true (by name or alias) → NBIRTH again with seq 0 and the
//              same bdSeq (same connection), then the DBIRTHs; nothing older is sent after it.
//   NDEATH   — published by the node itself (QoS 1) before a clean DISCONNECT, with the same bdSeq as its NBIRTH.
// N*/D* data is only produced while born; what was queued for a previous session is discarded at the new birth, so no
// message with a stale seq ever follows an NBIRTH. Steady state (NDATA, DDATA) reuses its payload objects: what
// allocates is Google.Protobuf boxing a double in the value oneof (measured in SparkplugTests).

using System.Buffers;
using System.Text.Json;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Mqtt.Client;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Sparkplug.Protobuf;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Mqtt.Sparkplug;

/// <summary>
/// Publishes Edge's state as a Sparkplug B edge node (<c>spBv1.0/{group}/NBIRTH|NDATA|NDEATH|NCMD/{node}</c>) with a
/// device per rack sensor and inverter (<c>…/DBIRTH|DDATA|DDEATH/{node}/{device}</c>), honouring the primary host
/// application's STATE; fed with state windows and detail snapshots by the <see cref="EdgePublisher"/> (as its
/// <see cref="IStateSink"/>).
/// </summary>
public sealed class SparkplugNode : IStateSink, IDisposable
{
    /// <summary>Name of the rebirth request metric.</summary>
    public const string RebirthMetric = "Node Control/Rebirth";

    /// <summary>Alias of the rebirth request metric.</summary>
    public const ulong RebirthAlias = 100;

    /// <summary>Alias of a device's first metric: <c>DeviceAliasBase + DeviceAliasStride × device index + metric index</c>
    /// (devices numbered sensors first, then inverters, in the detail source's order).</summary>
    public const ulong DeviceAliasBase = 1000;

    /// <summary>Alias distance between two devices.</summary>
    public const ulong DeviceAliasStride = 16;

    private static readonly MetricDefinition[] DataMetrics =
    [
        new("Load/Power W", 1, SparkplugDataType.Double),
        new("Grid/Power W", 2, SparkplugDataType.Double),
        new("Grid/Target W", 3, SparkplugDataType.Double),
        new("Battery/Power W", 4, SparkplugDataType.Double),
        new("Battery/Setpoint W", 5, SparkplugDataType.Double),
        new("Battery/SoC %", 6, SparkplugDataType.Double),
        new("Control/Mode", 7, SparkplugDataType.String),
        new("Control/Flags", 8, SparkplugDataType.UInt64),
        new("Loop/Overruns", 9, SparkplugDataType.UInt64),
        new("Loop/Lateness Max us", 10, SparkplugDataType.Double),
        new("Loop/Sequence", 11, SparkplugDataType.UInt64),
    ];

    private static readonly string[] ModeNames = ["auto", "hold", "standby", "fault"];

    private readonly SparkplugOptions _options;
    private readonly MqttClient _client;
    private readonly IBdSeqStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Payload _data;
    private readonly long _dataPeriodNs;
    private readonly double[] _lastValues = new double[DataMetrics.Length];
    private string _lastMode = ModeNames[0];
    private int _bdSeq;
    private int _seq;
    private volatile bool _born;
    private long _lastDataIndex = long.MinValue;
    private readonly SparkplugDevice[] _devices;
    private readonly int _sensorCount;
    private readonly string? _stateTopic;
    private long _births;
    private long _dataMessages;
    private long _rebirths;
    private long _deviceBirths;
    private long _deviceData;
    private long _deviceDeaths;
    private long _hostOfflineDisconnects;
    private long _lastDeviceDataIndex = long.MinValue;
    private bool _connected;
    private int _saidClosedBeforeConnAck;
    private int _saidTopicRewritten;
    private bool _hostOnline;
    private long _lastStateTimestamp = -1;
    private long _lastOnlineTimestamp = -1;
    private int _connection;

    /// <summary>
    /// Creates the node; <paramref name="client"/> must be a client of its own (not the JSON publisher's).
    /// <paramref name="devices"/> names the sensors and inverters published as Sparkplug devices (null: none), in the
    /// order of the detail snapshots the publisher hands to <see cref="OnDetail"/>.
    /// </summary>
    public SparkplugNode(SparkplugOptions options, MqttClient client, IBdSeqStore? store = null, ILogger? logger = null, TimeProvider? time = null, IRackDetailSource? devices = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        if (options.GroupId is null || options.EdgeNodeId is null)
        {
            throw new ArgumentException("Sparkplug GroupId and EdgeNodeId must be set (SparkplugOptions.Named gives the daemon's site and node)", nameof(options));
        }

        _options = options;
        _client = client;
        _store = store ?? (options.BdSeqPath is { Length: > 0 } path ? new FileBdSeqStore(path) : new MemoryBdSeqStore());
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _dataPeriodNs = (long)(1e9 / options.DataRateHz);
        _bdSeq = _store.Load();
        string prefix = $"spBv1.0/{options.GroupId}/";
        BirthTopic = prefix + "NBIRTH/" + options.EdgeNodeId;
        DataTopic = prefix + "NDATA/" + options.EdgeNodeId;
        DeathTopic = prefix + "NDEATH/" + options.EdgeNodeId;
        CommandTopic = prefix + "NCMD/" + options.EdgeNodeId;
        _stateTopic = string.IsNullOrEmpty(options.PrimaryHostId) ? null : "spBv1.0/STATE/" + options.PrimaryHostId;
        Array.Fill(_lastValues, double.NaN);

        IReadOnlyList<string> sensors = devices?.SensorIds ?? [];
        IReadOnlyList<string> inverters = devices?.InverterIds ?? [];
        _sensorCount = sensors.Count;
        _devices = new SparkplugDevice[sensors.Count + inverters.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < _devices.Length; i++)
        {
            bool inverter = i >= sensors.Count;
            string id = inverter ? inverters[i - sensors.Count] : sensors[i];
            EdgeTopics.CheckLevel("Sparkplug device id", id);
            if (!seen.Add(id))
            {
                throw new ArgumentException($"Sparkplug device id '{id}' is used twice (sensor and inverter ids share one namespace under the edge node).", nameof(devices));
            }

            _devices[i] = new SparkplugDevice(options.GroupId, options.EdgeNodeId, id, inverter, DeviceAliasBase + (DeviceAliasStride * (ulong)i));
        }

        // NDATA reuses one payload object: metrics by alias, values overwritten in place.
        _data = new Payload();
        foreach (MetricDefinition m in DataMetrics)
        {
            _data.Metrics.Add(new Payload.Types.Metric { Alias = m.Alias, Datatype = (uint)m.Type });
        }
    }

    /// <summary>NBIRTH topic.</summary>
    public string BirthTopic { get; }

    /// <summary>NDATA topic.</summary>
    public string DataTopic { get; }

    /// <summary>NDEATH topic.</summary>
    public string DeathTopic { get; }

    /// <summary>NCMD topic.</summary>
    public string CommandTopic { get; }

    /// <summary>The primary host application's STATE topic, or null when none is configured.</summary>
    public string? StateTopic => _stateTopic;

    /// <summary>True while a session is born (NBIRTH sent on the current connection, no NDEATH since).</summary>
    public bool IsBorn => _born;

    /// <summary>Counters.</summary>
    public SparkplugCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new SparkplugCounters(_births, _dataMessages, _rebirths, _bdSeq, _seq, _deviceBirths, _deviceData, _deviceDeaths, _hostOfflineDisconnects);
            }
        }
    }

    /// <summary>Completes with the SUBACK of the NCMD subscription (after <see cref="Start"/>).</summary>
    public Task<MqttClientSubscribeResult>? CommandSubscription { get; private set; }

    /// <summary>Completes with the SUBACK of the STATE subscription (after <see cref="Start"/>; null without a primary host).</summary>
    public Task<MqttClientSubscribeResult>? StateSubscription { get; private set; }

    /// <summary>
    /// Wires and starts the node's client: clean session, NDEATH Will with a fresh bdSeq at every CONNECT, NCMD (and
    /// STATE) subscriptions, NBIRTH first on every connection — once the primary host is online when one is configured.
    /// </summary>
    public void Start(MqttClientOptions clientOptions)
    {
        clientOptions.CleanSession = true;
        clientOptions.Will = null;
        clientOptions.WillFactory = NextDeathCertificate;
        _client.ConnectionEstablished = _ => OnConnected();
        _client.DisconnectedAsync += e =>
        {
            if (!e.ClientWasConnected && e.Reason == MqttClient.ClosedBeforeConnAck && Interlocked.Exchange(ref _saidClosedBeforeConnAck, 1) == 0)
            {
                // NATS Server before 2.10 logs "characters ' ' and '.' not supported for MQTT topics" and drops the
                // CONNECT, whose Will is NDEATH on spBv1.0/…: the namespace itself is refused.
                _logger.LogWarning(
                    "Sparkplug: the broker closed the connection before CONNACK (Will topic {Topic}). A broker that refuses '.' in topic names (NATS Server before 2.10) cannot carry Sparkplug B's spBv1.0 namespace; see the broker's log. Edge's JSON topics are not affected",
                    DeathTopic);
            }

            lock (_gate)
            {
                if (!_client.IsConnected)
                {
                    // (A late event of an earlier connection finds the new one up and changes nothing.)
                    _born = false;
                    _connected = false;
                }
            }

            return Task.CompletedTask;
        };
        _client.ApplicationMessageReceivedAsync += OnMessage;
        CommandSubscription = _client.SubscribeAsync(CommandTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        if (_stateTopic is not null)
        {
            StateSubscription = _client.SubscribeAsync(_stateTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        _client.Start(clientOptions);
    }

    /// <summary>Sends NDATA for a state window when the Sparkplug period (on loop time) has moved on. Publisher thread.</summary>
    public void OnState(StateWindow window, long unixMs)
    {
        CycleRecord last = window.Last;
        long index = last.TimestampNs / _dataPeriodNs;
        if (index == _lastDataIndex)
        {
            return;
        }

        _lastDataIndex = index;
        _lastValues[0] = window.LoadW.Mean;
        _lastValues[1] = window.GridW.Mean;
        _lastValues[2] = last.GridTargetW;
        _lastValues[3] = window.BatteryW.Mean;
        _lastValues[4] = last.BatterySetpointW;
        _lastValues[5] = last.SocPct;
        _lastValues[7] = (uint)window.FlagsSeen;
        _lastValues[8] = last.Overruns;
        _lastValues[9] = window.LatenessNs.Max * 1e-3;
        _lastValues[10] = last.Seq;
        _lastMode = (uint)last.Mode < (uint)ModeNames.Length ? ModeNames[(int)last.Mode] : "unknown";
        if (!_born)
        {
            return;
        }

        lock (_gate)
        {
            if (!_born)
            {
                return;
            }

            _data.Timestamp = (ulong)unixMs;
            _data.Seq = NextSeq();
            for (int i = 0; i < DataMetrics.Length; i++)
            {
                SetValue(_data.Metrics[i], DataMetrics[i].Type, i, (ulong)unixMs);
            }

            Send(DataTopic, _data, MqttQualityOfServiceLevel.AtMostOnce);
            _dataMessages++;
        }
    }

    /// <summary>
    /// Takes each device's values and health from a detail snapshot; while born, sends DDEATH for a device that stopped
    /// answering, DBIRTH for one that answers again, and DDATA with what changed (at most at DataRateHz). Publisher thread.
    /// </summary>
    public void OnDetail(RackSnapshot snapshot, long nowNs, long unixMs)
    {
        if (_devices.Length == 0)
        {
            return;
        }

        long index = nowNs / _dataPeriodNs;
        lock (_gate)
        {
            for (int i = 0; i < _sensorCount && i < snapshot.Sensors.Length; i++)
            {
                _devices[i].Update(snapshot.Sensors[i]);
            }

            for (int i = _sensorCount; i < _devices.Length && i - _sensorCount < snapshot.Inverters.Length; i++)
            {
                _devices[i].Update(snapshot.Inverters[i - _sensorCount]);
            }

            if (!_born)
            {
                return;
            }

            bool dataDue = index != _lastDeviceDataIndex;
            _lastDeviceDataIndex = index;
            ulong now = (ulong)unixMs;
            foreach (SparkplugDevice d in _devices)
            {
                if (d.Born && !d.Alive)
                {
                    d.Born = false;
                    Send(d.DeathTopic, d.DeathPayload(now, NextSeq()), MqttQualityOfServiceLevel.AtMostOnce);
                    _deviceDeaths++;
                }
                else if (!d.Born && d.Alive && d.Known)
                {
                    BirthDevice(d, now);
                }
                else if (d.Born && dataDue && d.HasChanges())
                {
                    Send(d.DataTopic, d.DataPayload(now, NextSeq()), MqttQualityOfServiceLevel.AtMostOnce);
                    _deviceData++;
                }
            }
        }
    }

    /// <summary>Publishes NDEATH (same bdSeq as the NBIRTH) and disconnects cleanly.</summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        lock (_gate)
        {
            _connected = false;
            if (_born)
            {
                _born = false;
                Send(DeathTopic, DeathPayload(_bdSeq), MqttQualityOfServiceLevel.AtLeastOnce);
            }
        }

        await _client.DisconnectAsync(drainTimeout).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _client.ApplicationMessageReceivedAsync -= OnMessage;

    private ulong NextSeq()
    {
        _seq = (_seq + 1) & 0xFF;
        return (ulong)_seq;
    }

    private MqttApplicationMessage NextDeathCertificate()
    {
        lock (_gate)
        {
            // A new connection: nothing is born on it, and the primary host must be seen online on it first.
            _connection++;
            _born = false;
            _connected = false;
            _hostOnline = false;
            _bdSeq = (_bdSeq + 1) & 0xFF;
            _store.Save(_bdSeq);
            return new MqttApplicationMessage
            {
                Topic = DeathTopic,
                Payload = DeathPayload(_bdSeq).ToByteArray(),
                QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
                Retain = false,
            };
        }
    }

    private Payload DeathPayload(int bdSeq)
    {
        var p = new Payload { Timestamp = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds() };
        p.Metrics.Add(new Payload.Types.Metric { Name = "bdSeq", Datatype = (uint)SparkplugDataType.Int64, LongValue = (ulong)bdSeq, Timestamp = p.Timestamp });
        return p;
    }

    private void OnConnected()
    {
        lock (_gate)
        {
            _connected = true;
            if (_stateTopic is not null && !_hostOnline)
            {
                // Nothing queued for an earlier session may go out on this one.
                _client.Outbox.Clear();
                _logger.LogInformation("Sparkplug: connected; waiting for the primary host application ({Topic} online) before NBIRTH", _stateTopic);
                return;
            }
        }

        Birth(rebirth: false);
    }

    private void Birth(bool rebirth)
    {
        lock (_gate)
        {
            if (!_connected || (_stateTopic is not null && !_hostOnline))
            {
                return;
            }

            // Nothing queued for an earlier birth may follow this one (its seq numbers belong to that birth).
            _client.Outbox.Clear();
            _seq = 0;
            ulong now = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();
            var p = new Payload { Timestamp = now, Seq = 0 };
            p.Metrics.Add(new Payload.Types.Metric { Name = "bdSeq", Datatype = (uint)SparkplugDataType.Int64, LongValue = (ulong)_bdSeq, Timestamp = now });
            p.Metrics.Add(new Payload.Types.Metric { Name = RebirthMetric, Alias = RebirthAlias, Datatype = (uint)SparkplugDataType.Boolean, BooleanValue = false, Timestamp = now });
            for (int i = 0; i < DataMetrics.Length; i++)
            {
                var m = new Payload.Types.Metric { Name = DataMetrics[i].Name, Alias = DataMetrics[i].Alias, Datatype = (uint)DataMetrics[i].Type };
                SetValue(m, DataMetrics[i].Type, i, now);
                p.Metrics.Add(m);
            }

            Send(BirthTopic, p, MqttQualityOfServiceLevel.AtMostOnce);
            _born = true;
            _births++;
            if (rebirth)
            {
                _rebirths++;
            }

            // Every device that answers is born in this session before any data; the others when they answer.
            foreach (SparkplugDevice d in _devices)
            {
                d.Born = false;
                if (d.Known && d.Alive)
                {
                    BirthDevice(d, now);
                }
            }
        }

        _logger.LogInformation("Sparkplug {Topic}: {Kind} with bdSeq {BdSeq}", BirthTopic, rebirth ? "rebirth" : "birth", _bdSeq);
    }

    private void BirthDevice(SparkplugDevice d, ulong now)
    {
        Send(d.BirthTopic, d.BirthPayload(now, NextSeq()), MqttQualityOfServiceLevel.AtMostOnce);
        d.Born = true;
        _deviceBirths++;
    }

    private void SetValue(Payload.Types.Metric m, SparkplugDataType type, int index, ulong timestamp)
    {
        m.Timestamp = timestamp;
        double v = _lastValues[index];
        switch (type)
        {
            case SparkplugDataType.String:
                m.StringValue = _lastMode;
                break;
            case SparkplugDataType.UInt32:
                m.IntValue = double.IsFinite(v) ? (uint)v : 0;
                break;
            case SparkplugDataType.UInt64:
                m.LongValue = double.IsFinite(v) && v >= 0 ? (ulong)v : 0;
                break;
            default:
                if (double.IsFinite(v))
                {
                    m.DoubleValue = v;
                    m.ClearIsNull();
                }
                else
                {
                    m.ClearValue();
                    m.IsNull = true;
                }

                break;
        }
    }

    private void Send(string topic, IMessage payload, MqttQualityOfServiceLevel qos)
    {
        _buffer.ResetWrittenCount();
        payload.WriteTo(_buffer);
        _client.Outbox.TryEnqueue(topic, _buffer.WrittenSpan, qos, retain: false, OutboxPriority.Critical);
    }

    private Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        if (_stateTopic is not null && e.ApplicationMessage.Topic == _stateTopic)
        {
            OnHostState(e.ApplicationMessage.Payload.Span);
            return Task.CompletedTask;
        }

        if (e.ApplicationMessage.Topic != CommandTopic)
        {
            string topic = e.ApplicationMessage.Topic;
            if ((topic == CommandTopic.Replace('.', '/') || topic == _stateTopic?.Replace('.', '/')) && Interlocked.Exchange(ref _saidTopicRewritten, 1) == 0)
            {
                // RabbitMQ's MQTT plugin (3.x) maps both '/' and '.' to its routing keys' '.', and back to '/'.
                _logger.LogWarning(
                    "Sparkplug: a message for this node arrived as {Topic}: the broker rewrites '.' in topic names to '/' (RabbitMQ's MQTT plugin does), so Sparkplug hosts see this node's messages under spBv1/0/… and cannot recognise them. Use a broker that keeps topic names (mosquitto, EMQX, HiveMQ, NATS 2.10+); Edge's JSON topics are not affected. Ignored",
                    topic);
            }

            return Task.CompletedTask;
        }

        Payload command;
        try
        {
            command = Payload.Parser.ParseFrom(e.ApplicationMessage.Payload.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            _logger.LogWarning("Sparkplug NCMD ignored: not a Sparkplug B payload ({Error})", ex.Message);
            return Task.CompletedTask;
        }

        foreach (Payload.Types.Metric m in command.Metrics)
        {
            bool isRebirth = (m.HasName && m.Name == RebirthMetric) || (!m.HasName && m.HasAlias && m.Alias == RebirthAlias);
            if (isRebirth && m.ValueCase == Payload.Types.Metric.ValueOneofCase.BooleanValue && m.BooleanValue)
            {
                if (!_born)
                {
                    _logger.LogInformation("Sparkplug NCMD rebirth ignored: no session is born (waiting for the broker or the primary host)");
                    return Task.CompletedTask;
                }

                Birth(rebirth: true);
                return Task.CompletedTask;
            }
        }

        _logger.LogWarning("Sparkplug NCMD ignored: only {Metric} is supported", RebirthMetric);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The primary host's STATE (Sparkplug 3.0 §5: JSON <c>{"online":bool,"timestamp":ms}</c>, retained): online → birth
    /// when connected; offline while born → NDEATH, drop the connection, start over. Reader thread.
    /// </summary>
    private void OnHostState(ReadOnlySpan<byte> payload)
    {
        if (!TryParseHostState(payload, out bool online, out long timestamp, out string? error))
        {
            _logger.LogWarning("Sparkplug {Topic} ignored: {Error}", _stateTopic, error);
            return;
        }

        Task? death = null;
        int connection;
        lock (_gate)
        {
            connection = _connection;
            if (online)
            {
                if (timestamp < _lastStateTimestamp)
                {
                    _logger.LogInformation("Sparkplug {Topic}: online STATE with timestamp {Timestamp} older than the last ({Last}) ignored", _stateTopic, timestamp, _lastStateTimestamp);
                    return;
                }

                _lastStateTimestamp = timestamp;
                _lastOnlineTimestamp = timestamp;
                if (_hostOnline)
                {
                    return;
                }

                _hostOnline = true;
            }
            else
            {
                if (timestamp < _lastOnlineTimestamp)
                {
                    _logger.LogInformation("Sparkplug {Topic}: offline STATE with timestamp {Timestamp} older than the host's online STATE ({Last}) ignored", _stateTopic, timestamp, _lastOnlineTimestamp);
                    return;
                }

                _lastStateTimestamp = Math.Max(_lastStateTimestamp, timestamp);
                _hostOnline = false;
                if (!_born)
                {
                    return;
                }

                // Sparkplug 3.0: publish NDEATH at once, disconnect, and establish the session again.
                _born = false;
                _hostOfflineDisconnects++;
                death = _client.PublishAsync(new MqttApplicationMessage
                {
                    Topic = DeathTopic,
                    Payload = DeathPayload(_bdSeq).ToByteArray(),
                    QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
                    Retain = false,
                });
            }
        }

        if (death is not null)
        {
            _logger.LogWarning("Sparkplug: primary host application offline ({Topic}); NDEATH sent, reconnecting to wait for it", _stateTopic);
            _ = DropConnectionAfter(death, connection);
            return;
        }

        _logger.LogInformation("Sparkplug: primary host application online ({Topic})", _stateTopic);
        Birth(rebirth: false);
    }

    private async Task DropConnectionAfter(Task death, int connection)
    {
        try
        {
            await death.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The Will (same bdSeq) covers an NDEATH that did not make it.
        }

        if (Volatile.Read(ref _connection) == connection)
        {
            _client.AbortConnection("Sparkplug: primary host application offline");
        }
    }

    /// <summary>Parses a Sparkplug 3.0 STATE payload strictly: a JSON object with a boolean "online" and an integer "timestamp" (ms, ≥ 0).</summary>
    internal static bool TryParseHostState(ReadOnlySpan<byte> payload, out bool online, out long timestamp, out string? error)
    {
        online = false;
        timestamp = -1;
        bool haveOnline = false;
        bool haveTimestamp = false;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("online"u8))
                {
                    reader.Read();
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False) || haveOnline)
                    {
                        error = "\"online\" must be true or false, once";
                        return false;
                    }

                    online = reader.GetBoolean();
                    haveOnline = true;
                }
                else if (reader.ValueTextEquals("timestamp"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out timestamp) || timestamp < 0 || haveTimestamp)
                    {
                        error = "\"timestamp\" must be an integer ≥ 0 (ms since the epoch), once";
                        return false;
                    }

                    haveTimestamp = true;
                }
                else
                {
                    reader.Read();
                    reader.Skip(); // other keys are the host's business
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = "not a single JSON object";
                return false;
            }
        }
        catch (JsonException e)
        {
            error = "not JSON (" + e.Message + ")";
            return false;
        }

        error = haveOnline && haveTimestamp ? null : "\"online\" and \"timestamp\" are required";
        return error is null;
    }

    private sealed record MetricDefinition(string Name, ulong Alias, SparkplugDataType Type);
}
