using System.Runtime.CompilerServices;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Core.Fakes;
using Edge.Runtime.Cycle;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Tests;

public sealed class ControlCycleTests
{
    private static ControllerOptions Options() => new()
    {
        PeriodMs = 1,
        RampUpWPerS = 2_000,
        RampDownWPerS = 2_000,
        EnergyWh = 5_000,
        MaxChargeW = 20_000,
        MaxDischargeW = 20_000,
    };

    private sealed class Rig
    {
        public Rig(int handOffCapacity = 1024, bool gridMeter = false, FakeDigitalInput? estop = null)
        {
            Clock = new VirtualClock(1_000_000_000);
            Sensors = [new ClockedSensor(Clock, 20_000, 60_000, 500_000_000, "r1"), new ClockedSensor(Clock, 10_000, 10_000, 1, "r2")];
            Inverters = [new FakeBatteryInverter("i1", capacityWh: 2_500, maxPowerW: 10_000), new FakeBatteryInverter("i2", capacityWh: 2_500, maxPowerW: 10_000)];
            Meter = gridMeter ? new FakePowerSensor("site") : null;
            Controller = new SmoothingController(Options());
            Cycle = new ControlCycle(Sensors, Inverters, Controller, Meter, estop, handOffCapacity);
            Executive = new CyclicExecutive(Cycle, new LoopOptions { PeriodMs = 1, FaultAfterConsecutiveMisses = 2 }, new VirtualSleeper(Clock));
        }

        public VirtualClock Clock { get; }
        public ClockedSensor[] Sensors { get; }
        public FakeBatteryInverter[] Inverters { get; }
        public FakePowerSensor? Meter { get; }
        public SmoothingController Controller { get; }
        public ControlCycle Cycle { get; }
        public CyclicExecutive Executive { get; }
    }

    [Fact]
    public void A_period_samples_decides_allocates_actuates_and_hands_off_one_consistent_record()
    {
        var rig = new Rig();
        rig.Executive.RunCycles(600); // crosses the 20 kW → 60 kW step at 0.5 s

        ref CycleRecord last = ref Unsafe.NullRef<CycleRecord>();
        long records = 0;
        while (true)
        {
            ref CycleRecord r = ref rig.Cycle.HandOffRing.TryPeek();
            if (Unsafe.IsNullRef(ref r))
            {
                break;
            }

            records++;
            Assert.Equal(r.Snapshot.Sensors[0].PowerW + r.Snapshot.Sensors[1].PowerW, r.Snapshot.LoadW);
            Assert.Equal(r.Decision.BatterySetpointW, r.SetpointsW.Sum(), 6);
            Assert.Equal(r.WakeNs, r.Snapshot.TimestampNs);
            Assert.Equal(r.Sequence, r.Snapshot.Sequence);
            last = ref r;
            rig.Cycle.HandOffRing.Release();
        }

        Assert.Equal(600, records);
        Assert.Equal(0, rig.Cycle.HandOffRing.Dropped);
        // After the step the grid target ramps while the battery covers the rest, split over both inverters.
        Decision d = rig.Cycle.LastDecision;
        Assert.Equal(70_000, rig.Cycle.Snapshot.LoadW);
        Assert.True(d.BatterySetpointW > 15_000, $"battery should cover the step, got {d.BatterySetpointW}");
        Assert.Equal(d.BatterySetpointW / 2, rig.Inverters[0].LastSetpointW, 6);
        Assert.Equal(rig.Cycle.Snapshot.TimestampNs, rig.Inverters[1].LastPostNs);
        Assert.Equal(600, rig.Inverters[0].PostCount);
    }

    [Fact]
    public void Unusable_sensors_degrade_the_load_and_no_usable_sensor_means_load_missing()
    {
        var rig = new Rig();
        rig.Executive.RunCycles(10);
        rig.Sensors[1].Health = SensorHealth.BusError;
        rig.Executive.RunCycles(1);
        Assert.Equal(30_000, rig.Cycle.Snapshot.LoadW); // r2's last good 10 kW kept
        Assert.True(rig.Cycle.Snapshot.LoadDegraded);
        Assert.True((rig.Cycle.LastDecision.Flags & ControlFlags.LoadDegraded) != 0);

        rig.Sensors[0].Answers = false;
        rig.Executive.RunCycles(1);
        Assert.Equal(SensorHealth.Missing, rig.Cycle.Snapshot.Sensors[0].Health);
        Assert.True((rig.Cycle.LastDecision.Flags & ControlFlags.LoadMissing) != 0);
    }

    [Fact]
    public void Site_meter_feeds_the_trim_and_its_absence_is_flagged()
    {
        var rig = new Rig(gridMeter: true);
        rig.Meter!.Set(30_500);
        rig.Executive.RunCycles(5);
        Assert.True(rig.Cycle.Snapshot.HasGridMeasured);
        Assert.True((rig.Cycle.LastDecision.Flags & ControlFlags.TrimActive) != 0);

        rig.Meter.Set(double.NaN, health: SensorHealth.Stale);
        rig.Executive.RunCycles(1);
        Assert.False(rig.Cycle.Snapshot.HasGridMeasured);
        Assert.True((rig.Cycle.LastDecision.Flags & ControlFlags.GridMeterStale) != 0);
    }

    [Fact]
    public void Emergency_stop_and_missing_inverters_command_zero()
    {
        var estop = new FakeDigitalInput("estop");
        var rig = new Rig(estop: estop);
        rig.Executive.RunCycles(600);
        Assert.NotEqual(0, rig.Inverters[0].LastSetpointW);

        estop.Set(true);
        rig.Executive.RunCycles(1);
        Assert.Equal(0, rig.Inverters[0].LastSetpointW);
        Assert.Equal(0, rig.Inverters[1].LastSetpointW);
        Assert.True((rig.Cycle.LastDecision.Flags & ControlFlags.EmergencyStop) != 0);

        var rig2 = new Rig();
        foreach (FakeBatteryInverter i in rig2.Inverters)
        {
            i.State = InverterState.Missing;
        }

        rig2.Executive.RunCycles(3);
        Assert.True((rig2.Cycle.LastDecision.Flags & ControlFlags.BatteryUnavailable) != 0);
        Assert.Equal(0, rig2.Inverters[0].LastSetpointW);
    }

    [Fact]
    public void A_lagging_consumer_costs_dropped_records_never_a_blocked_loop()
    {
        var rig = new Rig(handOffCapacity: 8);
        rig.Executive.RunCycles(20);

        Assert.Equal(8, rig.Cycle.HandOffRing.Count);
        Assert.Equal(12, rig.Cycle.HandOffRing.Dropped);
        Assert.Equal(20, rig.Executive.Statistics.ReadCounters().Cycles);
    }

    [Fact]
    public void A_deadline_fault_puts_the_controller_in_fault_mode()
    {
        var rig = new Rig();
        rig.Executive.RunCycles(5);
        Assert.Equal(ControlMode.Auto, rig.Controller.Mode);

        // Make sampling slow: every cycle overruns.
        var slow = new SlowSensor(rig.Clock, 1_500_000);
        var cycle = new ControlCycle([slow], rig.Inverters, rig.Controller);
        var exec = new CyclicExecutive(cycle, new LoopOptions { PeriodMs = 1, FaultAfterConsecutiveMisses = 2 }, new VirtualSleeper(rig.Clock));
        exec.RunCycles(3);

        Assert.True(cycle.DeadlineFaultActive);
        Assert.Equal(1, cycle.DeadlineFaults);
        Assert.Equal(ControlMode.Fault, rig.Controller.Mode);
        Assert.Equal(ControlMode.Fault, cycle.LastDecision.Mode);
    }

    private sealed class SlowSensor(VirtualClock clock, long readNs) : IPowerSensor
    {
        public string Id => "slow";

        public bool TryRead(out PowerReading reading)
        {
            clock.Advance(readNs);
            reading = new PowerReading(clock.NowNs, 1_000, double.NaN, double.NaN, 1, SensorHealth.Ok);
            return true;
        }
    }
}
