namespace Edge.Mqtt.Outbox;

/// <summary>What the outbox may sacrifice when it is full.</summary>
public enum OutboxPriority : byte
{
    /// <summary>Periodic data (state, detail, command replies): the oldest queued is dropped first when full.</summary>
    Telemetry = 0,
    /// <summary>Alarms and status: never dropped to make room; they may use a reserve above the capacity.</summary>
    Critical = 1,
}
