using Edge.Core;

namespace Edge.Mqtt.Commands;

/// <summary>Operator commands over MQTT (configuration section <c>Mqtt:Commands</c>).</summary>
public sealed class CommandOptions
{
    /// <summary>Accept commands at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The command ACL: names accepted on <c>…/cmd/{name}</c> (others are rejected with a reason).</summary>
    public IList<string> Allowed { get; set; } = ["mode", "limits", "ack"];

    /// <summary>Largest payload accepted, bytes.</summary>
    public int MaxPayloadBytes { get; set; } = 1024;

    /// <summary>Commands per second on average (token bucket refill).</summary>
    public double RatePerS { get; set; } = 2;

    /// <summary>Commands accepted in a burst.</summary>
    public double Burst { get; set; } = 5;

    /// <summary>Longest allowed time between now and a command's <c>expires_at</c>, s.</summary>
    public double MaxLifetimeS { get; set; } = 300;

    /// <summary>Audit log (JSON lines), or null/empty for none.</summary>
    public string? AuditPath { get; set; }

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
            if (name is not ("mode" or "limits" or "ack"))
            {
                c.Fail(nameof(Allowed), name, "must list only mode, limits, ack");
            }
        }

        c.Range(nameof(MaxPayloadBytes), MaxPayloadBytes, 16, 65_536, "bytes");
        c.Above(nameof(RatePerS), RatePerS, 0, 10_000, "commands/s");
        c.Range(nameof(Burst), Burst, 1, 10_000, "commands");
        c.Above(nameof(MaxLifetimeS), MaxLifetimeS, 0, 86_400, "s");
        c.Range(nameof(AuditMaxBytes), AuditMaxBytes, 4096, 1e10, "bytes");
        c.Range(nameof(AuditFiles), AuditFiles, 1, 100, "files");
        c.Range(nameof(MailboxCapacity), MailboxCapacity, 1, 1024, "commands");
        return c.Errors;
    }
}
