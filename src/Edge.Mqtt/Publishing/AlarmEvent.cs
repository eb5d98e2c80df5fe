namespace Edge.Mqtt.Publishing;

/// <summary>One alarm event waiting to be published.</summary>
/// <param name="Alarm">The alarm.</param>
/// <param name="Kind">Raise, clear or ack.</param>
/// <param name="UnixMs">When, ms since the Unix epoch.</param>
public readonly record struct AlarmEvent(AlarmState Alarm, AlarmEventKind Kind, long UnixMs);
