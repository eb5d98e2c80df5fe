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
/// Validates inbound commands and routes them (docs/DESIGN.md §7). For each message on <c>…/cmd/{name}</c>, in order of cost:
/// commands enabled → known name → in the ACL → not retained → payload size → rate limit → strict schema
/// (<see cref="CommandParser"/>) → not expired and not too far ahead → limits within the configured hardware limits
/// (<see cref="ControllerLimits.Check"/>) → mailbox has room. A rejection is answered at once on
/// <c>…/cmd/{name}/reply</c> with <c>{"id","ok":false,"error"}</c>; an accepted mode/limits command goes to the loop
/// through the <see cref="CommandMailbox"/> (applied whole or not at all, through the ramp limiter) and is answered when
/// the loop reports back; an ack goes to the alarm tracker on the publisher thread. Every step is audited.
/// <see cref="Handle"/> runs on the MQTT reader thread, <see cref="Service"/> on the publisher thread.
/// </summary>
public sealed class CommandProcessor : IDisposable
{
    private readonly CommandOptions _options;
    private readonly EdgeTopics _topics;
    private readonly ControllerOptions _configured;
    private readonly CommandMailbox _mailbox;
    private readonly ICommandReplySink _replies;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TokenBucket _bucket;
    private readonly CommandAuditLog? _audit;
    private readonly ConcurrentQueue<EdgeCommand> _acks = new();
    private readonly object _gate = new();
    private readonly EdgeJson _json = new();
    private readonly Dictionary<CommandKind, string> _replyTopics;
    private int _pendingAcks;
    private long _received;
    private long _rejected;
    private long _applied;
    private long _failed;

    /// <summary>Creates the processor; <paramref name="configured"/> are the hardware/contract limits no command may exceed.</summary>
    public CommandProcessor(
        CommandOptions options,
        EdgeTopics topics,
        ControllerOptions configured,
        CommandMailbox mailbox,
        ICommandReplySink replies,
        ILogger? logger = null,
        TimeProvider? time = null)
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
        _bucket = new TokenBucket(options.RatePerS, options.Burst, _time);
        _audit = string.IsNullOrEmpty(options.AuditPath) ? null : new CommandAuditLog(options.AuditPath, options.AuditMaxBytes, options.AuditFiles, _time);
        _replyTopics = new Dictionary<CommandKind, string>
        {
            [CommandKind.Mode] = topics.CommandReply("mode"),
            [CommandKind.Limits] = topics.CommandReply("limits"),
            [CommandKind.Ack] = topics.CommandReply("ack"),
        };
    }

    /// <summary>Counters since start.</summary>
    public CommandCounters Counters => new(Interlocked.Read(ref _received), Interlocked.Read(ref _rejected), Interlocked.Read(ref _applied), Interlocked.Read(ref _failed));

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
    public void HandleOversized(string topic, int payloadBytes)
    {
        if (!TryName(topic, out string name, out CommandKind? kind))
        {
            return;
        }

        string error = Precheck(name, kind, payloadBytes, retained: false) ?? $"payload of {payloadBytes} bytes exceeds the limit of {_options.MaxPayloadBytes}";
        Reject(name, kind, null, error, false, default, payloadBytes);
    }

    /// <summary>Validates and routes one inbound message; messages on other topics are ignored.</summary>
    public void Handle(string topic, ReadOnlySpan<byte> payload, bool retained)
    {
        if (!TryName(topic, out string name, out CommandKind? kind))
        {
            return;
        }

        string? error = Precheck(name, kind, payload.Length, retained);
        if (error is not null)
        {
            // Refused before the schema check: still echo the id when one can be read (not for floods or huge payloads).
            bool peek = payload.Length <= _options.MaxPayloadBytes && !error.StartsWith("rate limited", StringComparison.Ordinal);
            Reject(name, kind, peek ? CommandParser.TryPeekId(payload) : null, error, retained, payload);
            return;
        }

        CommandParseResult parsed = CommandParser.Parse(kind!.Value, payload);
        error = parsed.Error ?? CheckTimeAndLimits(parsed.Command);
        if (error is not null)
        {
            Reject(name, kind, parsed.RequestId, error, retained, payload);
            return;
        }

        EdgeCommand command = parsed.Command;
        bool posted;
        if (command.Kind == CommandKind.Ack)
        {
            posted = Interlocked.Increment(ref _pendingAcks) <= _options.MailboxCapacity;
            if (posted)
            {
                _acks.Enqueue(command);
            }
            else
            {
                Interlocked.Decrement(ref _pendingAcks);
            }
        }
        else
        {
            posted = _mailbox.TryPost(command);
        }

        if (!posted)
        {
            int capacity = command.Kind == CommandKind.Ack ? _options.MailboxCapacity : _mailbox.Capacity;
            Reject(name, kind, command.RequestId, $"busy: {capacity} commands are already pending", retained, payload);
            return;
        }

        _audit?.Write(name, command.RequestId, "queued", true, null, retained, payload);
    }

    /// <summary>
    /// Applies pending alarm acknowledgements to <paramref name="alarms"/> and answers every command the loop has
    /// reported back. Call from the publisher thread. Returns the number of replies sent.
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

        return n;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _audit?.Dispose();
        _json.Dispose();
    }

    private bool TryName(string topic, out string name, out CommandKind? kind)
    {
        name = string.Empty;
        kind = null;
        if (!topic.StartsWith(_topics.CommandPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        name = topic[_topics.CommandPrefix.Length..];
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return false; // e.g. our own replies under …/cmd/{name}/reply
        }

        Interlocked.Increment(ref _received);
        kind = name switch
        {
            "mode" => CommandKind.Mode,
            "limits" => CommandKind.Limits,
            "ack" => CommandKind.Ack,
            _ => null,
        };
        return true;
    }

    private string? Precheck(string name, CommandKind? kind, int payloadBytes, bool retained)
    {
        if (!_options.Enabled)
        {
            return "commands are disabled on this node";
        }

        if (kind is null)
        {
            return $"unknown command '{(name.Length <= 40 ? name : name[..40] + "…")}' (known: mode, limits, ack)";
        }

        if (!_options.Allowed.Contains(name))
        {
            return $"command '{name}' is not enabled on this node (Mqtt:Commands:Allowed)";
        }

        if (retained)
        {
            return "retained commands are not accepted (publish without the retain flag)";
        }

        if (payloadBytes > _options.MaxPayloadBytes)
        {
            return $"payload of {payloadBytes} bytes exceeds the limit of {_options.MaxPayloadBytes}";
        }

        return _bucket.TryTake()
            ? null
            : $"rate limited: at most {_options.RatePerS.ToString(CultureInfo.InvariantCulture)} commands/s (burst {_options.Burst.ToString(CultureInfo.InvariantCulture)})";
    }

    private string? CheckTimeAndLimits(in EdgeCommand c)
    {
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (c.ExpiresUnixMs <= nowMs)
        {
            return $"expired at {DateTimeOffset.FromUnixTimeMilliseconds(c.ExpiresUnixMs).UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}";
        }

        if (c.ExpiresUnixMs - nowMs > _options.MaxLifetimeS * 1000)
        {
            return $"expires_at is more than {_options.MaxLifetimeS.ToString(CultureInfo.InvariantCulture)} s ahead";
        }

        return c.Kind == CommandKind.Limits ? c.MergeInto(ControllerLimits.From(_configured)).Check(_configured) : null;
    }

    private void Reject(string name, CommandKind? kind, string? requestId, string error, bool retained, ReadOnlySpan<byte> payload, int payloadBytes = -1)
    {
        Interlocked.Increment(ref _rejected);
        string topic = kind is { } k ? _replyTopics[k] : _topics.CommandReply(name);
        lock (_gate)
        {
            _replies.Reply(topic, _json.WriteReply(requestId, false, error));
        }

        _audit?.Write(name, requestId, "rejected", false, error, retained, payload, payloadBytes);
        _logger.LogWarning("Command {Name} (id {Id}) rejected: {Error}", name, requestId ?? "?", error);
    }

    private void Finish(in EdgeCommand c, string? error)
    {
        Interlocked.Increment(ref error is null ? ref _applied : ref _failed);
        string name = c.Kind switch { CommandKind.Mode => "mode", CommandKind.Limits => "limits", _ => "ack" };
        lock (_gate)
        {
            _replies.Reply(_replyTopics[c.Kind], _json.WriteReply(c.RequestId, error is null, error));
        }

        _audit?.Write(name, c.RequestId, error is null ? "applied" : "failed", error is null, error, false, default);
        if (error is null)
        {
            _logger.LogInformation("Command {Name} (id {Id}) applied", name, c.RequestId);
        }
        else
        {
            _logger.LogWarning("Command {Name} (id {Id}) refused by the loop: {Error}", name, c.RequestId, error);
        }
    }
}
