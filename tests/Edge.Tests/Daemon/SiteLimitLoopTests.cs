using System.Runtime.CompilerServices;
using Edge.Agents.Registry;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Core.Fakes;
using Edge.Core.Timing;
using Edge.Daemon;
using Edge.Mqtt.Commands;
using Edge.Runtime.Cycle;
using Edge.Runtime.Handoff;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;

namespace Edge.Tests.Daemon;

/// <summary>
/// The site limit's per-period work on the loop thread (<see cref="SiteLimitExecutor"/> inside
/// <see cref="DaemonCommands"/>): 0 B per cycle with a limit in force, and the grid target falls at the granted ramp —
/// on virtual time, the daemon's own wiring of mailbox, commands and cycle.
/// </summary>
public sealed class SiteLimitLoopTests
{
    private static ControllerOptions Options() => new()
    {
        PeriodMs = 1,
        RampUpWPerS = 2_000,
        RampDownWPerS = 2_000,
        EnergyWh = 50_000,
        MaxChargeW = 30_000,
        MaxDischargeW = 30_000,
    };

    private static void Drain(ControlCycle cycle)
    {
        while (true)
        {
            ref Edge.Runtime.Cycle.CycleRecord r = ref cycle.HandOffRing.TryPeek();
            if (Unsafe.IsNullRef(ref r))
            {
                return;
            }

            cycle.HandOffRing.Release();
        }
    }

    [Fact]
    public void A_site_limit_in_force_costs_the_loop_zero_bytes_and_moves_the_grid_at_the_granted_ramp()
    {
        var clock = new VirtualClock(1_000_000_000);
        var sensors = new FakePowerSensor[8];
        for (int i = 0; i < sensors.Length; i++)
        {
            sensors[i] = new FakePowerSensor($"r{i}");
        }

        var meter = new FakePowerSensor("site");
        FakeBatteryInverter[] inverters = [new("i1", 20_000, 15_000), new("i2", 20_000, 15_000)];
        var mailbox = new CommandMailbox(4);
        var options = Options();
        var executor = new SiteLimitExecutor(options, clock, new LatestValueMailbox<AgentFleet>());
        mailbox.SiteLimits = executor;
        var controller = new SmoothingController(options);
        var cycle = new ControlCycle(new SummingRackSampler(sensors), inverters, controller, meter, new FakeDigitalInput("estop"), null, new DaemonCommands(mailbox, executor), 64);
        executor.Cycle = cycle;
        var exec = new CyclicExecutive(cycle, new LoopOptions { PeriodMs = 1 }, new VirtualSleeper(clock));

        void Run(int cycles)
        {
            for (int i = 0; i < cycles; i++)
            {
                foreach (FakePowerSensor s in sensors)
                {
                    s.Set(5_000, clock.NowNs);
                }

                meter.Set(40_000 - inverters[0].LastSetpointW - inverters[1].LastSetpointW, clock.NowNs);
                exec.RunCycles(1);
                Drain(cycle);
            }
        }

        Run(5_000); // warm-up: JIT tiers, first-use paths, the controller settles at 40 kW
        double fromW = cycle.LastDecision.GridTargetW;
        Assert.InRange(fromW, 39_000, 41_000);
        Assert.True(mailbox.TryPost(new EdgeCommand
        {
            Kind = CommandKind.SiteLimit,
            Operator = "alice",
            RequestId = "r1",
            SiteLimit = new SiteLimitRequest { MaxW = double.NaN, ReducePct = 30, DurationS = 1_000, EmergencyRampWPerS = double.NaN },
        }));
        Run(1);
        Assert.True(mailbox.TryTakeOutcome(out CommandOutcome outcome));
        Assert.Null(outcome.Error);
        SiteLimitRequest grant = outcome.Command.SiteLimit;
        Assert.Equal(0.7 * fromW, grant.TargetW, 1e-6);
        Assert.Equal(2_000, grant.RampWPerS);
        Assert.Equal(0.3 * fromW / 2_000, grant.ReachS, 1e-6);

        // Halfway through the reach time the grid target is where the granted ramp puts it.
        Run((int)(grant.ReachS * 1000 / 2));
        Assert.Equal(fromW - (2_000 * grant.ReachS / 2), cycle.LastDecision.GridTargetW, fromW * 0.01);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(executor.Status.TryRead(out SiteLimitStatus status, out _, out _));
        Assert.Equal(SiteLimitPhase.Active, status.Phase);
        Assert.Equal(grant.TargetW, cycle.LastDecision.GridTargetW, 1.0); // W: the target sits at the cap
        Assert.Equal(grant.TargetW, controller.Limits.GridCapW);
    }
}
