namespace Edge.Mqtt.Publishing;

/// <summary>
/// When one alarm may change state (issue 11, "alarms without noise"), all times in loop nanoseconds.
/// <list type="bullet">
/// <item><see cref="GraceNs"/>: a start-up grace — a condition present while devices connect after a start is not
/// raised unless it still holds when the grace ends (availability alarms only).</item>
/// <item><see cref="ClearDelayNs"/>: the condition must be absent this long before the alarm clears.</item>
/// <item><see cref="MinActiveNs"/>: minimum dwell — a raised alarm stays raised at least this long.</item>
/// <item><see cref="Latching"/>: the alarm clears only once acknowledged (E-stop).</item>
/// <item><see cref="RaiseDelayNs"/>: an on-delay — the condition must have held this long without a break before the
/// alarm is raised (one device's transient: a single Modbus timeout and reconnect, one sensor read retried).</item>
/// </list>
/// </summary>
internal readonly record struct AlarmPolicy(long GraceNs, long ClearDelayNs, long MinActiveNs, bool Latching, long RaiseDelayNs = 0);
