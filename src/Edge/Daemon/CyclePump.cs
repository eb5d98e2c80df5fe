using System.Runtime.CompilerServices;
using Edge.Core.Backstop;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Mqtt.Publishing;
using Edge.Runtime.Handoff;
using Edge.Runtime.Recording;
using RuntimeRecord = Edge.Runtime.Cycle.CycleRecord;

namespace Edge.Daemon;

/// <summary>
/// The one consumer of the loop's hand-off ring (docs/DESIGN.md §3, step 5). Every period it feeds the flight recorder, keeps
/// the latest snapshot for per-device detail and the live view, and hands the publisher its per-period record.
/// It runs on the publisher's thread (as its <see cref="ICycleSource"/> and <see cref="IRackDetailSource"/>), or on its
/// own thread when MQTT is off. A rising alarm condition (E-stop, fault, lost load or battery) schedules a flight
/// recorder dump a few seconds later, so the file shows what came before and after. Allocation-free per period.
/// </summary>
internal sealed class CyclePump : ICycleSource, IRackDetailSource
{
    private const ControlFlags AlarmFlags = ControlFlags.EmergencyStop | ControlFlags.LoadMissing | ControlFlags.BatteryUnavailable;
    private static readonly long DumpDelayNs = TimeSpan.FromSeconds(5).Ticks * 100;

    // Inverters are still being acquired (lease, first poll) during the first seconds: not an incident.
    private static readonly long StartupGraceNs = TimeSpan.FromSeconds(10).Ticks * 100;
    private long _firstNs = long.MinValue;

    private readonly SpscRing<RuntimeRecord> _ring;
    private readonly FlightRecorder _recorder;
    private readonly RackSnapshot _latest;
    private readonly Func<long> _overruns;
    private bool _hasLatest;
    private bool _alarmActive;
    private long _dumpAtNs = long.MaxValue;
    private volatile string? _dumpRequest;

    public CyclePump(SpscRing<RuntimeRecord> ring, FlightRecorder recorder, IReadOnlyList<string> sensorIds, IReadOnlyList<string> inverterIds, Func<long> overruns)
    {
        _ring = ring;
        _recorder = recorder;
        SensorIds = sensorIds;
        InverterIds = inverterIds;
        _latest = new RackSnapshot(sensorIds.Count, inverterIds.Count);
        _overruns = overruns;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> SensorIds { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> InverterIds { get; }

    /// <inheritdoc />
    public IReadOnlyList<ITemperatureSensor> TemperatureSensors { get; init; } = [];

    /// <summary>The latest figures, for the live view (any thread).</summary>
    public LatestValueMailbox<LiveFigures> Live { get; } = new();

    /// <summary>
    /// The tiered oscillation backstop, stepped with every period's load and grid as the records are consumed (beside
    /// the loop, not on it: allocation-free, but a bank of resonators per band is work the loop's budget need not carry).
    /// Null: none.
    /// </summary>
    public TieredBackstop? Backstop { get; init; }

    /// <summary>
    /// True when the backstop acts (<c>Edge:BackstopActs</c>): the records carry its tier, so the publisher's alarms raise
    /// <c>oscillation</c>. False: they carry 0 (the tier is still published in state).
    /// </summary>
    public bool BackstopActs { get; init; }

    /// <summary>
    /// The grid planner's input (docs/planner.md), when it runs: every period's time, load, grid target and SoC, written
    /// without blocking (a full ring drops and counts). Null: no planner.
    /// </summary>
    public SpscRing<Edge.Planning.PlannerSample>? PlannerSamples { get; init; }

    /// <summary>
    /// The backstop's tier and bands after the last period (when <see cref="Backstop"/> is set), for the state publisher,
    /// the live view and the loop's lever coordinator (<see cref="DaemonReaders"/>); the timestamp tells a reader how old
    /// the tier is.
    /// </summary>
    public LatestValueFanOut<BackstopFigures> BackstopState { get; } = new(3);

    /// <summary>
    /// Called on the consumer's thread when the backstop enters tier 4 (true) or leaves it (false), with its figures:
    /// the daemon publishes the throttle request for the workload orchestrator. Rare; the handler may allocate.
    /// </summary>
    public Action<bool, BackstopFigures>? ThrottleChanged { get; set; }

    /// <summary>The latest decision's battery setpoint, W (any thread).</summary>
    public double LastSetpointW => Volatile.Read(ref _lastSetpointW);

    /// <summary>The latest measured battery power, W (any thread).</summary>
    public double LastBatteryW => Volatile.Read(ref _lastBatteryW);

    /// <summary>The latest SoC, % (any thread).</summary>
    public double LastSocPct => Volatile.Read(ref _lastSocPct);

    /// <summary>The flight recorder this pump feeds (read it only from the consumer's thread, or once it has stopped).</summary>
    internal FlightRecorder Recorder => _recorder;

    /// <summary>Periods consumed so far.</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Raised (on the consumer's thread) with the records to dump and the reason; the handler writes the file.</summary>
    public event Action<FlightRecord[], string>? DumpReady;

    private BackstopFigures _backstop;
    private bool _throttling;
    private double _lastSetpointW;
    private double _lastBatteryW;
    private double _lastSocPct = double.NaN;
    private long _consumed;

    /// <summary>Asks for a dump at the next period (any thread).</summary>
    public void RequestDump(string reason) => _dumpRequest = reason;

    /// <inheritdoc />
    public bool TryDequeue(out CycleRecord record)
    {
        ref RuntimeRecord slot = ref _ring.TryPeek();
        if (Unsafe.IsNullRef(ref slot))
        {
            record = default;
            return false;
        }

        RackSnapshot s = slot.Snapshot;
        Decision d = slot.Decision;
        double batteryW = s.Battery.MeasuredPowerW;
        double gridW = s.HasGridMeasured ? s.GridMeasuredW : s.LoadW - batteryW;
        long latenessNs = slot.WakeNs - slot.ReleaseNs;
        double socPct = ReportedSocPct(s);
        record = new CycleRecord
        {
            Seq = slot.Sequence,
            TimestampNs = s.TimestampNs,
            UnixTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            LoadW = s.LoadW,
            GridW = gridW,
            BatteryW = batteryW,
            GridTargetW = d.GridTargetW,
            BatterySetpointW = d.BatterySetpointW,
            SocPct = socPct,
            Mode = d.Mode,
            Flags = d.Flags,
            LatenessNs = latenessNs,
            ComputeNs = slot.ComputeNs,
            Overruns = _overruns(),
            RingDrops = _ring.Dropped,
        };
        _recorder.Record(new FlightRecord
        {
            TimestampNs = s.TimestampNs,
            Sequence = slot.Sequence,
            LoadW = s.LoadW,
            GridW = gridW,
            BatteryW = batteryW,
            BatterySetpointW = d.BatterySetpointW,
            GridTargetW = d.GridTargetW,
            SocPct = s.Battery.SocPct,
            Mode = d.Mode,
            Flags = d.Flags,
            LatenessNs = latenessNs,
        });

        int sensorsUsable = 0;
        foreach (PowerReading r in s.Sensors)
        {
            sensorsUsable += r.IsUsable ? 1 : 0;
        }

        Live.Write(new LiveFigures
        {
            Sequence = slot.Sequence,
            LoadW = s.LoadW,
            GridW = gridW,
            GridTargetW = d.GridTargetW,
            BatteryW = batteryW,
            BatterySetpointW = d.BatterySetpointW,
            SocPct = socPct,
            Mode = d.Mode,
            Flags = d.Flags,
            InvertersUsable = s.Battery.UsableCount,
            InvertersTotal = s.Inverters.Length,
            SensorsUsable = sensorsUsable,
            SensorsTotal = s.Sensors.Length,
        }, s.TimestampNs);
        if (Backstop is { } backstop && double.IsFinite(s.LoadW) && double.IsFinite(gridW))
        {
            StepBackstop(backstop, s.LoadW, gridW, s.TimestampNs);
        }

        record.BackstopTier = BackstopActs ? _backstop.Tier : 0;
        PlannerSamples?.TryWrite(new Edge.Planning.PlannerSample(s.TimestampNs, s.LoadW, d.GridTargetW, s.Battery.SocPct, d.Mode));

        Volatile.Write(ref _lastSetpointW, d.BatterySetpointW);
        Volatile.Write(ref _lastBatteryW, batteryW);
        Volatile.Write(ref _lastSocPct, socPct);

        s.CopyTo(_latest);
        _hasLatest = true;
        WatchForAlarms(d, s.TimestampNs);
        _ring.Release();
        Interlocked.Increment(ref _consumed);
        return true;
    }

    /// <summary>
    /// The SoC to publish: the controller's (energy-weighted over the usable inverters), or — while no inverter is
    /// usable yet (acquiring, not enabled) or none is — the mean of the SoCs the inverters did report, so the state
    /// shows the battery's charge from the first poll on. NaN only when no inverter has answered.
    /// </summary>
    private void StepBackstop(TieredBackstop backstop, double loadW, double gridW, long nowNs)
    {
        var f = new BackstopFigures { Tier = backstop.Step(loadW, gridW), Transitions = backstop.Transitions };
        OscillationMonitor m = backstop.Monitor;
        f.Bands = Math.Min(BackstopFigures.MaxBands, m.GridAmplitudeW.Length);
        for (int i = 0; i < f.Bands; i++)
        {
            f.GridW[i] = m.GridAmplitudeW[i];
            f.LoadW[i] = m.LoadAmplitudeW[i];
            f.GridHz[i] = m.GridDominantHz[i];
            f.LoadHz[i] = m.LoadDominantHz[i];
        }

        BackstopState.Write(f, nowNs);
        _backstop = f;
        bool throttling = f.Tier >= (int)BackstopAction.RequestThrottling;
        if (throttling != _throttling)
        {
            _throttling = throttling;
            ThrottleChanged?.Invoke(throttling, f);
        }
    }

    /// <summary>
    /// The backstop's last figures in words, for the <c>oscillation</c> alarm's detail (consumer's thread; allocates,
    /// asked once per raise): the grid band with the strongest slope equivalent, its amplitude and dominant frequency.
    /// </summary>
    public string? OscillationDetail()
    {
        if (Backstop is not { } backstop || _backstop.Bands == 0)
        {
            return null;
        }

        int best = 0;
        for (int i = 1; i < _backstop.Bands; i++)
        {
            if (_backstop.GridW[i] * _backstop.GridHz[i] > _backstop.GridW[best] * _backstop.GridHz[best])
            {
                best = i;
            }
        }

        BandSpec band = backstop.Policy.Bands[best];
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"tier {_backstop.Tier}: grid band {band.LowHz:0.###}–{band.HighHz:0.###} Hz, amplitude {_backstop.GridW[best]:0} W at {_backstop.GridHz[best]:0.00} Hz");
    }

    private static double ReportedSocPct(RackSnapshot s)
    {
        if (double.IsFinite(s.Battery.SocPct))
        {
            return s.Battery.SocPct;
        }

        double sum = 0;
        int n = 0;
        foreach (InverterState i in s.Inverters)
        {
            if (double.IsFinite(i.SocPct) && i.Health != InverterHealth.Missing)
            {
                sum += i.SocPct;
                n++;
            }
        }

        return n > 0 ? sum / n : double.NaN;
    }

    /// <inheritdoc />
    public bool TryCopyLatest(RackSnapshot destination)
    {
        if (!_hasLatest)
        {
            return false;
        }

        _latest.CopyTo(destination);
        return true;
    }

    /// <summary>Drains the ring without a publisher (MQTT disabled). Returns the number of periods consumed.</summary>
    public int Drain()
    {
        int n = 0;
        while (TryDequeue(out _))
        {
            n++;
        }

        return n;
    }

    private void WatchForAlarms(in Decision d, long nowNs)
    {
        if (_firstNs == long.MinValue)
        {
            _firstNs = nowNs;
        }

        bool alarm = ((d.Flags & AlarmFlags) != 0 || d.Mode == ControlMode.Fault) && nowNs - _firstNs > StartupGraceNs;
        if (alarm && !_alarmActive && _dumpAtNs == long.MaxValue)
        {
            _dumpAtNs = nowNs + DumpDelayNs;
        }

        _alarmActive = alarm;
        string? requested = _dumpRequest;
        if (requested is not null)
        {
            _dumpRequest = null;
            DumpReady?.Invoke(_recorder.Snapshot(), requested);
        }
        else if (nowNs >= _dumpAtNs)
        {
            _dumpAtNs = long.MaxValue;
            DumpReady?.Invoke(_recorder.Snapshot(), $"alarm: {d.Mode.ToString().ToLowerInvariant()} {d.Flags}");
        }
    }
}
