using System.Collections.Concurrent;
using System.Globalization;
using Edge.Core;
using Edge.Core.Control;
using Edge.Mqtt.Client;
using Edge.Mqtt.Publishing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Mqtt.Commands;

/// <summary>
/// Validates inbound commands and routes them (docs/commands.md). Commands arrive on
/// <c>edge/{site}/{node}/cmd/{operator}/{name}</c>, where the broker's ACL lets an account publish only under its own user
/// name, so the operator level says who sent the command; replies go to <c>edge/{site}/{node}/reply/{operator}/{name}</c>.
/// For each message under <c>…/cmd/</c>, in order of cost:
/// <list type="number">
/// <item>a topic without a valid operator level, or an operator beyond <see cref="CommandOptions.MaxOperators"/>: dropped
/// and counted (no one to answer);</item>
/// <item>an empty payload (a retained command being cleared): ignored and counted, no reply;</item>
/// <item>the operator's token bucket (every message takes a token, whatever it holds) → commands enabled → known name →
/// in the ACL → not retained → payload size → wall clock synchronised → strict schema (<see cref="CommandParser"/>) → not
/// expired and not too far ahead → id not used before (<see cref="CommandIdStore"/>, durable) → limits within the
/// configured hardware limits (<see cref="ControllerLimits.Check"/>) → mailbox has room.</item>
/// </list>
/// A rejection is answered at once with <c>{"id","ok":false,"error"}</c> while the operator's reject-reply bucket has
/// tokens (audited in the rejected log, logged); beyond it, only counted and summarised every
/// <see cref="CommandOptions.SummaryIntervalS"/>. So a flood from one account costs that account its own answers and
/// nothing else: other operators keep their rate, and accepted commands have their own audit log that rejected traffic
/// never rotates. An accepted mode/limits command goes to the loop through the <see cref="CommandMailbox"/> (applied whole
/// or not at all, through the ramp limiter) and is answered when the loop reports back; an ack goes to the alarm tracker
/// on the publisher thread. <see cref="Handle"/> runs on the MQTT reader thread, <see cref="Service"/> on the publisher
/// thread.
/// </summary>
public sealed class CommandProcessor : IDisposable
{
    private const int MaxOperatorLength = 64;
    private readonly CommandOptions _options;
    private readonly EdgeTopics _topics;
    private readonly ControllerOptions _configured;
    private readonly CommandMailbox _mailbox;
    private readonly ICommandReplySink _replies;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IWallClockStatus? _clock;
    private readonly CommandIdStore _ids;
    private readonly CommandAuditLog? _audit;
    private readonly CommandAuditLog? _rejectedAudit;
    private readonly ConcurrentQueue<EdgeCommand> _acks = new();
    private readonly object _gate = new();
    private readonly EdgeJson _json = new();
    private readonly Dictionary<string, OperatorState> _operators = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OperatorState>.AlternateLookup<ReadOnlySpan<char>> _operatorLookup;
    private int _pendingAcks;
    private long _received;
    private long _rejected;
    private long _applied;
    private long _failed;
    private long _suppressed;
    private long _dropped;
    private long _ignored;
    private long _droppedSinceSummary;
    private string? _lastDrop;
    private long _lastSummaryTs;

    /// <summary>
    /// Creates the processor; <paramref name="configured"/> are the hardware/contract limits no command may exceed.
    /// <paramref name="clock"/>: the wall clock's synchronisation, consulted when
    /// <see cref="CommandOptions.RequireClockSync"/> is not false (default: the kernel's, <see cref="KernelClockStatus"/>).
    /// </summary>
    public CommandProcessor(
        CommandOptions options,
        EdgeTopics topics,
        ControllerOptions configured,
        CommandMailbox mailbox,
        ICommandReplySink replies,
        ILogger? logger = null,
        TimeProvider? time = null,
        IWallClockStatus? clock = null)
    {
        IReadOnlyList<OptionError> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _options = options;
        _topics = topics;
        _configured = configured.Clone();
        _mailbox = mailbox;
        _replies = replies;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _clock = options.RequireClockSync == false ? null : clock ?? new KernelClockStatus();
        _operatorLookup = _operators.GetAlternateLookup<ReadOnlySpan<char>>();
        _lastSummaryTs = _time.GetTimestamp();
        _ids = new CommandIdStore(options.IdStorePath, options.MaxLiveIds, _time.GetUtcNow().ToUnixTimeMilliseconds());
        if (!string.IsNullOrEmpty(options.AuditPath))
        {
            _audit = new CommandAuditLog(options.AuditPath, options.AuditMaxBytes, options.AuditFiles, _time);
            string rejected = string.IsNullOrEmpty(options.RejectedAuditPath)
                ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.AuditPath))!, Path.GetFileNameWithoutExtension(options.AuditPath) + ".rejected.jsonl")
                : options.RejectedAuditPath;
            _rejectedAudit = new CommandAuditLog(rejected, options.AuditMaxBytes, options.AuditFiles, _time);
        }
    }

    /// <summary>Counters since start.</summary>
    public CommandCounters Counters => new(
        Interlocked.Read(ref _received), Interlocked.Read(ref _rejected), Interlocked.Read(ref _applied), Interlocked.Read(ref _failed),
        Interlocked.Read(ref _suppressed), Interlocked.Read(ref _dropped), Interlocked.Read(ref _ignored));

    /// <summary>Adapter for <see cref="MqttClient.ApplicationMessageReceivedAsync"/>.</summary>
    public Task HandleAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        MqttApplicationMessage m = e.ApplicationMessage;
        Handle(m.Topic, m.Payload.Span, m.Retain);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Answers a command whose payload was too large for the client to accept at all (its body was discarded unread,
    /// see <see cref="MqttClient.OversizedMessageDropped"/>): rejected with the size as the reason.
    /// </summary>
    public void HandleOversized(string topic, int payloadBytes) => HandleCore(topic, default, payloadBytes, retained: false);

    /// <summary>Validates and routes one inbound message; messages on other topics are ignored.</summary>
    public void Handle(string topic, ReadOnlySpan<byte> payload, bool retained) => HandleCore(topic, payload, payload.Length, retained);

    /// <summary>
    /// Applies pending alarm acknowledgements to <paramref name="alarms"/>, answers every command the loop has reported
    /// back and, every <see cref="CommandOptions.SummaryIntervalS"/>, summarises what went unanswered. Call from the
    /// publisher thread. Returns the number of replies sent.
    /// </summary>
    public int Service(AlarmTracker? alarms, long unixMs)
    {
        int n = 0;
        while (_acks.TryDequeue(out EdgeCommand ack))
        {
            Interlocked.Decrement(ref _pendingAcks);
            string? error = alarms is null ? "alarms are not tracked on this node" : alarms.TryAcknowledge(ack.AlarmId!, ack.AlarmSource, unixMs);
            Finish(ack, error);
            n++;
        }

        while (_mailbox.TryTakeOutcome(out CommandOutcome outcome))
        {
            Finish(outcome.Command, outcome.Error);
            n++;
        }

        if (_time.GetElapsedTime(Volatile.Read(ref _lastSummaryTs)).TotalSeconds >= _options.SummaryIntervalS)
        {
            Summarise();
        }

        return n;
    }

    /// <summary>
    /// Writes one log line and one rejected-audit record for every operator with unanswered rejections since the last
    /// summary, and one for dropped messages; resets them. <see cref="Service"/> calls it periodically.
    /// </summary>
    public void Summarise()
    {
        double periodS = _time.GetElapsedTime(Volatile.Read(ref _lastSummaryTs)).TotalSeconds;
        lock (_gate)
        {
            Volatile.Write(ref _lastSummaryTs, _time.GetTimestamp());
            foreach (OperatorState op in _operators.Values)
            {
                if (op.Suppressed > 0)
                {
                    _logger.LogWarning("Commands: {Count} rejections for operator {Operator} went unanswered in the last {Period:0} s (reply rate exhausted); last: {Error}", op.Suppressed, op.Name, periodS, op.LastSuppressed);
                    _rejectedAudit?.WriteSummary(op.Name, op.Suppressed, Math.Round(periodS, 1), op.LastSuppressed!);
                    op.Suppressed = 0;
                }
            }

            if (_droppedSinceSummary > 0)
            {
                _logger.LogWarning("Commands: {Count} messages under {Prefix} dropped in the last {Period:0} s; last: {Error}", _droppedSinceSummary, _topics.CommandPrefix, periodS, _lastDrop);
                _rejectedAudit?.WriteSummary(null, _droppedSinceSummary, Math.Round(periodS, 1), _lastDrop!);
                _droppedSinceSummary = 0;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _audit?.Dispose();
        _rejectedAudit?.Dispose();
        _ids.Dispose();
        _json.Dispose();
    }

    /// <summary>True for a valid operator level: 1–64 of <c>A–Z a–z 0–9 . _ : @ -</c>.</summary>
    public static bool IsValidOperator(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > MaxOperatorLength)
        {
            return false;
        }

        foreach (char ch in name)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or ':' or '@' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private void HandleCore(string topic, ReadOnlySpan<byte> payload, int payloadBytes, bool retained)
    {
        if (!topic.StartsWith(_topics.CommandPrefix, StringComparison.Ordinal))
        {
            return;
        }

        Interlocked.Increment(ref _received);
        ReadOnlySpan<char> rest = topic.AsSpan(_topics.CommandPrefix.Length);
        int slash = rest.IndexOf('/');
        if (slash < 0)
        {
            Drop($"'{Truncate(topic)}' names no operator (commands go to {_topics.CommandPrefix}{{operator}}/{{name}})");
            return;
        }

        ReadOnlySpan<char> operatorName = rest[..slash];
        if (!IsValidOperator(operatorName))
        {
            Drop($"'{Truncate(topic)}': the operator level must be 1–{MaxOperatorLength} of A–Z a–z 0–9 . _ : @ -");
            return;
        }

        if (payloadBytes == 0)
        {
            // Clearing a retained command (an empty retained publish) reaches subscribers as an empty message.
            Interlocked.Increment(ref _ignored);
            return;
        }

        OperatorState? op = Operator(operatorName);
        if (op is null)
        {
            Drop($"more than {_options.MaxOperators} operators (Mqtt:Commands:MaxOperators); '{operatorName}' is not tracked");
            return;
        }

        string name = rest[(slash + 1)..].ToString();
        CommandKind? kind = name switch
        {
            "mode" => CommandKind.Mode,
            "limits" => CommandKind.Limits,
            "ack" => CommandKind.Ack,
            "site-limit" => CommandKind.SiteLimit,
            _ => null,
        };

        if (!op.Commands.TryTake())
        {
            Reject(op, name, kind, null, RateLimited(), retained, payload, payloadBytes, peekId: true);
            return;
        }

        string? error = Precheck(name, kind, payloadBytes, retained);
        if (error is not null)
        {
            // Refused before the schema check: still echo the id when one can be read.
            Reject(op, name, kind, null, error, retained, payload, payloadBytes, peekId: true);
            return;
        }

        CommandParseResult parsed = CommandParser.Parse(kind!.Value, payload);
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        error = parsed.Error ?? CheckTimeAndLimits(parsed.Command, nowMs);
        if (error is not null)
        {
            Reject(op, name, kind, parsed.RequestId, error, retained, payload);
            return;
        }

        EdgeCommand command = parsed.Command;
        command.Operator = op.Name;
        if (command.Kind == CommandKind.SiteLimit)
        {
            // The loop never reads the wall clock: the start goes to it as a delay.
            long startMs = command.SiteLimit.StartUnixMs == 0 ? nowMs : command.SiteLimit.StartUnixMs;
            if (startMs < nowMs - 1000 || startMs - nowMs > _options.MaxLifetimeS * 1000)
            {
                Reject(op, name, kind, command.RequestId, $"start_at must be from now to {_options.MaxLifetimeS.ToString(CultureInfo.InvariantCulture)} s ahead (Mqtt:Commands:MaxLifetimeS)", retained, payload);
                return;
            }

            command.SiteLimit.StartsInS = Math.Max(0, startMs - nowMs) / 1000.0;
        }

        bool room = command.Kind == CommandKind.Ack ? Volatile.Read(ref _pendingAcks) < _options.MailboxCapacity : _mailbox.InFlight < _mailbox.Capacity;
        int capacity = command.Kind == CommandKind.Ack ? _options.MailboxCapacity : _mailbox.Capacity;
        error = room ? _ids.TryUse(op.Name, command.RequestId, command.ExpiresUnixMs, nowMs) : $"busy: {capacity} commands are already pending";
        if (error is not null)
        {
            Reject(op, name, kind, command.RequestId, error, retained, payload);
            return;
        }

        // Only this thread posts: the room seen above is still there.
        if (command.Kind == CommandKind.Ack)
        {
            Interlocked.Increment(ref _pendingAcks);
            _acks.Enqueue(command);
        }
        else if (!_mailbox.TryPost(command))
        {
            Reject(op, name, kind, command.RequestId, $"busy: {capacity} commands are already pending (send again with a new id)", retained, payload);
            return;
        }

        _audit?.Write(op.Name, name, command.RequestId, "queued", true, null, retained, payload);
    }

    private OperatorState? Operator(ReadOnlySpan<char> name)
    {
        lock (_gate)
        {
            if (_operatorLookup.TryGetValue(name, out OperatorState? op))
            {
                return op;
            }

            if (_operators.Count >= _options.MaxOperators && !ForgetAnIdleOperator())
            {
                return null;
            }

            string s = name.ToString();
            op = new OperatorState(s, n => _topics.CommandReply(s, n), _options, _time);
            _operators.Add(s, op);
            return op;
        }
    }

    /// <summary>
    /// Makes room in a full table by forgetting one operator that has nothing to remember (<see cref="OperatorState.Idle"/>);
    /// false when every tracked operator is busy. Without it, 64 one-off names (any client on an anonymous broker)
    /// locked every later operator out until a restart. Under <see cref="_gate"/>.
    /// </summary>
    private bool ForgetAnIdleOperator()
    {
        foreach ((string name, OperatorState state) in _operators)
        {
            if (state.Idle)
            {
                _operators.Remove(name);
                return true;
            }
        }

        return false;
    }

    private string RateLimited() =>
        $"rate limited: at most {_options.RatePerS.ToString(CultureInfo.InvariantCulture)} messages/s per operator (burst {_options.Burst.ToString(CultureInfo.InvariantCulture)})";

    private string? Precheck(string name, CommandKind? kind, int payloadBytes, bool retained)
    {
        if (!_options.Enabled)
        {
            return "commands are disabled on this node";
        }

        if (kind is null)
        {
            return $"unknown command '{Truncate(name)}' (known: mode, limits, ack, site-limit)";
        }

        if (!_options.Allowed.Contains(name))
        {
            return $"command '{name}' is not enabled on this node (Mqtt:Commands:Allowed)";
        }

        if (retained)
        {
            return "retained commands are not accepted (publish without the retain flag; clear it with an empty retained message)";
        }

        if (payloadBytes > _options.MaxPayloadBytes)
        {
            return $"payload of {payloadBytes} bytes exceeds the limit of {_options.MaxPayloadBytes}";
        }

        return _clock?.Unsynchronised() is { } reason ? "refused: " + reason : null;
    }

    private string? CheckTimeAndLimits(in EdgeCommand c, long nowMs)
    {
        if (c.ExpiresUnixMs <= nowMs)
        {
            return $"expired at {DateTimeOffset.FromUnixTimeMilliseconds(c.ExpiresUnixMs).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} (now {DateTimeOffset.FromUnixTimeMilliseconds(nowMs).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)})";
        }

        if (c.ExpiresUnixMs - nowMs > _options.MaxLifetimeS * 1000)
        {
            return $"expires_at is more than {_options.MaxLifetimeS.ToString(CultureInfo.InvariantCulture)} s ahead (Mqtt:Commands:MaxLifetimeS); e.g. expires_at=$(date -u -d '+60 sec' +%FT%TZ)";
        }

        return c.Kind == CommandKind.Limits ? c.MergeInto(ControllerLimits.From(_configured)).Check(_configured) : null;
    }

    private void Drop(string reason)
    {
        Interlocked.Increment(ref _dropped);
        lock (_gate)
        {
            _droppedSinceSummary++;
            _lastDrop = reason;
        }
    }

    /// <summary>Counts a rejection; answers it while the operator's reject-reply bucket lasts. <paramref name="peekId"/>:
    /// the payload was not parsed, read its id (only for an answered rejection of a payload within the size limit).</summary>
    private void Reject(OperatorState op, string name, CommandKind? kind, string? requestId, string error, bool retained, ReadOnlySpan<byte> payload, int payloadBytes = -1, bool peekId = false)
    {
        Interlocked.Increment(ref _rejected);
        lock (_gate)
        {
            if (!op.Rejects.TryTake())
            {
                Interlocked.Increment(ref _suppressed);
                op.Suppressed++;
                op.LastSuppressed = error;
                return;
            }

            if (peekId && payload.Length == (payloadBytes < 0 ? payload.Length : payloadBytes) && payload.Length <= _options.MaxPayloadBytes)
            {
                requestId = CommandParser.TryPeekId(payload);
            }

            string topic = kind is { } k ? op.Reply(k) : op.ReplyTopic(IsValidOperator(name) ? name : "invalid");
            _replies.Reply(topic, _json.WriteReply(requestId, false, error));
        }

        _rejectedAudit?.Write(op.Name, Truncate(name), requestId, "rejected", false, error, retained, payload, payloadBytes);
        _logger.LogWarning("Command {Name} from {Operator} (id {Id}) rejected: {Error}", Truncate(name), op.Name, requestId ?? "?", error);
    }

    private void Finish(in EdgeCommand c, string? error)
    {
        Interlocked.Increment(ref error is null ? ref _applied : ref _failed);
        string name = c.Kind switch { CommandKind.Mode => "mode", CommandKind.Limits => "limits", CommandKind.SiteLimit => "site-limit", _ => "ack" };
        lock (_gate)
        {
            _replies.Reply(_topics.CommandReply(c.Operator, name), c.Kind == CommandKind.SiteLimit && error is null
                ? _json.WriteSiteLimitReply(c.RequestId, c.SiteLimit)
                : _json.WriteReply(c.RequestId, error is null, error));
        }

        _audit?.Write(c.Operator, name, c.RequestId, error is null ? "applied" : "failed", error is null, error, false, default);
        if (error is null)
        {
            _logger.LogInformation("Command {Name} from {Operator} (id {Id}) applied", name, c.Operator, c.RequestId);
        }
        else
        {
            _logger.LogWarning("Command {Name} from {Operator} (id {Id}) refused by the loop: {Error}", name, c.Operator, c.RequestId, error);
        }
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
