using System.Text.Json;

namespace Edge.Mqtt.Publishing;

/// <summary>One alarm and its current state (ids pre-encoded so publishing an event never allocates).</summary>
public sealed class AlarmState
{
    internal AlarmState(string id, string? source, AlarmSeverity severity)
    {
        Id = id;
        Source = source;
        Severity = severity;
        EncodedId = JsonEncodedText.Encode(id);
        EncodedSource = source is null ? null : JsonEncodedText.Encode(source);
    }

    /// <summary>Alarm identifier, e.g. <c>battery_unavailable</c>.</summary>
    public string Id { get; }

    /// <summary>Device the alarm is about (sensor or inverter id), or null.</summary>
    public string? Source { get; }

    /// <summary>Severity.</summary>
    public AlarmSeverity Severity { get; }

    /// <summary>True between a raise and its clear.</summary>
    public bool Active { get; internal set; }

    /// <summary>True when acknowledged since it was raised.</summary>
    public bool Acknowledged { get; internal set; }

    /// <summary>
    /// Why, in the device's words, when it was last raised (per-device alarms with a known reason, e.g. an inverter's
    /// "implausible device value: 802 SoCMax = 0 …"), or null.
    /// </summary>
    public string? Detail { get; internal set; }

    /// <summary>When it was last raised, ms since the Unix epoch.</summary>
    public long RaisedUnixMs { get; internal set; }

    /// <summary>
    /// Key of the alarm for persistence: <c>id</c> or <c>id/source</c>.
    /// </summary>
    public string Key => Source is null ? Id : $"{Id}/{Source}";

    /// <summary>
    /// Set when an acknowledgement was restored after a restart: the next raise (the condition still being there when
    /// Edge comes back) starts acknowledged instead of paging the operator again.
    /// </summary>
    internal bool AcknowledgedBeforeRestart { get; set; }

    internal JsonEncodedText EncodedId { get; }

    internal JsonEncodedText? EncodedSource { get; }

    internal long LastSeenNs { get; set; }

    /// <summary>Since when the condition has held without a break (long.MinValue: it does not hold now).</summary>
    internal long HeldSinceNs { get; set; } = long.MinValue;

    /// <summary>When the alarm was last raised, loop ns (for the minimum dwell).</summary>
    internal long RaisedNs { get; set; }

    /// <summary>How many times it was raised since start (a flapping alarm shows here).</summary>
    public int Raises { get; internal set; }

    internal AlarmPolicy Policy { get; set; }
}
