using System.Runtime.CompilerServices;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Runtime.Handoff;
using Edge.Runtime.Scheduling;

namespace Edge.Runtime.Cycle;

/// <summary>
/// The control period of docs/DESIGN.md §3, wired to real capability interfaces, for the daemon and the loop bench:
/// <list type="number">
/// <item><b>Sample</b> — every rack sensor, the optional site meter, every inverter's state and the optional E-stop
/// into one preallocated <see cref="RackSnapshot"/>; the rack sum is the load. A sensor without a usable reading
/// contributes its last good value (load flagged degraded); with no usable rack sensor at all the load is missing
/// (the controller then ramps the battery out). An unreadable E-stop line counts as asserted (fail safe).</item>
/// <item><b>Decide</b> — <see cref="SmoothingController.Decide"/>.</item>
/// <item><b>Allocate</b> — <see cref="BatteryAllocator.Allocate(double, double, ReadOnlySpan{InverterState}, double, double, Span{double})"/> across the inverters.</item>
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
    /// <summary>An inverter that cannot be commanded but answered within this age still counts with the power it
    /// delivers (<see cref="InverterAggregate.UncontrolledPowerW"/>), ns.</summary>
    public const long AnsweredMaxAgeNs = 2_000_000_000;

    private readonly IRackSampler _rack;
    private readonly IBatteryInverter[] _inverters;
    private readonly IPowerSensor? _gridMeter;
    private readonly IDigitalInput? _emergencyStop;
    private readonly IDigitalOutput? _inverterEnable;
    private readonly IControllerCommandSource? _commands;
    private readonly SmoothingController _controller;
    private readonly RackSnapshot _snapshot;
    private readonly double[] _setpointsW;
    private bool _enableClosed;
    private readonly double _socMinPct;
    private readonly double _socMaxPct;
    private TickInput _input;
    private Decision _decision;
    private long _planSequence;

    /// <summary>Wires the cycle to a plain list of rack sensors (their sum is the load).</summary>
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
        : this(new SummingRackSampler(rackSensors), inverters, controller, gridMeter, emergencyStop, null, null, handOffCapacity)
    {
    }

    /// <summary>Wires the cycle.</summary>
    /// <param name="rack">Fills the snapshot's sensor readings and load (sensors are sampled elsewhere).</param>
    /// <param name="inverters">Battery inverters, in configuration order.</param>
    /// <param name="controller">The controller (owned by the loop thread from now on).</param>
    /// <param name="gridMeter">Optional site meter (closes the loop on unmeasured loads).</param>
    /// <param name="emergencyStop">Optional E-stop input (an unreadable line counts as asserted).</param>
    /// <param name="inverterEnable">Optional inverter-enable relay: closed once the loop runs, opened on E-stop.</param>
    /// <param name="commands">Optional commands applied to the controller between cycles.</param>
    /// <param name="handOffCapacity">Slots in the hand-off ring.</param>
    public ControlCycle(
        IRackSampler rack,
        IReadOnlyList<IBatteryInverter> inverters,
        SmoothingController controller,
        IPowerSensor? gridMeter,
        IDigitalInput? emergencyStop,
        IDigitalOutput? inverterEnable,
        IControllerCommandSource? commands,
        int handOffCapacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(rack);
        ArgumentNullException.ThrowIfNull(inverters);
        ArgumentNullException.ThrowIfNull(controller);
        _rack = rack;
        _inverters = [.. inverters];
        _controller = controller;
        _gridMeter = gridMeter;
        _emergencyStop = emergencyStop;
        _inverterEnable = inverterEnable;
        _commands = commands;
        _snapshot = new RackSnapshot(rack.SensorCount, _inverters.Length);
        _setpointsW = new double[_inverters.Length];
        _socMinPct = controller.Options.SocMinPct;
        _socMaxPct = controller.Options.SocMaxPct;
        int sensorCount = rack.SensorCount, inverterCount = _inverters.Length;
        HandOffRing = new SpscRing<CycleRecord>(handOffCapacity, () => new CycleRecord(sensorCount, inverterCount));
    }

    /// <summary>The hand-off ring; its one consumer (the publisher) drains it with TryPeek/Release.</summary>
    public SpscRing<CycleRecord> HandOffRing { get; }

    /// <summary>The controller.</summary>
    public SmoothingController Controller => _controller;

    /// <summary>
    /// Optional: the planner's latest-value mailbox (docs/planner.md). Read in the Decide phase of every period (a
    /// wait-free copy, no allocation); the controller tracks the plan while it applies and falls back bumplessly when
    /// it lapses. Set before the loop starts.
    /// </summary>
    public LatestValueMailbox<GridPlan>? Plans { get; init; }

    /// <summary>
    /// Optional: the flexible loads counted on. The change of those the rack sensors do not measure (on feeders of their
    /// own) is added to the controller's load every period (not to the snapshot's, which stays what the sensors
    /// measured), and what they draw is the controller's <see cref="TickInput.CurtailableW"/>.
    /// Set before the loop starts.
    /// </summary>
    public IFlexibleLoads? FlexibleLoads { get; set; }

    /// <summary>The current period's snapshot (loop thread only).</summary>
    public RackSnapshot Snapshot => _snapshot;

    /// <summary>The current period's controller input (loop thread only; valid from the decide phase on).</summary>
    public ref readonly TickInput Input => ref _input;

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

        InputHealth health = _rack.FillSnapshot(s, cycle.WakeNs);
        double loadW = s.LoadW;
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

        InverterAggregate battery = InverterAggregate.Of(states, s.TimestampNs, AnsweredMaxAgeNs);
        s.Battery = battery;
        if (battery.UsableCount == 0)
        {
            health |= InputHealth.BatteryUnavailable;
        }

        if (_emergencyStop is not null && (!_emergencyStop.TryRead(out bool asserted) || asserted))
        {
            health |= InputHealth.EmergencyStop;
        }

        double curtailableW = 0;
        if (FlexibleLoads is { } flexible)
        {
            // NaN (no usable rack sensor) stays NaN: the load is missing either way.
            loadW += flexible.UnmeteredDeltaW;
            curtailableW = flexible.CurtailableW;
        }

        _input.NowNs = s.TimestampNs;
        _input.LoadW = loadW;
        _input.CurtailableW = curtailableW;
        _input.HasGridMeasured = s.HasGridMeasured;
        _input.GridMeasuredW = s.GridMeasuredW;
        _input.BatteryMeasuredW = battery.MeasuredPowerW;
        _input.SocPct = battery.SocPct;
        _input.AllowedChargeW = battery.AllowedChargeW;
        _input.AllowedDischargeW = battery.AllowedDischargeW;
        _input.Health = health;
    }

    /// <inheritdoc />
    public void Decide(in CycleInfo cycle)
    {
        // A fault cause that is still there (E-stop pressed, deadline fault raised) keeps the controller in fault and
        // makes an operator's attempt to clear it fail; commands are applied between cycles, here.
        bool emergencyStop = (_input.Health & InputHealth.EmergencyStop) != 0;
        bool cause = emergencyStop || DeadlineFaultActive;
        _controller.FaultCauseActive = cause;
        if (cause)
        {
            _controller.EnterFault();
        }

        _commands?.ApplyPending(_controller);
        if (Plans is not null && Plans.TryReadNewer(ref _planSequence, out GridPlan plan, out _))
        {
            _controller.SetPlan(plan);
        }

        _decision = _controller.Decide(in _input);
    }

    /// <inheritdoc />
    public void Allocate(in CycleInfo cycle) =>
        BatteryAllocator.Allocate(_decision.BatterySetpointW, _snapshot.Battery.UncontrolledPowerW, _snapshot.Inverters, _socMinPct, _socMaxPct, _setpointsW);

    /// <inheritdoc />
    public void Actuate(in CycleInfo cycle)
    {
        // The enable relay (in series with the hard-wired E-stop chain) opens in the period the E-stop is seen, and
        // closes again only once the loop runs and an operator has cleared the fault.
        if (_inverterEnable is not null)
        {
            bool emergencyStop = (_decision.Flags & ControlFlags.EmergencyStop) != 0;
            if (emergencyStop && (_enableClosed || _inverterEnable.Level))
            {
                _enableClosed = !_inverterEnable.TryWrite(false);
            }
            else if (!emergencyStop && !_enableClosed && _controller.Mode != ControlMode.Fault)
            {
                _enableClosed = _inverterEnable.TryWrite(true);
            }
        }

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
