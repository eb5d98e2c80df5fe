namespace Edge.Mqtt.Outbox;

/// <summary>Outbox counters since start (a consistent snapshot).</summary>
/// <param name="Enqueued">Messages accepted.</param>
/// <param name="Sent">Messages written to a connection for the first time.</param>
/// <param name="Acknowledged">QoS 1 messages acknowledged by PUBACK.</param>
/// <param name="DroppedTelemetry">Telemetry messages dropped because the outbox was full (oldest dropped, or new refused).</param>
/// <param name="RejectedCritical">Critical messages refused because even the critical reserve was full.</param>
/// <param name="UnexpectedAcks">PUBACKs for identifiers not in flight (ignored).</param>
/// <param name="Queued">Messages queued now.</param>
/// <param name="Inflight">Messages awaiting PUBACK now.</param>
public readonly record struct OutboxCounters(
    long Enqueued,
    long Sent,
    long Acknowledged,
    long DroppedTelemetry,
    long RejectedCritical,
    long UnexpectedAcks,
    int Queued,
    int Inflight);
