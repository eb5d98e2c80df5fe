// A Sparkplug B edge node (Eclipse Sparkplug 3.0) on its own MQTT connection:
//   CONNECT  — clean session; the Will is the NDEATH carrying this connection's bdSeq (QoS 1, not retained). bdSeq is
//              incremented (mod 256) for every CONNECT packet and saved through IBdSeqStore before it is sent.
//   NBIRTH   — first message on every connection (QoS 0): seq 0, the bdSeq metric of that connection's Will, every
//              metric with name, alias and datatype, and "Node Control/Rebirth" = false.
//   NDATA    — decimated state (QoS 0), metrics by alias only, seq incremented by one per message, 255 → 0.
//   NCMD     — subscribed at QoS 1; "Node Control/Rebirth" = true (by name or alias) → NBIRTH again with seq 0 and the
//              same bdSeq (same connection); nothing older is sent after it.
//   NDEATH   — published by the node itself (QoS 1) before a clean DISCONNECT, with the same bdSeq as its NBIRTH.
// NDATA is only produced while born (connected); what was queued for a previous connection is discarded at the new
// birth, so no message with a stale seq ever follows an NBIRTH.

using System.Buffers;
using Edge.Core.Control;
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
/// Publishes Edge's state as a Sparkplug B edge node (<c>spBv1.0/{group}/NBIRTH|NDATA|NDEATH|NCMD/{node}</c>), fed with
/// state windows by the <see cref="EdgePublisher"/> (as its <see cref="IStateSink"/>).
/// </summary>
public sealed class SparkplugNode : IStateSink, IDisposable
{
    /// <summary>Name of the rebirth request metric.</summary>
    public const string RebirthMetric = "Node Control/Rebirth";

    /// <summary>Alias of the rebirth request metric.</summary>
    public const ulong RebirthAlias = 100;

    private static readonly MetricDefinition[] DataMetrics =
    [
        new("Load/Power W", 1, SparkplugDataType.Double),
        new("Grid/Power W", 2, SparkplugDataType.Double),
        new("Grid/Target W", 3, SparkplugDataType.Double),
        new("Battery/Power W", 4, SparkplugDataType.Double),
        new("Battery/Setpoint W", 5, SparkplugDataType.Double),
        new("Battery/SoC %", 6, SparkplugDataType.Double),
        new("Control/Mode", 7, SparkplugDataType.String),
        new("Control/Flags", 8, SparkplugDataType.UInt32),
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
    private long _births;
    private long _dataMessages;
    private long _rebirths;

    /// <summary>Creates the node; <paramref name="client"/> must be a client of its own (not the JSON publisher's).</summary>
    public SparkplugNode(SparkplugOptions options, MqttClient client, IBdSeqStore? store = null, ILogger? logger = null, TimeProvider? time = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
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
        Array.Fill(_lastValues, double.NaN);

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

    /// <summary>Counters.</summary>
    public SparkplugCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new SparkplugCounters(_births, _dataMessages, _rebirths, _bdSeq, _seq);
            }
        }
    }

    /// <summary>Completes with the SUBACK of the NCMD subscription (after <see cref="Start"/>).</summary>
    public Task<MqttClientSubscribeResult>? CommandSubscription { get; private set; }

    /// <summary>
    /// Wires and starts the node's client: clean session, NDEATH Will with a fresh bdSeq at every CONNECT, NBIRTH first
    /// on every connection, NCMD subscription.
    /// </summary>
    public void Start(MqttClientOptions clientOptions)
    {
        clientOptions.CleanSession = true;
        clientOptions.Will = null;
        clientOptions.WillFactory = NextDeathCertificate;
        _client.ConnectionEstablished = _ => Birth(rebirth: false);
        _client.DisconnectedAsync += _ =>
        {
            _born = false;
            return Task.CompletedTask;
        };
        _client.ApplicationMessageReceivedAsync += OnMessage;
        CommandSubscription = _client.SubscribeAsync(CommandTopic, MqttQualityOfServiceLevel.AtLeastOnce);
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

            _seq = (_seq + 1) & 0xFF;
            _data.Timestamp = (ulong)unixMs;
            _data.Seq = (ulong)_seq;
            for (int i = 0; i < DataMetrics.Length; i++)
            {
                SetValue(_data.Metrics[i], DataMetrics[i].Type, i, (ulong)unixMs);
            }

            Send(DataTopic, _data, MqttQualityOfServiceLevel.AtMostOnce);
            _dataMessages++;
        }
    }

    /// <summary>Publishes NDEATH (same bdSeq as the NBIRTH) and disconnects cleanly.</summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        lock (_gate)
        {
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

    private MqttApplicationMessage NextDeathCertificate()
    {
        lock (_gate)
        {
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

    private void Birth(bool rebirth)
    {
        lock (_gate)
        {
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
        }

        _logger.LogInformation("Sparkplug {Topic}: {Kind} with bdSeq {BdSeq}", BirthTopic, rebirth ? "rebirth" : "birth", _bdSeq);
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
        if (e.ApplicationMessage.Topic != CommandTopic)
        {
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
                Birth(rebirth: true);
                return Task.CompletedTask;
            }
        }

        _logger.LogWarning("Sparkplug NCMD ignored: only {Metric} is supported", RebirthMetric);
        return Task.CompletedTask;
    }

    private sealed record MetricDefinition(string Name, ulong Alias, SparkplugDataType Type);
}
