using Edge.Core;

namespace Edge.Mqtt.Commands;

/// <summary>Operator commands over MQTT (configuration section <c>Mqtt:Commands</c>).</summary>
public sealed class CommandOptions
{
    /// <summary>Accept commands at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The command ACL: names accepted on <c>…/cmd/{operator}/{name}</c> (others are rejected with a reason).</summary>
    public IList<string> Allowed { get; set; } = ["mode", "limits", "ack", "site-limit"];

    /// <summary>Largest payload accepted, bytes.</summary>
    public int MaxPayloadBytes { get; set; } = 1024;

    /// <summary>Messages per second on average, per operator (token bucket refill); every message under the operator's
    /// <c>cmd/</c> level takes a token, whatever its fate.</summary>
    public double RatePerS { get; set; } = 2;

    /// <summary>Messages accepted in a burst, per operator.</summary>
    public double Burst { get; set; } = 5;

    /// <summary>Rejections answered (reply, audit line, log line) per second, per operator; the rest are counted and
    /// summarised every <see cref="SummaryIntervalS"/>.</summary>
    public double RejectRepliesPerS { get; set; } = 1;

    /// <summary>Rejections answered in a burst, per operator.</summary>
    public double RejectBurst { get; set; } = 10;

    /// <summary>How often suppressed rejections and dropped messages are summarised (one log line and one audit record
    /// per operator that had any), s.</summary>
    public double SummaryIntervalS { get; set; } = 10;

    /// <summary>Operators (broker accounts) tracked at most; messages from further accounts are dropped and counted.</summary>
    public int MaxOperators { get; set; } = 64;

    /// <summary>Longest allowed time between now and a command's <c>expires_at</c>, s; also how long a used id is
    /// remembered (across restarts, kill -9 included).</summary>
    public double MaxLifetimeS { get; set; } = 300;

    /// <summary>Refuse commands while the kernel says the wall clock is not synchronised (adjtimex: TIME_ERROR);
    /// <c>expires_at</c> and the used-id store depend on it. Null: true on real rigs, false on the sim and hil rigs.</summary>
    public bool? RequireClockSync { get; set; }

    /// <summary>Command ids remembered at most (ids are single-use until their command expires); beyond, commands are
    /// refused as busy.</summary>
    public int MaxLiveIds { get; set; } = 100_000;

    /// <summary>The used-id store (append-only, fsync'ed, compacted), or null/empty to keep ids in memory only.</summary>
    public string? IdStorePath { get; set; }

    /// <summary>Audit log of accepted commands (queued, applied, failed; JSON lines), or null/empty for none.</summary>
    public string? AuditPath { get; set; }

    /// <summary>Audit log of rejected messages and the summaries of suppressed ones (its own rotation, so rejected
    /// traffic can never push accepted commands out of <see cref="AuditPath"/>). Null/empty: next to AuditPath,
    /// <c>….rejected.jsonl</c>.</summary>
    public string? RejectedAuditPath { get; set; }

    /// <summary>Size at which the audit log is rotated, bytes.</summary>
    public long AuditMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Rotated audit files kept (audit.jsonl.1 … .N).</summary>
    public int AuditFiles { get; set; } = 5;

    /// <summary>Commands in flight to the loop at most.</summary>
    public int MailboxCapacity { get; set; } = 8;

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Mqtt:Commands")
    {
        var c = new OptionChecks(section);
        foreach (string name in Allowed)
        {
            if (name is not ("mode" or "limits" or "ack" or "site-limit"))
            {
                c.Fail(nameof(Allowed), name, "must list only mode, limits, ack, site-limit");
            }
        }

        c.Range(nameof(MaxPayloadBytes), MaxPayloadBytes, 16, 65_536, "bytes");
        c.Above(nameof(RatePerS), RatePerS, 0, 10_000, "commands/s");
        c.Range(nameof(Burst), Burst, 1, 10_000, "commands");
        c.Range(nameof(RejectRepliesPerS), RejectRepliesPerS, 0, 10_000, "replies/s");
        c.Range(nameof(RejectBurst), RejectBurst, 1, 10_000, "replies");
        c.Range(nameof(SummaryIntervalS), SummaryIntervalS, 1, 3600, "s");
        c.Range(nameof(MaxOperators), MaxOperators, 1, 10_000, "operators");
        c.Range(nameof(MaxLiveIds), MaxLiveIds, 16, 10_000_000, "ids");
        c.Above(nameof(MaxLifetimeS), MaxLifetimeS, 0, 86_400, "s");
        c.Range(nameof(AuditMaxBytes), AuditMaxBytes, 4096, 1e10, "bytes");
        c.Range(nameof(AuditFiles), AuditFiles, 1, 100, "files");
        c.Range(nameof(MailboxCapacity), MailboxCapacity, 1, 1024, "commands");
        return c.Errors;
    }
}
