namespace Edge.Mqtt.Outbox;

/// <summary>What happens to a telemetry message offered to a full outbox.</summary>
public enum OutboxFullPolicy : byte
{
    /// <summary>Drop the oldest queued (not yet sent) telemetry message to make room; count it (the default: fresh data wins).</summary>
    DropOldestTelemetry,
    /// <summary>Refuse the new message and leave the queue alone (back-pressure for callers that can wait, e.g. the benchmark).</summary>
    RejectNew,
}
