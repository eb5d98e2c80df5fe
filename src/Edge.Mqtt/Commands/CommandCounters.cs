namespace Edge.Mqtt.Commands;

/// <summary>Command counters since start.</summary>
/// <param name="Received">Messages on a command topic.</param>
/// <param name="Rejected">Rejected before reaching the loop (ACL, retained, size, rate, schema, expiry, limits, busy).</param>
/// <param name="Applied">Applied by the loop (or, for ack, by the alarm tracker).</param>
/// <param name="Failed">Refused by the loop or the alarm tracker.</param>
public readonly record struct CommandCounters(long Received, long Rejected, long Applied, long Failed);
