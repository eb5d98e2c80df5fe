using System.Text;
using Edge.Agents.Registry;
using Edge.Daemon;

namespace Edge.Tests.Daemon;

/// <summary>
/// A flexible load on a feeder of its own (<c>Edge:LeverFlexInLoad=false</c>): the rack sensors never see it, the point
/// of connection does. Its agent's reported power reaches the controller's load through
/// <see cref="AgentLevers.UnmeteredDeltaW"/>, so when the load moves by itself the battery covers the move and the grid
/// stays within the ramp limit — on virtual time, the daemon's own loop wiring.
/// </summary>
public sealed class UnmeteredFlexTests
{
    [Fact]
    public void A_flexible_load_on_its_own_feeder_that_drops_out_reaches_the_grid_at_the_ramp_limit()
    {
        var options = DaemonLoopRig.FastLoop(); // 1 ms periods, 2 kW/s both ways, 30 kW of battery
        var rig = new DaemonLoopRig(options, racks: 8, DaemonLoopRig.LeversFor(options, 80_000));
        AgentLevers levers = rig.Levers!;
        Assert.False(levers.FlexInLoad);

        var registry = new AgentRegistry("site1", TimeProvider.System);
        void Send(string leaf, string json) => registry.Handle($"edge/site1/agents/m1/{leaf}", Encoding.UTF8.GetBytes(json), false, rig.Clock.NowNs);
        Send("status", """{"state":"online","ts_ms":1}""");
        Send("capabilities", """{"kind":"flex","min_w":0,"max_w":8000,"response_ms":2000,"knobs":["level"],"telemetry_hz":10,"release_w_per_s":100,"release_jitter_s":0,"level_step_pct":5,"max_command_lifetime_s":300}""");

        const double racksW = 5_000; // per rack: 40 kW
        double minerW = 6_000;
        long seq = 0;
        var gridW = new List<double>();
        void Run(int ms)
        {
            for (int i = 0; i < ms; i++)
            {
                if (i % 100 == 0)
                {
                    // The agent's 10 Hz telemetry, swept into the levers as the registry thread does.
                    seq++;
                    Send("telemetry", $$"""{"seq":{{seq}},"ts_ms":1,"power_w":{{minerW}},"level_pct":{{minerW / 80}},"state":"free"}""");
                    registry.Sweep(rig.Clock.NowNs);
                    levers.Publish(registry);
                }

                rig.Step(racksW, 8 * racksW + minerW);
                double batteriesW = rig.Inverters.Sum(inv => inv.LastSetpointW);
                gridW.Add(8 * racksW + minerW - batteriesW); // what the point of connection carries
            }
        }

        Run(20_000); // settle at ≈ 46 kW through the grid
        // The miner became known after the first period: that is no step (the grid carried it all along).
        double settledW = gridW[^1];
        Assert.Equal(0, levers.UnmeteredDeltaW);

        // What it draws is the controller's curtailable load: the headroom bound keeps room for a rise with it still on.
        Assert.Equal(6_000, levers.CurtailableW);
        Assert.Equal(6_000, levers.Cycle!.Input.CurtailableW);
        double steadiestW = 0;
        for (int i = 1_000; i < gridW.Count; i++)
        {
            steadiestW = Math.Max(steadiestW, Math.Abs(gridW[i] - gridW[i - 1_000]));
        }

        Assert.True(steadiestW < 50, $"the grid moved {steadiestW:F0} W in 1 s while nothing changed");

        // The miner trips off by itself: 6 kW gone in 0.5 s (12 kW/s, six times the grid's ramp limit).
        int from = gridW.Count;
        for (int k = 0; k < 5; k++)
        {
            minerW -= 1_200;
            Run(100);
        }

        Run(90_000);
        Assert.Equal(-6_000, levers.UnmeteredDeltaW);
        Assert.Equal(0, levers.Cycle!.Input.CurtailableW);

        // The grid falls at the ramp limit (over every 1 s window, 3 % for the 100 ms telemetry lag) ...
        double steepestWPerS = 0;
        for (int i = from + 1_000; i < gridW.Count; i++)
        {
            steepestWPerS = Math.Max(steepestWPerS, gridW[i - 1_000] - gridW[i]);
        }

        Assert.True(steepestWPerS <= options.RampDownWPerS * 1.03, $"the grid fell {steepestWPerS:F0} W in 1 s (limit {options.RampDownWPerS} W/s)");

        // ... and follows the load down as the smoothing filter lets it: 6 kW lower within 90 s. (Without the miner's
        // moves in the controller's load the grid would have fallen 6 kW in 0.5 s and stayed there.)
        Assert.True(Math.Abs(settledW - 6_000 - gridW[^1]) < 500, $"settled at {gridW[^1]:F0} W, {settledW - gridW[^1]:F0} W below the {settledW:F0} W before");
    }
}
