using System.Runtime.CompilerServices;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Runtime.Handoff;
using Edge.Runtime.Scheduling;

namespace Edge.Runtime.Cycle;

/// <summary>
/// The control period of DESIGN §3, wired to real capability interfaces, for the daemon and the loop bench:
/// <list type="number">
/// <item><b>Sample</b> — every rack sensor, the optional site meter, every inverter's state and the optional E-stop
/// into one preallocated <see cref="RackSnapshot"/>; the rack sum is the load. A sensor without a usable reading
/// contributes its last good value (load flagged degraded); with no usable rack sensor at all the load is missing
/// (the controller then ramps the battery out). An unreadable E-stop line counts as asserted (fail safe).</item>
/// <item><b>Decide</b> — <see cref="SmoothingController.Decide"/>.</item>
/// <item><b>Allocate</b> — <see cref="BatteryAllocator.Allocate"/> across the inverters.</item>
/// <item><b>Actuate</b> — <see cref="IBatteryInverter.PostSetpoint"/> on each (a mailbox post; the inverter's own
/// worker writes it), stamped with the snapshot time.</item>
/// <item><b>Hand off</b> — copies snapshot, decision and setpoints into a preallocated slot of <see cref="HandOffRing"/>;
/// when the consumer lags the record is dropped and counted, the loop never waits.</item>
/// </list>
/// On a deadline fault from the executive the controller enters its fault mode (the battery ramps out within the
/// ramp limit); leaving it is an operator's decision (<see cref="SmoothingController.ClearFault"/>).
/// Loop thread only; allocation-free after construction.
/// </summary>
public sealed class ControlCycle : IControlCycle
{
    private readonly IPowerSensor[] _sensors;
    private readonly IBatteryInverter[] _inverters;
    private readonly IPowerSensor? _gridMeter;
    private readonly IDigitalInput? _emergencyStop;
    private readonly SmoothingController _controller;
    private readonly RackSnapshot _snapshot;
    private readonly double[] _lastGoodW;
    private readonly bool[] _hasGood;
    private readonly double[] _setpointsW;
    private readonly double _socMinPct;
    private readonly double _socMaxPct;
    private TickInput _input;
    private Decision _decision;

    /// <summary>Wires the cycle.</summary>
    /// <param name="rackSensors">Rack power sensors; their sum is the load.</param>
    /// <param name="inverters">Battery inverters, in configuration order.</param>
    /// <param name="controller">The controller (owned by the loop thread from now on).</param>
    /// <param name="gridMeter">Optional site meter (closes the loop on unmeasured loads).</param>
    /// <param name="emergencyStop">Optional E-stop input.</param>
    /// <param name="handOffCapacity">Slots in the hand-off ring.</param>
    public ControlCycle(
        IReadOnlyList<IPowerSensor> rackSensors,
        IReadOnlyList<IBatteryInverter> inverters,
        SmoothingController controller,
        IPowerSensor? gridMeter = null,
        IDigitalInput? emergencyStop = null,
        int handOffCapacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(rackSensors);
        ArgumentNullException.ThrowIfNull(inverters);
        ArgumentNullException.ThrowIfNull(controller);
        if (rackSensors.Count == 0)
        {
            throw new ArgumentException("At least one rack sensor is required.", nameof(rackSensors));
        }

        _sensors = [.. rackSensors];
        _inverters = [.. inverters];
        _controller = controller;
        _gridMeter = gridMeter;
        _emergencyStop = emergencyStop;
        _snapshot = new RackSnapshot(_sensors.Length, _inverters.Length);
        _lastGoodW = new double[_sensors.Length];
        _hasGood = new bool[_sensors.Length];
        _setpointsW = new double[_inverters.Length];
        _socMinPct = controller.Options.SocMinPct;
        _socMaxPct = controller.Options.SocMaxPct;
        int sensorCount = _sensors.Length, inverterCount = _inverters.Length;
        HandOffRing = new SpscRing<CycleRecord>(handOffCapacity, () => new CycleRecord(sensorCount, inverterCount));
    }

    /// <summary>The hand-off ring; its one consumer (the publisher) drains it with TryPeek/Release.</summary>
    public SpscRing<CycleRecord> HandOffRing { get; }

    /// <summary>The controller.</summary>
    public SmoothingController Controller => _controller;

    /// <summary>The current period's snapshot (loop thread only).</summary>
    public RackSnapshot Snapshot => _snapshot;

    /// <summary>The last decision (loop thread only).</summary>
    public Decision LastDecision => _decision;

    /// <summary>True while the executive's deadline fault is raised.</summary>
    public bool DeadlineFaultActive { get; private set; }

    /// <summary>Deadline faults seen.</summary>
    public long DeadlineFaults { get; private set; }

    /// <inheritdoc />
    public void Sample(in CycleInfo cycle)
    {
        RackSnapshot s = _snapshot;
        s.Sequence = cycle.Sequence;
        s.TimestampNs = cycle.WakeNs;

        double loadW = 0;
        int usable = 0;
        bool degraded = false;
        PowerReading[] readings = s.Sensors;
        for (int i = 0; i < _sensors.Length; i++)
        {
            if (!_sensors[i].TryRead(out readings[i]))
            {
                readings[i] = PowerReading.Missing;
            }

            if (readings[i].IsUsable)
            {
                loadW += readings[i].PowerW;
                _lastGoodW[i] = readings[i].PowerW;
                _hasGood[i] = true;
                usable++;
            }
            else
            {
                degraded = true;
                loadW += _hasGood[i] ? _lastGoodW[i] : 0;
            }
        }

        InputHealth health = InputHealth.None;
        if (usable == 0)
        {
            health |= InputHealth.LoadMissing;
        }
        else if (degraded)
        {
            health |= InputHealth.LoadDegraded;
        }

        s.LoadW = loadW;
        s.LoadDegraded = degraded;
        s.HasGridMeasured = false;
        s.GridMeasuredW = double.NaN;
        if (_gridMeter is not null)
        {
            if (_gridMeter.TryRead(out PowerReading grid) && grid.IsUsable)
            {
                s.HasGridMeasured = true;
                s.GridMeasuredW = grid.PowerW;
            }
            else
            {
                health |= InputHealth.GridMeterStale;
            }
        }

        InverterState[] states = s.Inverters;
        for (int i = 0; i < _inverters.Length; i++)
        {
            if (!_inverters[i].TryReadState(out states[i]))
            {
                states[i] = InverterState.Missing;
            }
        }

        InverterAggregate battery = InverterAggregate.Of(states);
        s.Battery = battery;
        if (battery.UsableCount == 0)
        {
            health |= InputHealth.BatteryUnavailable;
        }

        if (_emergencyStop is not null && (!_emergencyStop.TryRead(out bool asserted) || asserted))
        {
            health |= InputHealth.EmergencyStop;
        }

        _input.NowNs = s.TimestampNs;
        _input.LoadW = loadW;
        _input.HasGridMeasured = s.HasGridMeasured;
        _input.GridMeasuredW = s.GridMeasuredW;
        _input.BatteryMeasuredW = battery.MeasuredPowerW;
        _input.SocPct = battery.SocPct;
        _input.AllowedChargeW = battery.AllowedChargeW;
        _input.AllowedDischargeW = battery.AllowedDischargeW;
        _input.Health = health;
    }

    /// <inheritdoc />
    public void Decide(in CycleInfo cycle) => _decision = _controller.Decide(in _input);

    /// <inheritdoc />
    public void Allocate(in CycleInfo cycle) =>
        BatteryAllocator.Allocate(_decision.BatterySetpointW, _snapshot.Inverters, _socMinPct, _socMaxPct, _setpointsW);

    /// <inheritdoc />
    public void Actuate(in CycleInfo cycle)
    {
        long stampNs = _snapshot.TimestampNs;
        for (int i = 0; i < _inverters.Length; i++)
        {
            _inverters[i].PostSetpoint(_setpointsW[i], stampNs);
        }
    }

    /// <inheritdoc />
    public void HandOff(in CycleInfo cycle)
    {
        ref CycleRecord slot = ref HandOffRing.TryClaim();
        if (Unsafe.IsNullRef(ref slot))
        {
            return; // full: dropped and counted by the ring
        }

        slot.CopyFrom(in cycle, _snapshot, in _decision, _setpointsW, DeadlineFaultActive);
        HandOffRing.Publish();
    }

    /// <inheritdoc />
    public void OnDeadlineFault(bool active, in CycleInfo cycle)
    {
        DeadlineFaultActive = active;
        if (active)
        {
            DeadlineFaults++;
            _controller.EnterFault();
        }
    }
}
