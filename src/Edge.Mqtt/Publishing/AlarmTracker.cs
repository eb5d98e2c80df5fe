using Edge.Core.Control;
using Edge.Core.Devices;

namespace Edge.Mqtt.Publishing;

/// <summary>
/// Derives alarms from what the loop hands over: controller flags and mode every period, sensor and inverter health at
/// the detail rate. Without noise (issue 11): an alarm is raised on the first period its condition holds — except that
/// availability alarms (battery, inverters, sensors, load, site meter) wait out a start-up grace (devices connect after
/// every start) and are raised only if the condition still holds when it ends; <c>loop_overrun</c> has hysteresis
/// (raised at <see cref="EdgePublisherOptions.OverrunAlarmCount"/> overruns within a window, held while any overrun
/// falls in the window); a raised alarm stays raised for a minimum dwell and clears once the condition has been absent
/// for the clear delay; the E-stop alarm latches until acknowledged. All times are the records' loop timestamps, so the
/// behaviour is tested on virtual time. Raise, clear and ack events queue here until the publisher sends them at QoS 1;
/// the queue is never trimmed (alarms are never dropped). Used from the publisher thread only; allocation-free after
/// construction.
/// </summary>
public sealed class AlarmTracker
{
    /// <summary>Index of the first per-sensor alarm.</summary>
    private const int FixedCount = 9;
    private const int OscillationIndex = 8;

    private readonly AlarmState[] _alarms;
    private readonly int _sensorCount;
    private readonly int _inverterCount;
    private readonly ITemperatureSensor[] _thermometers;
    private readonly Queue<AlarmEvent> _events = new(64);
    private readonly long[] _overrunTimesNs;
    private readonly long _overrunWindowNs;
    private int _overrunNext;
    private long _lastOverrunNs = long.MinValue;
    private long _lastOverruns = -1;
    private long _lastRingDrops = -1;
    private long _startNs = long.MinValue;

    /// <summary>
    /// Creates the alarm set for the given devices with immediate alarms: no start-up grace, no minimum dwell, every
    /// overrun raises <c>loop_overrun</c>; each clears after <paramref name="clearDelayS"/>.
    /// </summary>
    public AlarmTracker(IReadOnlyList<string> sensorIds, IReadOnlyList<string> inverterIds, double clearDelayS)
        : this(sensorIds, inverterIds, new EdgePublisherOptions
        {
            AlarmClearDelayS = clearDelayS,
            AlarmStartupGraceS = 0,
            AlarmMinActiveS = 0,
            DeviceAlarmDelayS = 0,
            OverrunAlarmCount = 1,
            OverrunAlarmWindowS = 0,
        })
    {
    }

    /// <summary>
    /// Creates the alarm set for the given devices, timed by <paramref name="options"/>. Each cabinet temperature sensor
    /// adds <c>cabinet_temperature_high</c> (critical), <c>cabinet_temperature_low</c> (warning) — their hysteresis is
    /// the sensor's alarm band — and <c>sensor_unhealthy</c> with the sensor as source.
    /// </summary>
    public AlarmTracker(IReadOnlyList<string> sensorIds, IReadOnlyList<string> inverterIds, EdgePublisherOptions options,
        IReadOnlyList<ITemperatureSensor>? temperatureSensors = null)
    {
        _sensorCount = sensorIds.Count;
        _inverterCount = inverterIds.Count;
        _thermometers = [.. temperatureSensors ?? []];
        long clearNs = (long)(options.AlarmClearDelayS * 1e9);
        long minActiveNs = (long)(options.AlarmMinActiveS * 1e9);
        long graceNs = (long)(options.AlarmStartupGraceS * 1e9);
        _overrunTimesNs = new long[Math.Max(1, options.OverrunAlarmCount)];
        Array.Fill(_overrunTimesNs, long.MinValue);
        _overrunWindowNs = (long)(options.OverrunAlarmWindowS * 1e9);
        var plain = new AlarmPolicy(0, clearNs, minActiveNs, Latching: false);
        var availability = plain with { GraceNs = graceNs };
        var device = availability with { RaiseDelayNs = (long)(options.DeviceAlarmDelayS * 1e9) };
        var list = new List<AlarmState>
        {
            new("emergency_stop", null, AlarmSeverity.Critical),
            new("battery_unavailable", null, AlarmSeverity.Critical),
            new("load_missing", null, AlarmSeverity.Critical),
            new("load_degraded", null, AlarmSeverity.Warning),
            new("grid_meter_stale", null, AlarmSeverity.Warning),
            new("fault_mode", null, AlarmSeverity.Critical),
            new("loop_overrun", null, AlarmSeverity.Warning),
            new("handoff_drops", null, AlarmSeverity.Warning),
            new("oscillation", null, AlarmSeverity.Warning),
        };
        foreach (string id in sensorIds)
        {
            list.Add(new AlarmState("sensor_unhealthy", id, AlarmSeverity.Warning));
        }

        foreach (string id in inverterIds)
        {
            list.Add(new AlarmState("inverter_unhealthy", id, AlarmSeverity.Critical));
        }

        foreach (ITemperatureSensor t in _thermometers)
        {
            list.Add(new AlarmState("cabinet_temperature_high", t.Id, AlarmSeverity.Critical));
            list.Add(new AlarmState("cabinet_temperature_low", t.Id, AlarmSeverity.Warning));
            list.Add(new AlarmState("sensor_unhealthy", t.Id, AlarmSeverity.Warning));
        }

        _alarms = [.. list];
        foreach (AlarmState a in _alarms)
        {
            a.Policy = a.Id switch
            {
                "emergency_stop" => plain with { Latching = true },
                "fault_mode" or "loop_overrun" or "handoff_drops" or "oscillation" or "cabinet_temperature_high" or "cabinet_temperature_low" => plain,
                "sensor_unhealthy" or "inverter_unhealthy" => device,
                _ => availability,
            };
        }
    }

    /// <summary>
    /// The reason a device gives for being unhealthy (device id → text, or null), asked once when its alarm is raised so
    /// the alarm names the cause — e.g. the implausible SunSpec point of a misconfigured inverter. Null: no details.
    /// </summary>
    public Func<string, string?>? DeviceReason { get; set; }

    /// <summary>
    /// The detail of a site-wide alarm (alarm id → text, or null), asked once when it is raised — e.g. the band, amplitude
    /// and dominant frequency of an <c>oscillation</c>. Null: no details.
    /// </summary>
    public Func<string, string?>? AlarmReason { get; set; }

    /// <summary>Every alarm this tracker knows.</summary>
    public IReadOnlyList<AlarmState> Alarms => _alarms;

    /// <summary>Events not yet taken.</summary>
    public int PendingEvents => _events.Count;

    /// <summary>Updates the loop-level alarms from one period's record.</summary>
    public void Observe(in CycleRecord r, long unixMs)
    {
        ControlFlags f = r.Flags;
        if (_startNs == long.MinValue)
        {
            _startNs = r.TimestampNs;
        }

        Update(0, (f & ControlFlags.EmergencyStop) != 0, r.TimestampNs, unixMs);
        Update(1, (f & ControlFlags.BatteryUnavailable) != 0, r.TimestampNs, unixMs);
        Update(2, (f & ControlFlags.LoadMissing) != 0, r.TimestampNs, unixMs);
        Update(3, (f & ControlFlags.LoadDegraded) != 0, r.TimestampNs, unixMs);
        Update(4, (f & ControlFlags.GridMeterStale) != 0, r.TimestampNs, unixMs);
        Update(5, r.Mode == ControlMode.Fault, r.TimestampNs, unixMs);
        bool overrunNow = _lastOverruns >= 0 && r.Overruns > _lastOverruns;
        if (overrunNow)
        {
            // Only the newest Count overruns matter; a burst larger than that fills the whole ring.
            long n = Math.Min(r.Overruns - _lastOverruns, _overrunTimesNs.Length);
            for (long i = 0; i < n; i++)
            {
                _overrunTimesNs[_overrunNext] = r.TimestampNs;
                _overrunNext = (_overrunNext + 1) % _overrunTimesNs.Length;
            }

            _lastOverrunNs = r.TimestampNs;
        }

        // Hysteresis: raised at Count overruns within the window (the oldest of the newest Count is in it), held while
        // any overrun is within the window.
        long oldestNs = _overrunTimesNs[_overrunNext];
        bool raise = oldestNs != long.MinValue && r.TimestampNs - oldestNs <= _overrunWindowNs && overrunNow;
        bool hold = overrunNow || (_lastOverrunNs != long.MinValue && r.TimestampNs - _lastOverrunNs <= _overrunWindowNs);
        Update(6, _alarms[6].Active ? hold : raise, r.TimestampNs, unixMs);
        Update(7, _lastRingDrops >= 0 && r.RingDrops > _lastRingDrops, r.TimestampNs, unixMs);

        // The tiered oscillation backstop (docs/agents.md): raised while any tier is active; its own entry/exit
        // thresholds and dwell are the hysteresis.
        Update(OscillationIndex, r.BackstopTier >= 1, r.TimestampNs, unixMs);
        _lastOverruns = r.Overruns;
        _lastRingDrops = r.RingDrops;
    }

    /// <summary>Updates the per-device alarms from a detail snapshot.</summary>
    public void ObserveDetail(RackSnapshot snapshot, long nowNs, long unixMs)
    {
        if (_startNs == long.MinValue)
        {
            _startNs = nowNs;
        }

        for (int i = 0; i < _sensorCount && i < snapshot.Sensors.Length; i++)
        {
            Update(FixedCount + i, snapshot.Sensors[i].Health != SensorHealth.Ok, nowNs, unixMs);
        }

        for (int i = 0; i < _inverterCount && i < snapshot.Inverters.Length; i++)
        {
            Update(FixedCount + _sensorCount + i, snapshot.Inverters[i].Health != InverterHealth.Ok, nowNs, unixMs);
        }

        // Cabinet thermometers: their latest reading (a sequence lock, written by their bus's sampler); the band's
        // hysteresis is the sensor's, the clear delay and dwell here apply on top as for every alarm.
        int at = FixedCount + _sensorCount + _inverterCount;
        for (int i = 0; i < _thermometers.Length; i++, at += 3)
        {
            _thermometers[i].TryRead(out TemperatureReading t);
            Update(at, t.High, nowNs, unixMs);
            Update(at + 1, t.Low, nowNs, unixMs);
            Update(at + 2, t.Health != SensorHealth.Ok, nowNs, unixMs);
        }
    }

    /// <summary>
    /// Acknowledges an active alarm (<paramref name="id"/> with <paramref name="source"/> for per-device ones), or every
    /// active alarm when <paramref name="id"/> is <c>all</c> (every one of <paramref name="source"/> when given: a source
    /// no alarm has is refused). Returns null when done, else the reason.
    /// </summary>
    public string? TryAcknowledge(string id, string? source, long unixMs)
    {
        bool all = id == "all";
        bool known = all && source is null;
        int acknowledged = 0;
        foreach (AlarmState a in _alarms)
        {
            if ((!all && a.Id != id) || (source is not null && a.Source != source))
            {
                continue;
            }

            known = true;
            if (a.Active && !a.Acknowledged)
            {
                a.Acknowledged = true;
                _events.Enqueue(new AlarmEvent(a, AlarmEventKind.Ack, unixMs));
                acknowledged++;
            }
        }

        if (!known)
        {
            return all ? $"no alarm has the source '{source}'" : $"unknown alarm '{id}'" + (source is null ? "" : $" for source '{source}'");
        }

        return acknowledged > 0 || all ? null : $"alarm '{id}' is not active or already acknowledged";
    }

    /// <summary>Keys (<see cref="AlarmState.Key"/>) of the alarms that are active and acknowledged, for persistence.</summary>
    public IReadOnlyList<string> AcknowledgedKeys() => _alarms.Where(a => a.Active && a.Acknowledged).Select(a => a.Key).ToList();

    /// <summary>
    /// Restores acknowledgements saved before a restart (call before publishing starts): each listed alarm, when it is
    /// raised again because its condition persists, starts acknowledged. Unknown keys are ignored.
    /// </summary>
    public void RestoreAcknowledged(IEnumerable<string> keys)
    {
        var set = keys.ToHashSet(StringComparer.Ordinal);
        foreach (AlarmState a in _alarms)
        {
            a.AcknowledgedBeforeRestart = set.Contains(a.Key);
        }
    }

    /// <summary>Takes the oldest pending event.</summary>
    public bool TryTakeEvent(out AlarmEvent e) => _events.TryDequeue(out e);

    private void Update(int index, bool condition, long nowNs, long unixMs)
    {
        AlarmState a = _alarms[index];
        AlarmPolicy p = a.Policy;
        if (condition)
        {
            a.LastSeenNs = nowNs;
            if (a.HeldSinceNs == long.MinValue)
            {
                a.HeldSinceNs = nowNs;
            }

            // In the start-up grace nothing is raised; a condition that still holds when it ends is raised then. A
            // device alarm waits out its on-delay: a condition that breaks off before it is a transient, not an alarm.
            if (!a.Active && nowNs - _startNs >= p.GraceNs && nowNs - a.HeldSinceNs >= p.RaiseDelayNs)
            {
                a.Active = true;
                a.Acknowledged = a.AcknowledgedBeforeRestart;
                a.AcknowledgedBeforeRestart = false;
                a.RaisedUnixMs = unixMs;
                a.RaisedNs = nowNs;
                a.Detail = a.Source is { } source
                    ? (DeviceReason is { } reason ? reason(source) : null)
                    : AlarmReason is { } why ? why(a.Id) : null;
                a.Raises++;
                _events.Enqueue(new AlarmEvent(a, AlarmEventKind.Raise, unixMs));
            }
        }
        else
        {
            a.HeldSinceNs = long.MinValue;
            if (a.Active
                && nowNs - a.LastSeenNs >= p.ClearDelayNs
                && nowNs - a.RaisedNs >= p.MinActiveNs
                && (!p.Latching || a.Acknowledged))
            {
                a.Active = false;
                _events.Enqueue(new AlarmEvent(a, AlarmEventKind.Clear, unixMs));
            }
        }
    }
}
