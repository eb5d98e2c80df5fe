// The publisher thread: the only consumer of the loop's hand-off ring. Per record (every control period) it updates the
// alarm tracker and the current state window; windows and detail snapshots are aligned on the loop's own clock
// (state every 1/StateRateHz, detail every 1/DetailRateHz of loop time), so decimation is deterministic and follows
// virtual time in tests. Closed windows become JSON (EdgeJson, one reused buffer) and are copied into the client's
// outbox — the thread never touches the network and never allocates in steady state. Alarm events go out at QoS 1 as
// critical messages; commands' replies are produced here when the loop reports back.

using Edge.Core.Devices;
using Edge.Mqtt.Client;
using Edge.Mqtt.Commands;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Text.Json;

namespace Edge.Mqtt.Publishing;

/// <summary>
/// Publishes Edge's state over MQTT (docs/DESIGN.md §7): retained status with an offline Will (the same fields),
/// decimated state, per-sensor and per-inverter detail, QoS 1 alarms, and command replies. Drains an
/// <see cref="ICycleSource"/> on its own thread.
/// </summary>
public sealed class EdgePublisher : IDisposable
{
    private const int MaxRecordsPerPump = 4096;

    private readonly EdgePublisherOptions _options;
    private readonly MqttClient _client;
    private readonly ICycleSource _cycles;
    private readonly IRackDetailSource? _detail;
    private readonly CommandProcessor? _commands;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly EdgeJson _json = new();
    private readonly EdgeJson _statusJson = new();
    private readonly object _statusGate = new();
    private readonly StateWindow _window = new();
    private readonly long _statePeriodNs;
    private readonly long _detailPeriodNs;
    private readonly RackSnapshot? _snapshot;
    private readonly string[] _sensorTopics = [];
    private readonly string[] _inverterTopics = [];
    private readonly JsonEncodedText[] _sensorIds = [];
    private readonly JsonEncodedText[] _inverterIds = [];
    private readonly ManualResetEventSlim _stop = new(false);
    private readonly long _startedUnixMs;
    private long _connectUnixMs; // the latest CONNECT's time: its Will's ts and its online status's ts
    private Thread? _thread;
    private long _windowIndex = long.MinValue;
    private long _detailIndex = long.MinValue;
    private long _records;
    private long _stateMessages;
    private long _detailMessages;
    private long _alarmEvents;
    private long _refused;

    /// <summary>Creates the publisher. Nothing is sent until <see cref="Start"/>.</summary>
    public EdgePublisher(
        EdgePublisherOptions options,
        MqttClient client,
        ICycleSource cycles,
        IRackDetailSource? detail = null,
        CommandProcessor? commands = null,
        ILogger? logger = null,
        TimeProvider? time = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _options = options;
        _client = client;
        _cycles = cycles;
        _detail = detail;
        _commands = commands;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _startedUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Topics = new EdgeTopics(options.Site, options.Node);
        _statePeriodNs = (long)(1e9 / options.StateRateHz);
        _detailPeriodNs = (long)(1e9 / options.DetailRateHz);
        IReadOnlyList<string> sensors = detail?.SensorIds ?? [];
        IReadOnlyList<string> inverters = detail?.InverterIds ?? [];
        if (detail is not null)
        {
            foreach (string id in sensors.Concat(inverters))
            {
                EdgeTopics.CheckLevel("device id", id);
            }

            _snapshot = new RackSnapshot(sensors.Count, inverters.Count);
            _sensorTopics = sensors.Select(Topics.Sensor).ToArray();
            _inverterTopics = inverters.Select(Topics.Inverter).ToArray();
            _sensorIds = sensors.Select(id => JsonEncodedText.Encode(id)).ToArray();
            _inverterIds = inverters.Select(id => JsonEncodedText.Encode(id)).ToArray();
        }

        Alarms = new AlarmTracker(sensors, inverters, options, detail?.TemperatureSensors);
    }

    /// <summary>The topic names.</summary>
    public EdgeTopics Topics { get; }

    /// <summary>The alarms derived from the hand-off.</summary>
    public AlarmTracker Alarms { get; }

    /// <summary>Completes with the broker's SUBACK for the command topics (after <see cref="Start"/> with commands).</summary>
    public Task<MqttClientSubscribeResult>? CommandSubscription { get; private set; }

    /// <summary>More sections of the state message (agents, backstop, site limit), written on the publisher thread; or null.</summary>
    public IStateExtension? StateExtension { get; set; }

    /// <summary>Another consumer of state windows (e.g. the Sparkplug node), or null.</summary>
    public IStateSink? StateSink { get; set; }

    /// <summary>Counters since start.</summary>
    public PublisherCounters Counters => new(
        Interlocked.Read(ref _records),
        Interlocked.Read(ref _stateMessages),
        Interlocked.Read(ref _detailMessages),
        Interlocked.Read(ref _alarmEvents),
        Interlocked.Read(ref _refused));

    /// <summary>
    /// Wires the client (Will = the retained offline status with every field, made afresh for each CONNECT so its
    /// <c>ts</c> is that connection's time; retained online status with the same <c>ts</c> first on every connection;
    /// command subscription), starts it, and starts the publisher thread.
    /// </summary>
    public void Start(MqttClientOptions clientOptions)
    {
        clientOptions.Will = null;
        clientOptions.WillFactory = NextWill;
        _client.ConnectionEstablished = _ => QueueStatus("online", front: true, Interlocked.Read(ref _connectUnixMs));
        if (_commands is not null)
        {
            _client.ApplicationMessageReceivedAsync += _commands.HandleAsync;
            _client.OversizedMessageDropped += e => _commands.HandleOversized(e.Topic, e.PayloadBytes);
            CommandSubscription = _client.SubscribeAsync(Topics.CommandFilter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        _client.Start(clientOptions);
        StartThread();
    }

    /// <summary>Starts only the publisher thread (the client is started and wired by the caller).</summary>
    public void StartThread()
    {
        if (_thread is not null)
        {
            return;
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "edge-publisher" };
        _thread.Start();
    }

    /// <summary>
    /// One pass of the publisher thread: drains up to 4096 records, publishes closed windows and detail, alarm events
    /// and command replies. Returns the records taken. Exposed so tests can drive it without the thread (never call it
    /// while the thread runs).
    /// </summary>
    public int Pump()
    {
        int n = 0;
        while (n < MaxRecordsPerPump && _cycles.TryDequeue(out CycleRecord r))
        {
            Process(r);
            n++;
        }

        Interlocked.Add(ref _records, n);
        long unixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _commands?.Service(Alarms, unixMs);
        PublishAlarmEvents();
        return n;
    }

    /// <summary>
    /// Stops the thread after a last pass, publishes the retained offline status, and disconnects the client cleanly
    /// after up to <paramref name="drainTimeout"/> for the outbox to empty.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        _stop.Set();
        _thread?.Join();
        Pump();
        QueueStatus("offline", front: false, _time.GetUtcNow().ToUnixTimeMilliseconds());
        await _client.DisconnectAsync(drainTimeout).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Set();
        _thread?.Join();
        _json.Dispose();
        _statusJson.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        TimeSpan idle = TimeSpan.FromMilliseconds(_options.PollIntervalMs);
        while (!_stop.IsSet)
        {
            try
            {
                if (Pump() == 0)
                {
                    _stop.Wait(idle);
                }
            }
            catch (Exception e)
            {
                // Never let a bad record or a full disk kill publishing; say so and go on.
                _logger.LogError(e, "Publisher pass failed");
                _stop.Wait(idle);
            }
        }
    }

    private void Process(in CycleRecord r)
    {
        long unixMs = r.UnixTimeMs != 0 ? r.UnixTimeMs : _time.GetUtcNow().ToUnixTimeMilliseconds();
        Alarms.Observe(r, unixMs);

        long windowIndex = FloorDiv(r.TimestampNs, _statePeriodNs);
        if (windowIndex != _windowIndex)
        {
            if (_window.Count > 0)
            {
                PublishState();
            }

            _windowIndex = windowIndex;
            _window.Reset();
        }

        _window.Add(r);

        long detailIndex = FloorDiv(r.TimestampNs, _detailPeriodNs);
        if (detailIndex != _detailIndex)
        {
            _detailIndex = detailIndex;
            PublishDetail(r.TimestampNs, unixMs);
        }
    }

    private void PublishState()
    {
        long unixMs = _window.Last.UnixTimeMs != 0 ? _window.Last.UnixTimeMs : _time.GetUtcNow().ToUnixTimeMilliseconds();
        ReadOnlySpan<byte> payload = _json.WriteState(_window, unixMs, _client.Outbox.Counters.DroppedTelemetry, StateExtension);
        Enqueue(Topics.State, payload, _options.StateQos, OutboxPriority.Telemetry);
        _stateMessages++;
        StateSink?.OnState(_window, unixMs);
    }

    private void PublishDetail(long nowNs, long unixMs)
    {
        if (_detail is null || _snapshot is null || !_detail.TryCopyLatest(_snapshot))
        {
            return;
        }

        Alarms.ObserveDetail(_snapshot, nowNs, unixMs);
        StateSink?.OnDetail(_snapshot, nowNs, unixMs);
        for (int i = 0; i < _sensorTopics.Length; i++)
        {
            Enqueue(_sensorTopics[i], _json.WriteSensor(_sensorIds[i], _snapshot.Sensors[i], unixMs, nowNs), _options.DetailQos, OutboxPriority.Telemetry);
            _detailMessages++;
        }

        for (int i = 0; i < _inverterTopics.Length; i++)
        {
            Enqueue(_inverterTopics[i], _json.WriteInverter(_inverterIds[i], _snapshot.Inverters[i], unixMs, nowNs), _options.DetailQos, OutboxPriority.Telemetry);
            _detailMessages++;
        }
    }

    private void PublishAlarmEvents()
    {
        while (Alarms.TryTakeEvent(out AlarmEvent e))
        {
            Enqueue(Topics.Alarm, _json.WriteAlarm(e), MqttQualityOfServiceLevel.AtLeastOnce, OutboxPriority.Critical);
            _alarmEvents++;
        }
    }

    private void Enqueue(string topic, ReadOnlySpan<byte> payload, MqttQualityOfServiceLevel qos, OutboxPriority priority)
    {
        if (!_client.Outbox.TryEnqueue(topic, payload, qos, retain: false, priority))
        {
            _refused++;
        }
    }

    /// <summary>
    /// The Will of the next CONNECT (called by the client for each attempt): the offline status with every field of a
    /// clean stop's; its <c>ts</c> is this connection's time (the broker publishes the Will later, when it finds the
    /// connection dead — a moment Edge cannot know), the same <c>ts</c> as the online status sent on it.
    /// </summary>
    private MqttApplicationMessage NextWill()
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Interlocked.Exchange(ref _connectUnixMs, now);
        using var json = new EdgeJson(); // its own: a connection attempt is rare, and may come after Dispose
        byte[] payload = json.WriteStatus("offline", _options.Site, _options.Node, _options.Version, _startedUnixMs, now).ToArray();
        return new MqttApplicationMessage { Topic = Topics.Status, Payload = payload, QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, Retain = true };
    }

    private void QueueStatus(string state, bool front, long unixMs)
    {
        lock (_statusGate)
        {
            ReadOnlySpan<byte> payload = _statusJson.WriteStatus(state, _options.Site, _options.Node, _options.Version, _startedUnixMs, unixMs);
            _client.Outbox.TryEnqueueCore(Topics.Status, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, OutboxPriority.Critical, OutboxFullPolicy.DropOldestTelemetry, null, front);
        }
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;
}
