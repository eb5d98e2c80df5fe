using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Core.Fakes;
using Edge.Runtime.Cycle;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Tests;

/// <summary>E-stop, the inverter-enable relay, fault clearing and commands applied between cycles.</summary>
public sealed class SafetyIoTests
{
    private sealed class Commands : IControllerCommandSource
    {
        public ControlMode? Requested { get; set; }

        public string? LastError { get; private set; }

        public int Applied { get; private set; }

        public int ApplyPending(SmoothingController controller)
        {
            if (Requested is not { } mode)
            {
                return 0;
            }

            Requested = null;
            LastError = mode == ControlMode.Standby && controller.Mode == ControlMode.Fault
                ? (controller.ClearFault() ? null : "cause active")
                : controller.TrySetMode(mode);
            Applied++;
            return 1;
        }
    }

    private sealed class Rig
    {
        public Rig()
        {
            Clock = new VirtualClock(1_000_000_000);
            Load = new FakePowerSensor("rack");
            Load.Set(6000);
            Inverter = new FakeBatteryInverter("pcs", 5000, 10_000);
            Controller = new SmoothingController(new ControllerOptions
            {
                PeriodMs = 1, RampUpWPerS = 500, RampDownWPerS = 500, EnergyWh = 5000, MaxChargeW = 10_000, MaxDischargeW = 10_000,
            });
            Cycle = new ControlCycle(new SummingRackSampler([Load]), [Inverter], Controller, null, EStop, Enable, CommandSource);
            Executive = new CyclicExecutive(Cycle, new LoopOptions { PeriodMs = 1 }, new VirtualSleeper(Clock));
        }

        public VirtualClock Clock { get; }
        public FakePowerSensor Load { get; }
        public FakeBatteryInverter Inverter { get; }
        public FakeDigitalInput EStop { get; } = new("estop");
        public FakeDigitalOutput Enable { get; } = new("enable");
        public Commands CommandSource { get; } = new();
        public SmoothingController Controller { get; }
        public ControlCycle Cycle { get; }
        public CyclicExecutive Executive { get; }
    }

    [Fact]
    public void The_enable_relay_closes_once_the_loop_runs()
    {
        var rig = new Rig();
        Assert.False(rig.Enable.Level);
        rig.Executive.RunCycles(1);
        Assert.True(rig.Enable.Level);
    }

    [Fact]
    public void E_stop_commands_zero_and_opens_the_relay_within_one_period()
    {
        var rig = new Rig();
        rig.Executive.RunCycles(200);
        rig.Load.Set(9000); // the battery now discharges
        rig.Executive.RunCycles(50);
        Assert.True(rig.Inverter.LastSetpointW > 1000);

        rig.EStop.Set(true);
        rig.Executive.RunCycles(1);
        Assert.Equal(0, rig.Inverter.LastSetpointW);
        Assert.False(rig.Enable.Level);
        Assert.True((rig.Cycle.LastDecision.Flags & ControlFlags.EmergencyStop) != 0);
        Assert.Equal(ControlMode.Fault, rig.Controller.Mode);
    }

    [Fact]
    public void After_an_e_stop_the_fault_holds_until_the_button_is_released_and_an_operator_clears_it()
    {
        var rig = new Rig();
        rig.Executive.RunCycles(10);
        rig.EStop.Set(true);
        rig.Executive.RunCycles(5);

        rig.CommandSource.Requested = ControlMode.Standby; // clearing while still pressed is refused
        rig.Executive.RunCycles(1);
        Assert.NotNull(rig.CommandSource.LastError);
        Assert.Equal(ControlMode.Fault, rig.Controller.Mode);

        rig.EStop.Set(false);
        rig.Executive.RunCycles(20);
        Assert.Equal(ControlMode.Fault, rig.Controller.Mode); // releasing the button alone does not restart anything
        Assert.False(rig.Enable.Level);

        rig.CommandSource.Requested = ControlMode.Standby;
        rig.Executive.RunCycles(1);
        Assert.Null(rig.CommandSource.LastError);
        Assert.Equal(ControlMode.Standby, rig.Controller.Mode);
        rig.Executive.RunCycles(1);
        Assert.True(rig.Enable.Level);

        rig.CommandSource.Requested = ControlMode.Auto;
        rig.Executive.RunCycles(1);
        Assert.Null(rig.CommandSource.LastError);
        Assert.Equal(ControlMode.Auto, rig.Controller.Mode);
    }

    [Fact]
    public void An_unreadable_e_stop_line_counts_as_pressed()
    {
        var rig = new Rig();
        rig.Executive.RunCycles(10);
        rig.EStop.Readable = false;
        rig.Executive.RunCycles(1);
        Assert.True((rig.Cycle.LastDecision.Flags & ControlFlags.EmergencyStop) != 0);
        Assert.False(rig.Enable.Level);
    }
}
