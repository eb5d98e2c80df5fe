using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edge.Rig.Tests.Faults;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 16 item 2 and its last done-when line, on the daemon: <c>edge run --rig sim Planner:Enabled=true</c> as a child
/// process with a real broker, read by an independent subscriber (mosquitto_sub). The planner's thread hands the loop a
/// plan every second, the loop tracks it (<c>plan_tracked</c>) and its grid target never moves faster than the ramp
/// limit; the state carries the planner's solve times and allocation per round; and the resident memory the planner
/// adds (its default, purpose-written solver) is measured against the same daemon without it, in the same run.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed partial class PlannerDaemonTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void With_the_planner_on_the_loop_tracks_its_plans_within_the_ramp_and_the_figures_are_published()
    {
        if (!Peers.Available(output, [Peers.Mosquitto, Peers.MosquittoSub]))
        {
            return;
        }

        using var broker = new Mosquitto();
        long withoutKb = SettledRssKb(broker, planner: false, out _);
        using var capture = new MqttCapture(broker.Port, "site1", "edge1", "planner-capture");
        var polled = System.Diagnostics.Stopwatch.StartNew();
        bool TwentyPlans()
        {
            if (polled.ElapsedMilliseconds < 500)
            {
                return false; // parse the capture twice a second, not at the poll's rate
            }

            polled.Restart();
            return capture.States().Any(m => m.Payload.TryGetProperty("planner", out JsonElement p) && p.GetProperty("plans").GetInt64() >= 20);
        }

        long withKb = SettledRssKb(broker, planner: true, out List<string> log, TwentyPlans);
        output.WriteLine(FormattableString.Invariant(
            $"VmRSS after the first status line: {withoutKb / 1024.0:0.0} MB without the planner, {withKb / 1024.0:0.0} MB with it: {(withKb - withoutKb) / 1024.0:+0.0;-0.0} MB"));

        Match ramp = Controller().Match(log.First(l => l.Contains("controller: ramp", StringComparison.Ordinal)));
        double rampUpWPerS = double.Parse(ramp.Groups[1].Value, CultureInfo.InvariantCulture);
        double rampDownWPerS = double.Parse(ramp.Groups[2].Value, CultureInfo.InvariantCulture);
        double periodS = double.Parse(ramp.Groups[3].Value, CultureInfo.InvariantCulture) / 1000;
        string summary = log.First(l => l.Contains("planner: ", StringComparison.Ordinal) && l.Contains(" plans, ", StringComparison.Ordinal));
        output.WriteLine(summary);

        List<MqttCapture.Message> states = capture.States();
        List<JsonElement> auto = [.. states.Select(m => m.Payload).Where(p => p.GetProperty("mode").GetString() == "auto" && p.TryGetProperty("planner", out _))];
        Assert.True(auto.Count >= 100, $"{auto.Count} auto states with a planner section");

        // Tracked: after the first plans, nearly every window of the loop used one.
        List<JsonElement> planned = [.. auto.Where(p => p.GetProperty("planner").GetProperty("plans").GetInt64() >= 3)];
        int tracked = planned.Count(p => p.GetProperty("flag_names").EnumerateArray().Any(f => f.GetString() == "plan_tracked"));
        output.WriteLine($"{tracked} of {planned.Count} state windows after the third plan tracked a plan");
        Assert.True(tracked >= 0.9 * planned.Count, $"plan tracked in {tracked} of {planned.Count} windows");

        // Never a step: consecutive grid targets move at most the ramp limit over the loop's time between them. seq counts
        // the cycles run and misses the slots an overrun skipped, while the ramp limiter moves by the time that passed
        // (−1.7 W over 3 cycles that took 289 ms, once on a loaded box): the time is the longer of the two, the stamps
        // (Edge's own, the windows' last cycles, in ms) given 2 ms for their rounding.
        // A window in which Edge could not steer — the sim inverter's answer late on a starved box (battery_unavailable,
        // seen once under stress-ng --cpu 2), the load unreadable — reports the actual grid as its target: the command
        // walks to 0 W at the ramp limit and the target follows the grid, i.e. the load's own moves, which no controller
        // makes or prevents (SmoothingController, docs/DESIGN.md §9). Such pairs are left out, and must stay rare.
        static long Ms(JsonElement s) => DateTimeOffset.Parse(s.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        static bool Steering(JsonElement s) => !s.GetProperty("flag_names").EnumerateArray()
            .Any(f => f.GetString() is "battery_unavailable" or "load_missing" or "emergency_stop");
        int notSteering = 0;
        for (int i = 1; i < auto.Count; i++)
        {
            if (!Steering(auto[i - 1]) || !Steering(auto[i]))
            {
                notSteering++;
                continue;
            }

            long periods = auto[i].GetProperty("seq").GetInt64() - auto[i - 1].GetProperty("seq").GetInt64();
            double spanS = Math.Max(periods * periodS, ((Ms(auto[i]) - Ms(auto[i - 1])) / 1000.0) + 0.002);
            double moveW = auto[i].GetProperty("grid_target_w").GetDouble() - auto[i - 1].GetProperty("grid_target_w").GetDouble();
            double limitW = (moveW >= 0 ? rampUpWPerS : rampDownWPerS) * spanS;
            Assert.True(Math.Abs(moveW) <= limitW + 0.2, $"grid target moved {moveW:0.0} W over {periods} periods, {spanS:0.000} s (limit {limitW:0.0} W), state {i} of {auto.Count}:\n{auto[i - 1]}\n{auto[i]}");
        }

        Assert.True(notSteering <= auto.Count / 10, $"Edge could not steer in {notSteering} of {auto.Count} windows");
        JsonElement last = auto[^1].GetProperty("planner");
        output.WriteLine(last.ToString());
        Assert.True(last.GetProperty("plans").GetInt64() >= 10);
        double p99 = last.GetProperty("solve_p99_ms").GetDouble();
        Assert.InRange(p99, 0.01, 5_000);
        Assert.Equal(0, last.GetProperty("samples_dropped").GetInt64());
        Assert.Equal(0, last.GetProperty("round_alloc_bytes").GetInt64());
        Assert.InRange(last.GetProperty("phase_weight").GetDouble(), 0, 1);
        // The default solver is the purpose-written one (no native library): measured +0.7 MB; GLOP added ≈ 23 MB.
        Assert.True(withKb - withoutKb < 10 * 1024, $"the planner added {(withKb - withoutKb) / 1024} MB");
    }

    /// <summary>
    /// Runs the sim rig, reads its VmRSS after the first periodic status line (10 s), waits for <paramref name="until"/>
    /// and stops it with SIGTERM (exit 0).
    /// </summary>
    private static long SettledRssKb(Mosquitto broker, bool planner, out List<string> log, Func<bool>? until = null)
    {
        using var state = new TempDir();
        using var edge = EdgeExecutable.Start(
        [
            "run", "--rig", "sim", $"Edge:StateDirectory={state.Path}", "Edge:LiveView=off", "Sim:GpuAgents=0", "Sim:MinerAgents=0",
            "Mqtt:Host=127.0.0.1", $"Mqtt:Port={broker.Port.ToString(CultureInfo.InvariantCulture)}", $"Planner:Enabled={(planner ? "true" : "false")}",
        ]);
        edge.WaitForLine(l => l.Contains("lateness p99", StringComparison.Ordinal), Timeout, "the periodic status line");
        long rssKb = edge.RssKb();
        if (until is not null)
        {
            Wait.Until(until, TimeSpan.FromSeconds(90), "20 plans in the published state", () => edge.Log);
        }

        edge.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, edge.WaitForExit(TimeSpan.FromSeconds(180)));
        log = [.. edge.Lines.Select(l => l.Line)];
        Assert.Equal(planner, log.Any(l => l.Contains("planner: on", StringComparison.Ordinal)));
        return rssKb;
    }

    [GeneratedRegex(@"controller: ramp ↑([0-9.]+) W/s ↓([0-9.]+) W/s.* period ([0-9.]+) ms")]
    private static partial Regex Controller();
}
