using System.Text;
using Edge.Agents.Registry;
using Edge.Daemon;

namespace Edge.Tests.Daemon;

/// <summary>
/// The levers at start, on virtual time with the daemon's loop wiring: agents counted on before the controller's first
/// period (a loaded box connects them first) are not capped against a grid target that does not exist yet.
/// </summary>
public sealed class LeverStartTests
{
    [Fact]
    public void Agents_counted_on_before_the_first_period_are_not_capped_when_the_loop_starts()
    {
        var options = DaemonLoopRig.FastLoop();
        var rig = new DaemonLoopRig(options, racks: 8, DaemonLoopRig.LeversFor(options, 80_000));
        AgentLevers levers = rig.Levers!;
        var registry = new AgentRegistry("site1", TimeProvider.System);
        void Send(string agent, string leaf, string json) => registry.Handle($"edge/site1/agents/{agent}/{leaf}", Encoding.UTF8.GetBytes(json), false, rig.Clock.NowNs);
        Send("g1", "status", """{"state":"online","ts_ms":1}""");
        Send("g1", "capabilities", """{"kind":"gpu","min_w":2000,"max_w":10000,"response_ms":100,"knobs":["power-cap"],"telemetry_hz":10,"release_w_per_s":500,"release_jitter_s":0,"max_command_lifetime_s":300}""");
        Send("g1", "telemetry", """{"seq":1,"ts_ms":1,"power_w":9000,"demand_w":9000,"cap_w":10000,"state":"free"}""");
        Send("m1", "status", """{"state":"online","ts_ms":1}""");
        Send("m1", "capabilities", """{"kind":"flex","min_w":0,"max_w":8000,"response_ms":2000,"knobs":["level"],"telemetry_hz":10,"release_w_per_s":100,"release_jitter_s":0,"level_step_pct":5,"max_command_lifetime_s":300}""");
        Send("m1", "telemetry", """{"seq":1,"ts_ms":1,"power_w":6000,"level_pct":75,"state":"free"}""");
        registry.Sweep(rig.Clock.NowNs);
        levers.Publish(registry);

        // The racks at a steady 40 kW (the GPU node's 9 kW among them), the miner on its own feeder: nothing to absorb.
        for (int i = 0; i < 2_000; i++)
        {
            rig.Step(5_000, 46_000);
            int slot = -1;
            for (int k = 0; k < levers.Coordinator.Levers.Count; k++)
            {
                slot = levers.Coordinator.Levers[k].Id == "g1" ? k : slot;
            }

            Assert.True(slot >= 0, "g1 is among the levers");
            var command = levers.Coordinator.Commands[slot];
            Assert.False(!command.Release && command.ExpiresNs > 0 && command.ValueW < 10_000,
                $"period {i}: g1 capped at {command.ValueW:F0} W (grid target {rig.Cycle.LastDecision.GridTargetW:F0} W)");
        }
    }
}
