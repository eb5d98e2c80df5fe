using System.Runtime.CompilerServices;
using Edge.Agents.Registry;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Core.Fakes;
using Edge.Core.Levers;
using Edge.Core.Timing;
using Edge.Daemon;
using Edge.Mqtt.Commands;
using Edge.Runtime.Cycle;
using Edge.Runtime.Handoff;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;

namespace Edge.Tests.Daemon;

/// <summary>
/// The daemon's loop wiring on virtual time, as <see cref="EdgeDaemon"/> builds it: fake racks and a site meter, fake
/// inverters, the operators' command mailbox, the site-limit executor and (with lever options) the agent levers inside
/// <see cref="DaemonCommands"/>, the control cycle and its executive. <see cref="Step"/> runs one period and drains the
/// hand-off ring as the pump would.
/// </summary>
internal sealed class DaemonLoopRig
{
    public DaemonLoopRig(ControllerOptions options, int racks, LeverCoordinatorOptions? levers = null, string account = "edge-site1-edge1", int inverters = 2)
    {
        Options = options;
        Sensors = new FakePowerSensor[racks];
        for (int i = 0; i < racks; i++)
        {
            Sensors[i] = new FakePowerSensor($"r{i}");
        }

        Inverters = new FakeBatteryInverter[inverters];
        for (int i = 0; i < inverters; i++)
        {
            Inverters[i] = new FakeBatteryInverter($"i{i + 1}", 20_000, 15_000);
        }

        Levers = levers is null ? null : new AgentLevers(levers, "site1", account, Clock);
        Executor = new SiteLimitExecutor(options, Clock, new LatestValueMailbox<AgentFleet>()) { Levers = Levers };
        Mailbox.SiteLimits = Executor;
        Controller = new SmoothingController(options);
        Cycle = new ControlCycle(new SummingRackSampler(Sensors), Inverters, Controller, Meter, new FakeDigitalInput("estop"), null, new DaemonCommands(Mailbox, Executor, Levers), 64);
        Executor.Cycle = Cycle;
        if (Levers is not null)
        {
            Levers.Cycle = Cycle;
        }

        Exec = new CyclicExecutive(Cycle, new LoopOptions { PeriodMs = options.PeriodMs }, new VirtualSleeper(Clock));
    }

    /// <summary>A 1 ms loop with 2 kW/s ramps and a 50 kWh, 30 kW battery (the daemon-loop tests' default).</summary>
    public static ControllerOptions FastLoop() => new()
    {
        PeriodMs = 1,
        RampUpWPerS = 2_000,
        RampDownWPerS = 2_000,
        EnergyWh = 50_000,
        MaxChargeW = 30_000,
        MaxDischargeW = 30_000,
    };

    /// <summary>Lever options sized from <paramref name="options"/>'s battery, racks rated <paramref name="expectedLoadMaxW"/>.</summary>
    public static LeverCoordinatorOptions LeversFor(ControllerOptions options, double expectedLoadMaxW) => new()
    {
        BatteryDischargeW = options.MaxDischargeW,
        BatteryChargeW = options.MaxChargeW,
        BatteryEnergyWh = options.EnergyWh,
        SocMinPct = options.SocMinPct,
        ExpectedLoadMaxW = expectedLoadMaxW,
    };

    public ControllerOptions Options { get; }

    public VirtualClock Clock { get; } = new(1_000_000_000);

    public FakePowerSensor[] Sensors { get; }

    public FakePowerSensor Meter { get; } = new("site");

    public FakeBatteryInverter[] Inverters { get; }

    public CommandMailbox Mailbox { get; } = new(4);

    public AgentLevers? Levers { get; }

    public SiteLimitExecutor Executor { get; }

    public SmoothingController Controller { get; }

    public ControlCycle Cycle { get; }

    public CyclicExecutive Exec { get; }

    /// <summary>One period: every rack at <paramref name="rackW"/>, the site meter at <paramref name="siteW"/> less the batteries.</summary>
    public void Step(double rackW, double siteW)
    {
        foreach (FakePowerSensor s in Sensors)
        {
            s.Set(rackW, Clock.NowNs);
        }

        double batteriesW = 0;
        foreach (FakeBatteryInverter i in Inverters)
        {
            batteriesW += i.LastSetpointW;
        }

        Meter.Set(siteW - batteriesW, Clock.NowNs);
        Exec.RunCycles(1);
        while (!Unsafe.IsNullRef(ref Cycle.HandOffRing.TryPeek()))
        {
            Cycle.HandOffRing.Release();
        }
    }
}
