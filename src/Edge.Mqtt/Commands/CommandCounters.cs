namespace Edge.Mqtt.Commands;

/// <summary>Command counters since start. Every message under <c>…/cmd/</c> ends in exactly one of Rejected, Dropped,
/// Ignored, Applied or Failed (or is still in flight).</summary>
/// <param name="Received">Messages under the command topic.</param>
/// <param name="Rejected">Rejected before reaching the loop (retained, size, rate, schema, expiry, id reuse, clock,
/// limits, busy), answered or (beyond the reject reply rate) counted in <paramref name="Suppressed"/>.</param>
/// <param name="Applied">Applied by the loop (or, for ack, by the alarm tracker).</param>
/// <param name="Failed">Refused by the loop or the alarm tracker.</param>
/// <param name="Suppressed">Rejections not answered (the operator's reject reply rate was exhausted): summarised.</param>
/// <param name="Dropped">Messages on topics that name no valid operator, or from operators beyond the table: summarised.</param>
/// <param name="Ignored">Empty payloads (a retained command being cleared): no reply.</param>
public readonly record struct CommandCounters(long Received, long Rejected, long Applied, long Failed, long Suppressed = 0, long Dropped = 0, long Ignored = 0);
