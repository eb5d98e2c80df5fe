using System.Text;
using Edge.Agents.Registry;
using Edge.Core.Control;
using Edge.Core.Timing;
using Edge.Daemon;
using Edge.Mqtt.Commands;
using Edge.Runtime.Cycle;
using Edge.Runtime.Handoff;
using Edge.Tests.Shared;

namespace Edge.Tests.Daemon;

/// <summary>
/// The site limit's per-period work on the loop thread (<see cref="SiteLimitExecutor"/> inside
/// <see cref="DaemonCommands"/>): 0 B per cycle with a limit in force, and the grid target falls at the granted ramp —
/// on virtual time, the daemon's own wiring of mailbox, commands and cycle.
/// </summary>
public sealed class SiteLimitLoopTests
{
    [Fact]
    public void A_site_limit_in_force_costs_the_loop_zero_bytes_and_moves_the_grid_at_the_granted_ramp()
    {
        var rig = new DaemonLoopRig(DaemonLoopRig.FastLoop(), racks: 8);
        CommandMailbox mailbox = rig.Mailbox;
        ControlCycle cycle = rig.Cycle;
        SiteLimitExecutor executor = rig.Executor;
        SmoothingController controller = rig.Controller;

        void Run(int cycles)
        {
            for (int i = 0; i < cycles; i++)
            {
                rig.Step(5_000, 40_000);
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
            SiteLimit = new SiteLimitCommand { MaxW = double.NaN, ReducePct = 30, DurationS = 1_000, EmergencyRampWPerS = double.NaN },
        }));
        Run(1);
        Assert.True(mailbox.TryTakeOutcome(out CommandOutcome outcome));
        Assert.Null(outcome.Error);
        SiteLimitCommand grant = outcome.Command.SiteLimit;
        Assert.Equal(0.7 * fromW, grant.TargetW, 1e-6);
        Assert.Equal(2_000, grant.RampWPerS);
        Assert.Equal(0.3 * fromW / 2_000, grant.ReachS, 1e-6);

        // Halfway through the reach time the grid target is where the granted ramp puts it.
        Run((int)(grant.ReachS * 1000 / 2));
        Assert.Equal(fromW - (2_000 * grant.ReachS / 2), cycle.LastDecision.GridTargetW, fromW * 0.01);

        Action pass = () => Run(10_000);
        long allocated = SteadyAllocations.PerPassMinimum(pass);
        Assert.Equal(0, allocated);
        Assert.True(executor.Status.Reader(0).TryRead(out SiteLimitStatus status, out _, out _));
        Assert.Equal(SiteLimitPhase.Active, status.Phase);
        Assert.Equal(grant.TargetW, cycle.LastDecision.GridTargetW, 1.0); // W: the target sits at the cap
        Assert.Equal(grant.TargetW, controller.Limits.GridCapW);
    }

    [Fact]
    public void An_unmetered_load_switched_on_after_the_reach_lowers_the_cap_until_the_meter_complies_within_the_ramp_and_the_trim_takes_it_back()
    {
        // 8 racks at 5 kW, the site meter agreeing; a -30 % limit (40 -> 28 kW at 2 kW/s, 6 s). 2 s after the reach an
        // unmetered 1.2 kW load appears (the site meter sees it, the rack sensors do not): 3 % of the site, three times
        // the compliance tolerance (1 % of from_w + 5 W = 405 W). The controller's own trim learns it with a 16 s time
        // constant, too slow to comply within seconds (17 s to get inside the tolerance); the executor's loop on the
        // meter lowers the cap meanwhile, at no more than the granted ramp, and hands it back as the trim learns.
        var rig = new DaemonLoopRig(DaemonLoopRig.FastLoop(), racks: 8);
        SiteLimitExecutor executor = rig.Executor;
        var status = executor.Status.Reader(0);
        double unmeteredW = 0;
        var targets = new List<double>();
        void Run(int cycles)
        {
            for (int i = 0; i < cycles; i++)
            {
                rig.Step(5_000, 40_000 + unmeteredW);
                targets.Add(rig.Cycle.LastDecision.GridTargetW);
            }
        }

        Run(5_000);
        Assert.True(rig.Mailbox.TryPost(new EdgeCommand
        {
            Kind = CommandKind.SiteLimit,
            Operator = "alice",
            RequestId = "r1",
            SiteLimit = new SiteLimitCommand { MaxW = double.NaN, ReducePct = 30, DurationS = 1_000, EmergencyRampWPerS = double.NaN },
        }));
        Run(1);
        Assert.True(rig.Mailbox.TryTakeOutcome(out CommandOutcome outcome));
        Assert.Null(outcome.Error);
        SiteLimitCommand grant = outcome.Command.SiteLimit;
        double toleranceW = (0.01 * grant.FromW) + 5;
        Run((int)((grant.ReachS + 2) * 1000));
        Assert.True(status.TryRead(out SiteLimitStatus before, out _, out _));
        Assert.True(before.Compliant, "compliant before the unmetered load");
        Assert.Equal(0, before.MeterCorrectionW, 1.0); // a meter that agrees is not corrected

        unmeteredW = 1_200;
        int firstIndex = targets.Count;
        double breachS = double.NaN, compliantAgainS = double.NaN, peakCorrectionW = 0;
        for (int ms = 1; ms <= 60_000; ms++)
        {
            Run(1);
            Assert.True(status.TryRead(out SiteLimitStatus s, out _, out _));
            peakCorrectionW = Math.Max(peakCorrectionW, s.MeterCorrectionW);
            if (!s.Compliant && double.IsNaN(breachS))
            {
                breachS = ms * 1e-3;
            }
            else if (s.Compliant && !double.IsNaN(breachS) && double.IsNaN(compliantAgainS))
            {
                compliantAgainS = ms * 1e-3;
            }
        }

        Assert.True(status.TryRead(out SiteLimitStatus after, out _, out _));
        Assert.False(double.IsNaN(breachS), "the unmetered load took the meter over the limit (the test's premise)");
        Assert.True(compliantAgainS <= 6, $"compliant again {compliantAgainS:F2} s after the unmetered load appeared (peak correction {peakCorrectionW:F0} W)");
        Assert.InRange(peakCorrectionW, unmeteredW - toleranceW, unmeteredW * 1.2); // it held the cap down by about the excess
        Assert.True(after.Compliant);
        Assert.True(after.MeterCorrectionW < 0.2 * peakCorrectionW, $"the correction {after.MeterCorrectionW:F0} W is handed back to the trim (peak {peakCorrectionW:F0} W)");
        Assert.Equal(SiteLimitPhase.Active, after.Phase);

        // Every move of the grid target, correction included, within the granted ramp (per 1 ms period).
        double steepestWPerS = 0;
        for (int i = firstIndex; i < targets.Count; i++)
        {
            steepestWPerS = Math.Max(steepestWPerS, Math.Abs(targets[i] - targets[i - 1]) * 1000);
        }

        Assert.True(steepestWPerS <= grant.RampWPerS * 1.0001, $"the grid target moved at {steepestWPerS:F0} W/s, faster than the granted {grant.RampWPerS} W/s");
    }

    [Fact]
    public void An_operator_raising_the_cap_during_a_site_limit_is_overridden_a_lower_cap_holds_and_the_latest_comes_back_at_the_end()
    {
        var rig = new DaemonLoopRig(DaemonLoopRig.FastLoop(), racks: 8);
        SmoothingController controller = rig.Controller;
        void Run(int cycles)
        {
            for (int i = 0; i < cycles; i++)
            {
                rig.Step(5_000, 40_000);
            }
        }

        string? Post(EdgeCommand command)
        {
            Assert.True(rig.Mailbox.TryPost(command));
            Run(1);
            Assert.True(rig.Mailbox.TryTakeOutcome(out CommandOutcome outcome));
            return outcome.Error;
        }

        EdgeCommand Cap(double capW) => new()
        {
            Kind = CommandKind.Limits,
            Operator = "bob",
            RequestId = "cap" + capW,
            LimitMask = LimitFields.GridCap,
            Limits = controller.Limits with { GridCapW = capW },
        };

        Run(5_000);
        Assert.Null(Post(Cap(45_000)));
        Assert.Null(Post(new EdgeCommand
        {
            Kind = CommandKind.SiteLimit,
            Operator = "alice",
            RequestId = "r1",
            SiteLimit = new SiteLimitCommand { MaxW = 30_000, ReducePct = double.NaN, DurationS = 1_000, EmergencyRampWPerS = double.NaN },
        }));
        Run(6_000); // 10 kW at 2 kW/s: reached after 5 s
        Assert.Equal(30_000, controller.Limits.GridCapW);
        Assert.Equal(30_000, rig.Cycle.LastDecision.GridTargetW, 1.0);

        Assert.Null(Post(Cap(50_000))); // accepted, but the grid request wins while it lasts
        Run(1_000);
        Assert.Equal(30_000, controller.Limits.GridCapW);
        Assert.Equal(30_000, rig.Cycle.LastDecision.GridTargetW, 1.0);

        Assert.Null(Post(Cap(25_000))); // lower than the limit: it holds
        Run(4_000);
        Assert.Equal(25_000, controller.Limits.GridCapW);
        Assert.Equal(25_000, rig.Cycle.LastDecision.GridTargetW, 1.0);

        Assert.Null(Post(Cap(42_000))); // raised again: back to the limit, and this is the cap the end restores
        Run(4_000);
        Assert.Equal(30_000, controller.Limits.GridCapW);
        Assert.Null(Post(new EdgeCommand
        {
            Kind = CommandKind.SiteLimit,
            Operator = "alice",
            RequestId = "r2",
            SiteLimit = new SiteLimitCommand { MaxW = double.NaN, ReducePct = double.NaN, Cancel = true, EmergencyRampWPerS = double.NaN },
        }));
        Assert.Equal(42_000, controller.Limits.GridCapW);
        Assert.Equal(DaemonLoopRig.FastLoop().RampDownWPerS, controller.Limits.RampDownWPerS);
    }

    [Fact]
    public void The_lever_coordinator_on_the_loop_costs_zero_bytes_per_cycle_with_agents_a_site_limit_and_an_announcement()
    {
        var rig = new DaemonLoopRig(DaemonLoopRig.FastLoop(), racks: 8, DaemonLoopRig.LeversFor(DaemonLoopRig.FastLoop(), 80_000));
        VirtualClock clock = rig.Clock;
        CommandMailbox mailbox = rig.Mailbox;
        ControlCycle cycle = rig.Cycle;
        AgentLevers levers = rig.Levers!;
        var tier = new LatestValueMailbox<BackstopFigures>(); // the pump's backstop figures: tier 3 (GPU caps, flexible loads filling) in force
        levers.BackstopTier = tier;

        // The registry as the daemon feeds it (its own thread there; here between runs): a miner and a GPU node.
        var registry = new AgentRegistry("site1", TimeProvider.System);
        void Send(string agent, string leaf, string json) => registry.Handle($"edge/site1/agents/{agent}/{leaf}", Encoding.UTF8.GetBytes(json), false, clock.NowNs);
        Send("m1", "status", """{"state":"online","ts_ms":1}""");
        Send("m1", "capabilities", """{"kind":"flex","min_w":0,"max_w":8000,"response_ms":2000,"knobs":["level"],"telemetry_hz":10,"release_w_per_s":100,"release_jitter_s":0,"level_step_pct":5,"max_command_lifetime_s":300}""");
        Send("g1", "status", """{"state":"online","ts_ms":1}""");
        Send("g1", "capabilities", """{"kind":"gpu","min_w":2000,"max_w":10000,"response_ms":100,"knobs":["power-cap"],"telemetry_hz":10,"release_w_per_s":500,"release_jitter_s":0,"max_command_lifetime_s":300}""");
        Send("fw", "announce", """{"id":"job:start","kind":"job_start","in_s":30,"power_w":30000}""");
        long seq = 0;
        void Sweep()
        {
            seq++;
            Send("m1", "telemetry", $$"""{"seq":{{seq}},"ts_ms":1,"power_w":6000,"level_pct":75,"state":"free"}""");
            Send("g1", "telemetry", $$"""{"seq":{{seq}},"ts_ms":1,"power_w":9000,"cap_w":10000,"state":"free"}""");
            registry.Sweep(clock.NowNs);
            levers.Publish(registry);
        }

        void Run(int cycles)
        {
            for (int i = 0; i < cycles; i++)
            {
                tier.Write(new BackstopFigures { Tier = 3 }, clock.NowNs);
                rig.Step(5_000, 40_000);
            }
        }

        for (int k = 0; k < 50; k++)
        {
            Sweep();
            Run(100); // warm-up: JIT tiers, first-use paths, the controller settles at 40 kW
        }

        Assert.True(2 == levers.Coordinator.Levers.Count(l => !l.Id.StartsWith("slot-", StringComparison.Ordinal)), string.Join("; ", registry.Snapshot()));
        double fromW = cycle.LastDecision.GridTargetW;
        Assert.True(mailbox.TryPost(new EdgeCommand
        {
            Kind = CommandKind.SiteLimit,
            Operator = "alice",
            RequestId = "r1",
            SiteLimit = new SiteLimitCommand { MaxW = double.NaN, ReducePct = 30, DurationS = 1_000, EmergencyRampWPerS = double.NaN },
        }));
        Run(1);
        Assert.True(mailbox.TryTakeOutcome(out CommandOutcome outcome));
        Assert.Null(outcome.Error);
        Assert.True(outcome.Command.SiteLimit.LeversW > 0, "the coordinator's estimate counts the levers");

        // Before each pass the sweeps' updates wait in the ring (the registry side allocates, unmeasured; the loop's side
        // must not).
        Action sweeps = () =>
        {
            for (int k = 0; k < 100; k++)
            {
                Sweep();
            }
        };
        Action pass = () => Run(10_000);
        long allocated = SteadyAllocations.PerPassMinimum(pass, prepare: sweeps);
        Assert.Equal(0, allocated);
        Assert.True(levers.Figures.Reader(0).TryRead(out LeverFigures figures, out _, out _));
        Assert.True(figures.Costs.FlexEnergyWh > 0);
        Assert.True(levers.Coordinator.Commands[0].ExpiresNs > 0 || levers.Coordinator.Commands[1].ExpiresNs > 0, "the levers are commanded");
        Assert.Equal(fromW * 0.7, outcome.Command.SiteLimit.TargetW, 1e-6);
        Assert.Equal(3, levers.Coordinator.BackstopTier);
    }
}
