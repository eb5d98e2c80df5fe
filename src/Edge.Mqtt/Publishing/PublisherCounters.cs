namespace Edge.Mqtt.Publishing;

/// <summary>Publisher counters since start.</summary>
/// <param name="Records">Cycle records taken from the hand-off.</param>
/// <param name="StateMessages">State messages queued.</param>
/// <param name="DetailMessages">Sensor and inverter messages queued.</param>
/// <param name="AlarmEvents">Alarm events queued.</param>
/// <param name="Refused">Messages the outbox refused (telemetry in a full outbox; see the outbox counters).</param>
public readonly record struct PublisherCounters(long Records, long StateMessages, long DetailMessages, long AlarmEvents, long Refused);
