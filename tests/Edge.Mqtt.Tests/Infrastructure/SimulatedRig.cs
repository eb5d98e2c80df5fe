using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Mqtt.Commands;
using Edge.Mqtt.Publishing;
using Edge.Simulation.Profiles;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>A square-wave load (a stand-in until the AI-training profile lands): base, plus a step every half period.</summary>
internal sealed class SquareWaveProfile(double baseW, double stepW, double periodS) : ILoadProfile
{
    public string Description => $"square wave {baseW} W + {stepW} W every {periodS / 2} s";

    public double PeakW => baseW + stepW;

    public double DurationS => periodS;

    public double PowerAt(double timeS) => baseW + ((timeS % periodS) < periodS / 2 ? 0 : stepW);
}

/// <summary>
/// A simulated control loop on virtual time: square-wave load → SmoothingController → BatteryModel, commands applied
/// from the mailbox between cycles, one <see cref="CycleRecord"/> per period into the hand-off ring, plus a detail
/// snapshot (two rack sensors, one inverter) as the runtime's latest-value mailbox would hold it.
/// </summary>
internal sealed class SimulatedRig : IRackDetailSource
{
    private readonly BatteryModel _battery;
    private readonly ILoadProfile _profile;
    private readonly RackSnapshot _latest = new(2, 1);
    private readonly object _snapshotGate = new();

    public SimulatedRig(double periodMs = 1, ControllerOptions? options = null, long startUnixMs = 1_767_225_600_000)
    {
        PeriodNs = (long)(periodMs * 1e6);
        Options = options ?? new ControllerOptions
        {
            PeriodMs = periodMs,
            RampUpWPerS = 500,
            RampDownWPerS = 500,
            EnergyWh = 500,
            MaxChargeW = 20_000,
            MaxDischargeW = 20_000,
            GridCapW = 100_000,
            GridFloorW = 0,
        };
        Controller = new SmoothingController(Options);
        _battery = new BatteryModel(new BatteryModelOptions { EnergyWh = Options.EnergyWh, MaxChargeW = 20_000, MaxDischargeW = 20_000, InitialSocPct = 50 }, periodMs * 1e-3);
        _profile = new SquareWaveProfile(40_000, 10_000, 4);
        StartUnixMs = startUnixMs;
    }

    public ControllerOptions Options { get; }

    public SmoothingController Controller { get; }

    public CommandMailbox Mailbox { get; } = new();

    public TestRing Ring { get; } = new(1 << 16);

    public long PeriodNs { get; }

    public long StartUnixMs { get; }

    public long Seq { get; private set; }

    public long NowNs { get; private set; }

    public ControlFlags ExtraFlags { get; set; }

    public SensorHealth Sensor1Health { get; set; } = SensorHealth.Ok;

    public InverterHealth Inverter1Health { get; set; } = InverterHealth.Ok;

    public IReadOnlyList<string> SensorIds { get; } = ["rack1", "rack2"];

    public IReadOnlyList<string> InverterIds { get; } = ["inv1"];

    /// <summary>Cabinet thermometers whose alarms the publisher derives (none unless a test sets them).</summary>
    public IReadOnlyList<ITemperatureSensor> TemperatureSensors { get; init; } = [];

    /// <summary>One control period; returns the record handed off.</summary>
    public CycleRecord Step()
    {
        Mailbox.ApplyPending(Controller);
        double tS = NowNs * 1e-9;
        double loadW = _profile.PowerAt(tS);
        var input = new TickInput
        {
            NowNs = NowNs,
            LoadW = loadW,
            BatteryMeasuredW = _battery.PowerW,
            SocPct = _battery.SocPct,
            AllowedChargeW = _battery.AllowedChargeW,
            AllowedDischargeW = _battery.AllowedDischargeW,
        };
        Decision d = Controller.Decide(input);
        double batteryW = _battery.Step(d.BatterySetpointW, PeriodNs * 1e-9);
        var record = new CycleRecord
        {
            Seq = Seq,
            TimestampNs = NowNs,
            UnixTimeMs = StartUnixMs + (NowNs / 1_000_000),
            LoadW = loadW,
            GridW = loadW - batteryW,
            BatteryW = batteryW,
            GridTargetW = d.GridTargetW,
            BatterySetpointW = d.BatterySetpointW,
            SocPct = _battery.SocPct,
            Mode = d.Mode,
            Flags = d.Flags | ExtraFlags,
            LatenessNs = 20_000 + (Seq % 7) * 1000,
            ComputeNs = 5_000,
            Overruns = 0,
            RingDrops = Ring.Dropped,
        };
        Ring.TryEnqueue(record);
        lock (_snapshotGate)
        {
            _latest.Sequence = Seq;
            _latest.TimestampNs = NowNs;
            _latest.Sensors[0] = new PowerReading(NowNs, loadW * 0.6, 400, loadW * 0.6 / 400, (uint)Seq, Sensor1Health);
            _latest.Sensors[1] = new PowerReading(NowNs, loadW * 0.4, 400, loadW * 0.4 / 400, (uint)Seq, SensorHealth.Ok);
            _latest.Inverters[0] = new InverterState(NowNs, batteryW, _battery.SocPct, 20_000, 20_000, 500, d.BatterySetpointW, Inverter1Health);
        }

        Seq++;
        NowNs += PeriodNs;
        return record;
    }

    public void Run(int periods)
    {
        for (int i = 0; i < periods; i++)
        {
            Step();
        }
    }

    public bool TryCopyLatest(RackSnapshot destination)
    {
        lock (_snapshotGate)
        {
            if (Seq == 0)
            {
                return false;
            }

            _latest.CopyTo(destination);
            return true;
        }
    }
}
