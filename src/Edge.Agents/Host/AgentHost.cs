using Edge.Agents.Contract;
using Edge.Core.Timing;
using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;
using Microsoft.Extensions.Logging;

namespace Edge.Agents.Host;

/// <summary>
/// The agent process around one lever: MQTT session with a Will (<c>status</c> offline, retained), <c>status</c>
/// online and <c>capabilities</c> retained on every connect, telemetry at the advertised rate, commands on
/// <c>cmd/{sender}/{name}</c> answered on <c>reply/{sender}/{name}</c>. Commands are refused when retained, malformed,
/// expired, living longer than the local maximum, or outside the local limits — the reply says why. Expiry is taken
/// from the wall clock once, at receipt, and then counted on the monotonic clock. Stopping releases every command
/// along its ramp before the agent says offline (bounded by <c>stopTimeout</c>).
/// </summary>
public sealed class AgentHost : IDisposable
{
    private readonly object _gate = new();
    private readonly IAgentLever _lever;
    private readonly IMonotonicClock _clock;
    private readonly TimeProvider _wall;
    private readonly ILogger _log;
    private readonly MqttClient _client;
    private long _seq;

    /// <summary>
    /// Whether the lever's hardware outlives this host (true: a real GPU or miner keeps the last value written, so an
    /// unfinished release at stop is a warning). False for a simulated lever that ends with the process (the sim rig's
    /// agents): an unfinished release is then only noted.
    /// </summary>
    public bool HardwareOutlivesHost { get; init; } = true;

    /// <summary>Creates the host; <see cref="Run"/> connects and serves.</summary>
    public AgentHost(IAgentLever lever, AgentTopics topics, IMonotonicClock clock, TimeProvider wall, ILogger logger)
    {
        _lever = lever ?? throw new ArgumentNullException(nameof(lever));
        Topics = topics ?? throw new ArgumentNullException(nameof(topics));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _wall = wall ?? throw new ArgumentNullException(nameof(wall));
        _log = logger ?? throw new ArgumentNullException(nameof(logger));
        _client = new MqttClient(logger, wall);
        _client.ApplicationMessageReceivedAsync += e =>
        {
            OnMessage(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    /// <summary>The agent's topics.</summary>
    public AgentTopics Topics { get; }

    /// <summary>Commands applied.</summary>
    public long Applied { get; private set; }

    /// <summary>Commands refused.</summary>
    public long Refused { get; private set; }

    /// <summary>Telemetry messages queued.</summary>
    public long TelemetrySent => Interlocked.Read(ref _seq);

    /// <summary>
    /// Connects with <paramref name="options"/> (its Will is replaced by the offline status), serves until
    /// <paramref name="stop"/>, then releases along the ramp (at most <paramref name="stopTimeout"/>) and says offline.
    /// </summary>
    public async Task Run(MqttClientOptionsBuilder options, TimeSpan stopTimeout, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.WithWill(MqttClientOptionsBuilder.Will(Topics.Status, Status("offline"), MqttQualityOfServiceLevel.AtLeastOnce, retain: true));
        _client.ConnectionEstablished = connected =>
        {
            _ = _client.PublishAsync(Retained(Topics.Status, Status("online")));
            _ = _client.PublishAsync(Retained(Topics.Capabilities, AgentJson.Serialize(_lever.Capabilities)));
        };
        _client.Start(options.Build());
        _ = _client.SubscribeAsync(Topics.CommandFilter, MqttQualityOfServiceLevel.AtLeastOnce, stop);
        long periodNs = (long)(1e9 / _lever.Capabilities.TelemetryHz);
        long next = _clock.NowNs;
        while (!stop.IsCancellationRequested)
        {
            PublishSample();
            next += periodNs;
            long waitNs = next - _clock.NowNs;
            if (waitNs < -1_000_000_000)
            {
                // More than 1 s behind (the machine was suspended or starved): start afresh. Shorter stalls are caught
                // up, so the rate holds on average.
                next = _clock.NowNs;
            }
            else if (waitNs > 0)
            {
                stop.WaitHandle.WaitOne(TimeSpan.FromTicks(waitNs / 100));
            }
        }

        lock (_gate)
        {
            _lever.ReleaseAll(_clock.NowNs);
        }

        long deadline = _clock.NowNs + (long)stopTimeout.TotalMicroseconds * 1000;
        while (!_lever.IsFree && _clock.NowNs < deadline)
        {
            PublishSample();
            Thread.Sleep(TimeSpan.FromTicks(periodNs / 100));
        }

        if (!_lever.IsFree && HardwareOutlivesHost)
        {
            _log.LogWarning("Stopped before the release finished; the hardware keeps the last value written.");
        }
        else if (!_lever.IsFree)
        {
            _log.LogInformation("Stopped before the release finished (simulated: the lever stops with this process).");
        }

        PublishSample();
        await SayOffline().ConfigureAwait(false);
    }

    /// <summary>
    /// The last words, with their own bounds (the stop token has fired already). Without a broker session there is no
    /// one to tell: the broker publishes the Will when the session it holds times out, so this is no failure of the stop.
    /// </summary>
    private async Task SayOffline()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.PublishAsync(Retained(Topics.Status, Status("offline")), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _log.LogWarning("The broker did not acknowledge the offline status within 2 s; it publishes the Will when the session ends.");
            }
        }
        else
        {
            _log.LogInformation("Not connected at stop: the offline status is left to the Will.");
        }

        await _client.DisconnectAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private void PublishSample()
    {
        AgentTelemetry t;
        lock (_gate)
        {
            t = _lever.Sample(_clock.NowNs, Interlocked.Increment(ref _seq), _wall.GetUtcNow().ToUnixTimeMilliseconds());
        }

        _client.Outbox.TryEnqueue(Topics.Telemetry, AgentJson.Serialize(t), MqttQualityOfServiceLevel.AtMostOnce, retain: false, Edge.Mqtt.Outbox.OutboxPriority.Telemetry);
    }

    private void OnMessage(MqttApplicationMessage m)
    {
        if (!Topics.TryParseCommandTopic(m.Topic, out string sender, out string name))
        {
            return;
        }

        if (m.Retain)
        {
            Reply(sender, name, null, null, "retained commands are refused (a command must be sent live)");
            return;
        }

        ParseResult<AgentCommand> parsed = AgentJson.Parse<AgentCommand>(m.Payload.Span);
        if (parsed.Value is not { } c)
        {
            Reply(sender, name, null, null, parsed.Error);
            return;
        }

        long nowNs = _clock.NowNs;
        TimeSpan left = c.ExpiresAt - _wall.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            Reply(sender, name, c.Id, null, "the command has expired");
            return;
        }

        if (left.TotalSeconds > _lever.Capabilities.MaxCommandLifetimeS)
        {
            Reply(sender, name, c.Id, null, FormattableString.Invariant($"expires_at is {left.TotalSeconds:F0} s away; this agent accepts at most {_lever.Capabilities.MaxCommandLifetimeS} s"));
            return;
        }

        (double? applied, string? error) result;
        lock (_gate)
        {
            result = _lever.Apply(name, c, nowNs, nowNs + (long)(left.TotalMicroseconds * 1000));
        }

        Reply(sender, name, c.Id, result.applied, result.error);
    }

    private void Reply(string sender, string name, string? id, double? applied, string? error)
    {
        if (error is null)
        {
            Applied++;
        }
        else
        {
            Refused++;
            _log.LogInformation("Refused {Name} from {Sender}: {Error}", name, sender, error);
        }

        var reply = new AgentReply { Id = id, Ok = error is null, Error = error, Applied = applied, TsMs = _wall.GetUtcNow().ToUnixTimeMilliseconds() };
        _ = _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Reply(sender, name)).WithPayload(AgentJson.Serialize(reply)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    private byte[] Status(string state) => AgentJson.Serialize(new AgentStatus { State = state, TsMs = _wall.GetUtcNow().ToUnixTimeMilliseconds() });

    private static MqttApplicationMessage Retained(string topic, byte[] payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build();
}
