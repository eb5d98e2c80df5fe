using System.Globalization;
using System.Text.Json;
using Edge.Rig.Tests.Commands;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Agents;

/// <summary>
/// Issue 15's daemon side with the whole daemon (sim rig) and a real mosquitto running the shipped edge.conf and
/// edge.acl with accounts made by the shipped setup.sh (node, operators, viewer, agents): the simulated agents connect
/// as their own accounts; a paho agent falls silent; mosquitto_rr sends the grid request as operator alice and
/// mosquitto_sub records Edge's state as viewer grafana.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class AgentDaemonTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDir _state = new("edge-rig-agents-");

    public void Dispose() => _state.Dispose();

    private bool Available(params string[] more) =>
        Peers.Available(output, [Peers.Mosquitto, Peers.MosquittoPub, Peers.MosquittoSub, Peers.MosquittoRr, Peers.MosquittoPasswd, .. more]);

    /// <summary>Edge's state messages as a viewer receives them, with the time each arrived.</summary>
    private sealed class StateRecorder : IDisposable
    {
        private readonly ChildProcess _sub;

        public StateRecorder(ShippedBroker broker)
        {
            _sub = new ChildProcess("/usr/bin/stdbuf", ["-oL", Peers.MosquittoSub, .. broker.As("grafana"), "-t", $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/state"]);
        }

        public IReadOnlyList<JsonElement> States =>
            _sub.Lines.Select(l => l.Line).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

        public JsonElement WaitFor(Func<JsonElement, bool> match, string what, TimeSpan? timeout = null, Func<string>? more = null)
        {
            JsonElement found = default;
            Wait.Until(() => States.Any(s => { bool m = match(s); found = m ? s : found; return m; }), timeout ?? Timeout, what, more ?? (() => _sub.Log[^Math.Min(_sub.Log.Length, 4000)..]));
            return found;
        }

        public void Dispose() => _sub.Dispose();
    }

    private const double SimPeriodS = 0.01; // Loop:PeriodMs of the sim rig

    private static DateTimeOffset Ts(JsonElement state) => DateTimeOffset.Parse(state.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture);

    /// <summary>What a failure shows: one line per state message from <paramref name="from"/> on (every 5th).</summary>
    private static string Timeline(IReadOnlyList<JsonElement> states, DateTimeOffset from)
    {
        static string F(JsonElement s, string name) => s.TryGetProperty(name, out JsonElement v) ? v.ValueKind == JsonValueKind.Object ? v.GetProperty("mean").ToString() : v.ToString() : "-";
        var lines = new List<string> { "t_s load grid target batt setp soc flags miner(power/level) compliant over_s loop(overruns/late_max)" };
        var after = states.Where(s => Ts(s) >= from).ToList();
        for (int i = 0; i < after.Count; i += 5)
        {
            JsonElement s = after[i];
            string miner = Agent(s, "sim-miner-0") is { } m ? m.ToString() : "-";
            string limit = s.TryGetProperty("site_limit", out JsonElement l) ? $"{l.GetProperty("compliant")} {l.GetProperty("over_s")}" : "-";
            string loop = s.TryGetProperty("loop", out JsonElement lp) ? $"{lp.GetProperty("overruns")}/{lp.GetProperty("lateness_us").GetProperty("max")}" : "-";
            lines.Add($"{(Ts(s) - from).TotalSeconds:F1} {F(s, "load_w")} {F(s, "grid_w")} {F(s, "grid_target_w")} {F(s, "battery_w")} {F(s, "battery_setpoint_w")} {F(s, "soc_pct")} {F(s, "flag_names")} {miner} {limit} {loop}");
        }

        return string.Join('\n', lines);
    }

    private static JsonElement? Agent(JsonElement state, string id) =>
        state.TryGetProperty("agents", out JsonElement a) ? a.GetProperty("list").EnumerateArray().Where(x => x.GetProperty("id").GetString() == id).Select(x => (JsonElement?)x).FirstOrDefault() : null;

    [Fact]
    public void A_site_limit_of_minus_30_pct_on_the_sim_rig_is_acknowledged_with_its_feasibility_starts_within_2_s_and_completes_at_the_granted_ramp()
    {
        if (!Available())
        {
            return;
        }

        const double rampWPerS = 60; // slow enough that the fall lasts several seconds whatever the load's phase
        using var broker = new ShippedBroker("sim-gpu-0", "sim-gpu-1", "sim-miner-0");
        using var alice = new OperatorConsole(broker, "alice");
        _state.Create();
        // The miner on the measured feeders (Edge:LeverFlexInLoad): the controller sees its moves at once and the battery
        // smooths them. (On its own feeder the controller sees them one telemetry period late, UnmeteredFlexTests.)
        // Racks at 2.4 kW keep racks + miner inside the simulated sensors' range.
        using InProcessDaemon edge = InProcessDaemon.StartWith(_state.Path, null, broker.DaemonOverrides(
            "Controller:RampUpWPerS=60", "Controller:RampDownWPerS=60", "Edge:LeverFlexInLoad=true", "Sim:Profile=ai-training:peak_w=2400,duration_s=3600,seed=1",
            $"Sim:AgentPasswordDirectory={broker.SecretsDirectory}"));
        using var states = new StateRecorder(broker);
        alice.Ready();

        // The simulated agents are MQTT agents on their own accounts, visible in state.
        states.WaitFor(s => new[] { "sim-gpu-0", "sim-gpu-1", "sim-miner-0" }.All(id => Agent(s, id) is { } a && a.GetProperty("active").GetBoolean()),
            "the three simulated agents counted on in state");
        Assert.Contains(edge.Log.Lines, l => l.Contains("agent sim-miner-0 counted on", StringComparison.Ordinal));
        Wait.Until(() => states.States.Count > 30, Timeout, "3 s of state"); // the grid target settles after the start

        string id = OperatorConsole.NewId();
        DateTimeOffset sent = DateTimeOffset.UtcNow;
        JsonElement reply = alice.TryRequest("site-limit", $$"""{"id":"{{id}}","expires_at":"{{OperatorConsole.Expires(60)}}","reduce_pct":30,"duration_s":60}""")
            ?? throw new Xunit.Sdk.XunitException("no reply to site-limit\n" + edge.Log.Text);
        double replyS = (DateTimeOffset.UtcNow - sent).TotalSeconds;
        output.WriteLine($"reply after {replyS:F3} s: {reply}");
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        Assert.Equal(id, reply.GetProperty("id").GetString());
        double fromW = reply.GetProperty("from_w").GetDouble(), targetW = reply.GetProperty("target_w").GetDouble();
        double grantedWPerS = reply.GetProperty("ramp_w_per_s").GetDouble(), reachS = reply.GetProperty("reach_s").GetDouble();
        Assert.Equal(0.7 * fromW, targetW, 0.5);
        Assert.Equal(rampWPerS, grantedWPerS);
        Assert.Equal((fromW - targetW) / grantedWPerS, reachS, 0.01);
        Assert.True(reply.GetProperty("feasible").GetBoolean(), reply.ToString());
        Assert.True(reply.GetProperty("battery_holds_s").GetDouble() >= 60, reply.ToString());
        Assert.True(replyS < 2, $"the reply took {replyS:F2} s");

        // Response: the grid target leaves from_w within 2 s of the request; then it falls no faster than the granted
        // ramp and reaches the limit at that ramp (recorded state, 10 Hz).
        JsonElement started = states.WaitFor(s => Ts(s) > sent && s.GetProperty("grid_target_w").GetDouble() < fromW - 20, "the grid target to start falling");
        double startS = (Ts(started) - sent).TotalSeconds;
        JsonElement reached = states.WaitFor(s => Ts(s) > sent && s.GetProperty("grid_target_w").GetDouble() <= targetW + 1, "the grid target at the limit");
        double reachedS = (Ts(reached) - sent).TotalSeconds;
        var during = states.States.Where(s => Ts(s) >= Ts(started).AddSeconds(-0.2) && Ts(s) <= Ts(reached)).ToList();
        // The steepest fall over any 2 s or more. Neither clock in a state message is the loop's time on a loaded box:
        // seq counts the cycles run (10 ms each on the sim rig) and misses the slots an overrun skipped (the span looks
        // shorter), and ts is when the publisher ran, which jitters by up to ~100 ms (a 200 W/s ramp read as 233 W/s over
        // 0.5 s, 220 W/s over 1 s). The longer of the two spans over at least 2 s is the closer one; the ramp law itself
        // is held to the watt on virtual time (SiteLimitLoopTests).
        double steepest = 0;
        for (int i = 0; i < during.Count; i++)
        {
            for (int k = i + 1; k < during.Count; k++)
            {
                double seqS = (during[k].GetProperty("seq").GetInt64() - during[i].GetProperty("seq").GetInt64()) * SimPeriodS;
                double dt = Math.Max(seqS, (Ts(during[k]) - Ts(during[i])).TotalSeconds);
                if (dt >= 2)
                {
                    steepest = Math.Max(steepest, (during[i].GetProperty("grid_target_w").GetDouble() - during[k].GetProperty("grid_target_w").GetDouble()) / dt);
                }
            }
        }

        output.WriteLine($"from {fromW:F0} W to {targetW:F0} W at {grantedWPerS} W/s (reach {reachS:F2} s): response started after {startS:F2} s, limit reached after {reachedS:F2} s, steepest fall {steepest:F0} W/s");
        Assert.True(startS <= 2, $"the response started {startS:F2} s after the request");
        Assert.True(steepest <= grantedWPerS * 1.1, $"the grid target fell at {steepest:F0} W/s, faster than the granted {grantedWPerS} W/s");
        Assert.True(steepest >= grantedWPerS * 0.5, $"the fall was not measured ({steepest:F0} W/s over the {during.Count} states of the ramp)");
        Assert.True(reachedS <= reachS + 2, $"the limit was reached after {reachedS:F2} s; at the granted ramp it takes {reachS:F2} s");
        Assert.True(reachedS >= reachS * 0.85, $"the limit was reached after {reachedS:F2} s, faster than the granted ramp allows ({reachS:F2} s)");

        // Compliance, in state: active, the measured grid (1 s mean) at or below the limit from 2 s after reaching it.
        // Under stress-ng the simulated plant itself lags (its inverters' Modbus polling, the in-process agents), and
        // Edge honestly reports a breach (seen once: 74 W over a 644 W limit for 2.2 s): it must be small and must end.
        JsonElement later = states.WaitFor(s => Ts(s) > Ts(reached).AddSeconds(2) && s.GetProperty("site_limit").GetProperty("compliant").GetBoolean(),
            "a compliant state from 2 s after the limit was reached", more: () => Timeline(states.States, sent));
        JsonElement limit = later.GetProperty("site_limit");
        output.WriteLine($"site_limit: {limit}; grid_w {later.GetProperty("grid_w")}");
        output.WriteLine(Timeline(states.States, sent));
        Assert.Equal("active", limit.GetProperty("state").GetString());
        Assert.True(limit.GetProperty("max_over_w").GetDouble() <= 0.2 * targetW, limit.ToString());
        // The executor's loop on the meter (docs/site-limit.md, "The meter has the last word") is published; it is what
        // ends such a breach within seconds instead of the trim's tens of seconds.
        Assert.InRange(limit.GetProperty("meter_correction_w").GetDouble(), 0, 0.1 * fromW);
        Assert.True((Ts(later) - Ts(reached)).TotalSeconds <= 8, $"compliant only {(Ts(later) - Ts(reached)).TotalSeconds:F1} s after the limit was reached: {limit}\n{Timeline(states.States, sent)}");
        // The measured grid over the last second (as Edge judges compliance, and a meter's scan would): one state's 0.1 s
        // window carries the plant's lag on a loaded box (seen: 827 W in one window, 6 W beyond, while the inverters
        // trailed their setpoint by 22 W and Edge's 1 s mean was compliant).
        var lastSecond = states.States.Where(s => Ts(s) > Ts(later).AddSeconds(-1) && Ts(s) <= Ts(later)).ToList();
        double gridLastSecondW = lastSecond.Average(s => s.GetProperty("grid_w").GetProperty("mean").GetDouble());
        Assert.True(gridLastSecondW <= targetW + (0.01 * fromW) + 5, $"the grid's mean over the last second was {gridLastSecondW:F1} W: {later}");
        Assert.True(later.TryGetProperty("backstop", out JsonElement backstop) && backstop.GetProperty("bands").GetArrayLength() == 3, later.ToString());

        // Cancelled: the cap in force before comes back.
        JsonElement cancel = alice.TryRequest("site-limit", $$"""{"id":"{{OperatorConsole.NewId()}}","expires_at":"{{OperatorConsole.Expires(60)}}","cancel":true}""")
            ?? throw new Xunit.Sdk.XunitException("no reply to the cancel");
        Assert.True(cancel.GetProperty("ok").GetBoolean(), cancel.ToString());
        states.WaitFor(s => s.TryGetProperty("site_limit", out JsonElement l) && l.GetProperty("state").GetString() == "cancelled", "the cancelled site limit in state");
        Assert.True(double.IsPositiveInfinity(edge.Daemon.Cycle!.Controller.Limits.GridCapW));
    }

    [Fact]
    public void A_site_limit_deeper_than_the_battery_can_hold_makes_Edge_curtail_the_miner_and_its_expired_command_is_released_along_the_ramp()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker("sim-gpu-0", "sim-gpu-1", "sim-miner-0");
        using var alice = new OperatorConsole(broker, "alice");
        _state.Create();
        // A flat load (no training swings for the battery to cover, which curtail the miner at every rise) and the racks'
        // rated power set high keep the miner running (its reserve) until a limit needs it curtailed; the limit
        // asked for a day, which the battery's energy cannot hold (its budget is what its energy sustains over the time
        // left), and deeper (−60 %) than the GPU nodes' caps can shed on their own (on the sim rig a cap lowers the racks'
        // load by what it withholds: the coordinator meets a shallower limit with the caps alone). Commands live 2 s.
        using InProcessDaemon edge = InProcessDaemon.StartWith(_state.Path, null, broker.DaemonOverrides(
            "Controller:RampUpWPerS=200", "Controller:RampDownWPerS=200", "Edge:LeverExpectedLoadMaxW=1000000", "Edge:LeverCommandLifetimeS=2",
            $"Sim:Profile={Flat}", $"Sim:AgentPasswordDirectory={broker.SecretsDirectory}"));
        using var states = new StateRecorder(broker);
        // An independent subscriber (another node's account, which reads the site's agents) records the miner's telemetry
        // and the commands Edge sends it.
        using var miner = new ChildProcess("/usr/bin/stdbuf", ["-oL", Peers.MosquittoSub, .. broker.As($"edge-{ShippedBroker.Site}-edge2"), "-v", "-t", $"edge/{ShippedBroker.Site}/agents/sim-miner-0/#"]);
        alice.Ready();

        double Level(string line) => JsonDocument.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]).RootElement.GetProperty("level_pct").GetDouble();
        List<(TimeSpan At, double Level)> Telemetry() => miner.Lines.Where(l => l.Line.Contains("/telemetry {", StringComparison.Ordinal)).Select(l => (l.At, Level(l.Line))).ToList();
        TimeSpan Now() => miner.Lines[^1].At;
        List<string> Commands() => miner.Lines.Where(l => l.Line.Contains("/cmd/", StringComparison.Ordinal)).Select(l => l.Line).ToList();

        states.WaitFor(s => Agent(s, "sim-miner-0") is { } a && a.GetProperty("active").GetBoolean(), "the miner counted on");
        Wait.Until(() => Commands().Count > 0, Timeout, "Edge's first command to the miner", () => edge.Log.Text);
        Wait.Until(() => Telemetry().Count > 20 && Telemetry().TakeLast(5).All(t => t.Level >= 90), Timeout, "the miner running (its reserve)", () => string.Join('\n', Commands().TakeLast(5)));
        double before = Telemetry()[^1].Level;

        string id = OperatorConsole.NewId();
        JsonElement reply = alice.TryRequest("site-limit", $$"""{"id":"{{id}}","expires_at":"{{OperatorConsole.Expires(60)}}","reduce_pct":60,"duration_s":86400}""")
            ?? throw new Xunit.Sdk.XunitException("no reply to site-limit\n" + edge.Log.Text);
        output.WriteLine($"reply: {reply}");
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        Assert.True(reply.GetProperty("levers_w").GetDouble() > 0, reply.ToString());
        Assert.True(reply.GetProperty("battery_holds_s").GetDouble() < 86400, reply.ToString());
        TimeSpan sentAt = Now();
        DateTimeOffset sent = DateTimeOffset.UtcNow;

        // The battery's energy cannot cover the cut: Edge commands the miner down (seen in the miner's own telemetry).
        Wait.Until(() => Telemetry().Any(t => t.At > sentAt && t.Level <= before - 20), Timeout, "the miner's level to drop",
            () => string.Join('\n', Commands().TakeLast(10)) + "\n" + edge.Log.Text[^Math.Min(edge.Log.Text.Length, 3000)..]);
        string curtail = Commands().Last(c => c.Contains($"/cmd/edge-{ShippedBroker.Site}-{ShippedBroker.Node}/level {{", StringComparison.Ordinal));
        output.WriteLine($"miner {before:F0} % → {Telemetry()[^1].Level:F0} %; last command {curtail}");
        JsonElement costs = states.WaitFor(s => Ts(s) > sent && s.TryGetProperty("levers", out JsonElement l) && l.GetProperty("curtailed_s").GetDouble() > 0,
            "curtailed time in state").GetProperty("levers");
        output.WriteLine($"levers: {costs}");
        Assert.True(costs.GetProperty("flex_energy_wh").GetDouble() > 0, costs.ToString());
        Assert.True(costs.TryGetProperty("gpu_capped_s", out _) && costs.TryGetProperty("gpu_energy_lost_wh", out _), costs.ToString());

        // Edge stops commanding (the controller on hold: the coordinator is not stepped, nothing is renewed): the command
        // in force expires after its 2 s and the miner releases along its ramp — in level steps, never all at once.
        double low = Telemetry()[^1].Level;
        JsonElement hold = alice.TryRequest("mode", OperatorConsole.Mode(OperatorConsole.NewId(), "hold")) ?? throw new Xunit.Sdk.XunitException("no reply to mode");
        Assert.True(hold.GetProperty("ok").GetBoolean(), hold.ToString());
        TimeSpan stopped = Now();
        Wait.Until(() => Telemetry().Any(t => t.At > stopped && t.Level >= 99), TimeSpan.FromSeconds(60), "the miner released back to 100 %",
            () => string.Join(' ', Telemetry().TakeLast(40).Select(t => t.Level)));
        var release = Telemetry().Where(t => t.At > stopped).ToList();
        double largestStep = release.Zip(release.Skip(1), (a, b) => b.Level - a.Level).Max();
        output.WriteLine($"released {low:F0} → 100 % in {(release.First(t => t.Level >= 99).At - stopped).TotalSeconds:F1} s, largest step {largestStep:F0} %");
        Assert.True(largestStep <= 10 + 1e-9, $"the miner released in a step of {largestStep} %");
    }

    /// <summary>
    /// A flat load: 60 % of 3 kW (1.8 kW) for the whole run, no noise. The agents' rated power is the profile's peak
    /// (1.8 kW) shared by three: each sim GPU node demands 600 W (uncapped at its 600 W maximum), the miner runs at 600 W.
    /// </summary>
    private const string Flat = "ai-training:peak_w=3000,duration_s=600,idle_frac=0.6,noise_frac=0,first_idle_s=3600";

    [Fact]
    public void A_cap_on_a_sim_GPU_agent_lowers_the_measured_load_by_what_it_withholds_the_grid_carries_the_miner_and_the_energy_lost_is_accounted()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker("sim-gpu-0", "sim-gpu-1", "sim-miner-0");
        _state.Create();
        // The racks' rated power set high keeps the miner running (its reserve): Edge does not curtail it here.
        using InProcessDaemon edge = InProcessDaemon.StartWith(_state.Path, null, broker.DaemonOverrides(
            $"Sim:Profile={Flat}", "Edge:LeverExpectedLoadMaxW=1000000", $"Sim:AgentPasswordDirectory={broker.SecretsDirectory}"));
        using var states = new StateRecorder(broker);
        // An independent subscriber (another node's account, which reads the site's agents) records the GPU node's telemetry.
        using var gpu = new ChildProcess("/usr/bin/stdbuf", ["-oL", Peers.MosquittoSub, .. broker.As($"edge-{ShippedBroker.Site}-edge2"), "-t", $"edge/{ShippedBroker.Site}/agents/sim-gpu-0/telemetry"]);
        List<JsonElement> Telemetry() => gpu.Lines.Where(l => l.Line.StartsWith('{')).Select(l => JsonDocument.Parse(l.Line).RootElement.Clone()).ToList();

        states.WaitFor(s => new[] { "sim-gpu-0", "sim-gpu-1", "sim-miner-0" }.All(id => Agent(s, id) is { } a && a.GetProperty("active").GetBoolean())
            && s.TryGetProperty("levers", out _), "the three simulated agents counted on and the levers in state");
        DateTimeOffset counted = DateTimeOffset.UtcNow;
        Wait.Until(() => states.States.Count(s => Ts(s) > counted.AddSeconds(2)) >= 10, Timeout, "2 s of settled state and 1 s more");
        double Mean(IEnumerable<JsonElement> window, Func<JsonElement, double> f) => window.Select(f).Average();
        double Load(JsonElement s) => s.GetProperty("load_w").GetProperty("mean").GetDouble();
        double Grid(JsonElement s) => s.GetProperty("grid_w").GetProperty("mean").GetDouble();
        double Battery(JsonElement s) => s.GetProperty("battery_w").GetProperty("mean").GetDouble();
        double MinerW(JsonElement s) => Agent(s, "sim-miner-0")!.Value.GetProperty("power_w").GetDouble();
        // What the grid carries beyond the racks' measured load (with the sim rig's 3 % no sensor sees) and the battery.
        double BeyondRacks(JsonElement s) => Grid(s) - (Load(s) * 1.03) + Battery(s);

        var before = states.States.Where(s => Ts(s) > counted.AddSeconds(2)).Take(10).ToList();
        double loadBefore = Mean(before, Load);
        JsonElement free = Telemetry()[^1];
        output.WriteLine($"uncapped: load {loadBefore:F0} W, sim-gpu-0 {free}");
        Assert.Equal(600, free.GetProperty("demand_w").GetDouble(), 1.0);
        Assert.Equal(600, free.GetProperty("power_w").GetDouble(), 1.0);
        Assert.InRange(loadBefore, 1800 * 0.98, 1800 * 1.02);
        // The miner is on its own feeder (Edge:LeverFlexInLoad false): the sensors do not see it, the grid does.
        double miner = Mean(before, MinerW), beyond = Mean(before, BeyondRacks);
        output.WriteLine($"miner {miner:F0} W; the grid carries {beyond:F0} W beyond the racks and the battery");
        Assert.True(miner > 500, $"the miner draws {miner:F0} W");
        Assert.Equal(miner, beyond, 0.05 * miner);
        JsonElement costsBefore = before[^1].GetProperty("levers");
        Assert.Equal(JsonValueKind.Number, costsBefore.GetProperty("gpu_energy_lost_wh").ValueKind); // known: the sim nodes report demand_w
        Assert.Equal(0, costsBefore.GetProperty("gpu_energy_lost_wh").GetDouble());

        // A 300 W cap on sim-gpu-0 (its hard minimum is 30 % of 600 W), sent as another node would send it.
        (int code, string said) = broker.Publish($"edge-{ShippedBroker.Site}-edge2", $"edge/{ShippedBroker.Site}/agents/sim-gpu-0/cmd/edge-{ShippedBroker.Site}-edge2/power-cap",
            $$"""{"id":"{{OperatorConsole.NewId()}}","expires_at":"{{OperatorConsole.Expires(60)}}","cap_w":300}""");
        Assert.True(code == 0, said);
        Wait.Until(() => Telemetry().Any(t => t.GetProperty("cap_w").GetDouble() == 300 && t.GetProperty("power_w").GetDouble() <= 300), Timeout, "sim-gpu-0 capped at 300 W",
            () => string.Join('\n', Telemetry().TakeLast(3)));
        DateTimeOffset capped = DateTimeOffset.UtcNow;
        // The controller answers the 300 W drop by moving the battery first and the grid along its ramp and band: while
        // they move, the grid meter's, sensors' and inverter's readings (each polled on its own I/O thread) are not
        // taken at the same instant, and on a starved box their staleness shows as tens of watts in the balance
        // (649 W for 600 W once under stress-ng). The balance is checked once grid and battery have settled: over 1 s of
        // states (10) neither moves by more than 20 W.
        static double Span(IEnumerable<double> v) => v.Max() - v.Min();
        DateTimeOffset settled = default;
        Wait.Until(() =>
        {
            var recent = states.States.Where(s => Ts(s) > capped.AddSeconds(1)).ToList();
            for (int i = 10; i <= recent.Count; i++)
            {
                var second = recent.GetRange(i - 10, 10);
                if (Span(second.Select(Grid)) <= 20 && Span(second.Select(Battery)) <= 20)
                {
                    settled = Ts(second[0]);
                    return recent.Count(s => Ts(s) >= settled) >= 30;
                }
            }

            return false;
        }, TimeSpan.FromSeconds(60), "grid and battery settled after the cap, and 3 s of state from there",
            () => string.Join(' ', states.States.Where(s => Ts(s) > capped).Select(s => $"{Grid(s):F0}/{Battery(s):F0}")));
        JsonElement held = Telemetry()[^1];
        double withheldW = held.GetProperty("demand_w").GetDouble() - held.GetProperty("power_w").GetDouble();
        var after = states.States.Where(s => Ts(s) >= settled).Take(30).ToList();
        output.WriteLine($"settled {(settled - capped).TotalSeconds:F1} s after the cap; grid/battery/beyond per state: {string.Join(' ', after.Select(s => $"{Grid(s):F0}/{Battery(s):F0}/{BeyondRacks(s):F0}"))}");
        double loadAfter = Mean(after, Load);
        output.WriteLine($"capped: {held}; load {loadAfter:F0} W (was {loadBefore:F0} W: −{loadBefore - loadAfter:F0} W, the cap withholds {withheldW:F0} W); grid beyond the racks {Mean(after, BeyondRacks):F0} W, miner {Mean(after, MinerW):F0} W");
        Assert.Equal("commanded", held.GetProperty("state").GetString());
        Assert.Equal(300, withheldW, 1.0);
        Assert.Equal(withheldW, loadBefore - loadAfter, 0.1 * withheldW);
        Assert.Equal(Mean(after, MinerW), Mean(after, BeyondRacks), 0.05 * Mean(after, MinerW));

        // The energy the capped node did not get, accounted from its demand_w: 300 W for the loop's time between two states.
        JsonElement first = after[0], last = after[^1];
        double lostWh = last.GetProperty("levers").GetProperty("gpu_energy_lost_wh").GetDouble() - first.GetProperty("levers").GetProperty("gpu_energy_lost_wh").GetDouble();
        // The loop's time between the two: seq counts the cycles run and misses the slots an overrun skipped (the span
        // looks shorter: 2.90 s for 4.4 s once under stress-ng), ts jitters by up to ~100 ms; the longer is the closer.
        double spanS = Math.Max((last.GetProperty("seq").GetInt64() - first.GetProperty("seq").GetInt64()) * SimPeriodS, (Ts(last) - Ts(first)).TotalSeconds);
        output.WriteLine($"gpu_energy_lost_wh +{lostWh:F3} Wh over {spanS:F2} s of loop time: {lostWh * 3600 / spanS:F0} W lost; levers {last.GetProperty("levers")}");
        Assert.Equal(withheldW, lostWh * 3600 / spanS, 0.15 * withheldW); // ±15 %: the figure is published to 0.01 Wh
        Assert.True(last.GetProperty("levers").GetProperty("gpu_capped_s").GetDouble() > 0, last.ToString());
    }

    [Fact]
    public void A_site_limit_is_refused_with_a_reason_when_malformed_or_beyond_the_hard_ramp_limit()
    {
        if (!Available())
        {
            return;
        }

        using var broker = new ShippedBroker();
        using var alice = new OperatorConsole(broker, "alice");
        _state.Create();
        using InProcessDaemon edge = InProcessDaemon.StartWith(_state.Path, null, broker.DaemonOverrides("Sim:GpuAgents=0", "Sim:MinerAgents=0", "Sim:ForeignAgents=true"));
        alice.Ready();
        string E() => OperatorConsole.Expires(60);
        (string Payload, string Error)[] cases =
        [
            ($$"""{"id":"a1","expires_at":"{{E()}}","duration_s":10}""", "exactly one of max_w"),
            ($$"""{"id":"a2","expires_at":"{{E()}}","max_w":100,"reduce_pct":10,"duration_s":10}""", "exactly one of max_w"),
            ($$"""{"id":"a3","expires_at":"{{E()}}","reduce_pct":30}""", "missing field 'duration_s'"),
            ($$"""{"id":"a4","expires_at":"{{E()}}","reduce_pct":130,"duration_s":10}""", "reduce_pct must be in [0, 100]"),
            ($$"""{"id":"a5","expires_at":"{{E()}}","reduce_pct":"30","duration_s":10}""", "reduce_pct must be a number"),
            ($$"""{"id":"a6","expires_at":"{{E()}}","reduce_pct":30,"duration_s":10,"speed":1}""", "unknown field 'speed'"),
            ($$"""{"id":"a7","expires_at":"{{E()}}","reduce_pct":30,"duration_s":10,"emergency_ramp_w_per_s":1e9}""", "exceeds the hard limit"),
            ($$"""{"id":"a8","expires_at":"{{E()}}","cancel":true}""", "no site limit is in force"),
        ];
        foreach ((string payload, string error) in cases)
        {
            JsonElement reply = alice.TryRequest("site-limit", payload) ?? throw new Xunit.Sdk.XunitException("no reply to " + payload);
            output.WriteLine($"{payload} → {reply}");
            Assert.False(reply.GetProperty("ok").GetBoolean(), payload);
            Assert.Contains(error, reply.GetProperty("error").GetString(), StringComparison.Ordinal);
            Thread.Sleep(600); // the operator's rate limit (2/s, burst 5) is not what this test is about
        }

        Assert.True(double.IsPositiveInfinity(edge.Daemon.Cycle!.Controller.Limits.GridCapW));
    }

    [Fact]
    public void The_sim_rig_never_counts_on_an_agent_it_did_not_start()
    {
        // A real flexible load (here a paho agent, "flex-7") on the broker and site a demo joins: the sim rig counts on
        // its own simulated agents only, so flex-7 is never counted on, never commanded, and the log says why.
        if (!Available(Peers.Python3, Peers.Paho))
        {
            return;
        }

        using var broker = new ShippedBroker("sim-gpu-0", "sim-gpu-1", "sim-miner-0", "flex-7");
        _state.Create();
        using InProcessDaemon edge = InProcessDaemon.StartWith(_state.Path, null, broker.DaemonOverrides($"Sim:AgentPasswordDirectory={broker.SecretsDirectory}"));
        using var states = new StateRecorder(broker);
        using var agent = new ChildProcess(Peers.Python3,
            [Path.Combine(AppContext.BaseDirectory, "Agents", "agent.py"), "127.0.0.1", broker.Port.ToString(CultureInfo.InvariantCulture), "flex-7", broker.Password("flex-7"), ShippedBroker.Site, "30"]);
        states.WaitFor(s => new[] { "sim-gpu-0", "sim-gpu-1", "sim-miner-0" }.All(id => Agent(s, id) is { } a && a.GetProperty("active").GetBoolean()),
            "the three simulated agents counted on in state");
        Wait.Until(() => edge.Log.Lines.Any(l => l.Contains("agent flex-7 on edge/", StringComparison.Ordinal) && l.Contains("ignored", StringComparison.Ordinal)),
            Timeout, "the log line saying flex-7 is ignored");
        int seen = states.States.Count;
        Wait.Until(() => states.States.Count > seen + 20, Timeout, "2 s more of state");
        Assert.All(states.States, s => Assert.Null(Agent(s, "flex-7")));
        Assert.DoesNotContain(edge.Log.Lines, l => l.Contains("agent flex-7 counted on", StringComparison.Ordinal));
    }

    [Fact]
    public void An_agent_that_stops_publishing_telemetry_is_dropped_within_1_s_and_its_will_drops_it_at_once()
    {
        if (!Available(Peers.Python3, Peers.Paho))
        {
            return;
        }

        using var broker = new ShippedBroker("flex-7");
        using var alice = new OperatorConsole(broker, "alice");
        _state.Create();
        using InProcessDaemon edge = InProcessDaemon.StartWith(_state.Path, null, broker.DaemonOverrides("Sim:GpuAgents=0", "Sim:MinerAgents=0", "Sim:ForeignAgents=true"));
        using var states = new StateRecorder(broker);
        alice.Ready();
        using var agent = new ChildProcess(Peers.Python3,
            [Path.Combine(AppContext.BaseDirectory, "Agents", "agent.py"), "127.0.0.1", broker.Port.ToString(CultureInfo.InvariantCulture), "flex-7", broker.Password("flex-7"), ShippedBroker.Site, "4"]);
        states.WaitFor(s => Agent(s, "flex-7") is { } a && a.GetProperty("active").GetBoolean(), "flex-7 counted on");
        string last = agent.WaitForLine(l => l.StartsWith("LAST ", StringComparison.Ordinal), Timeout, "the agent's last telemetry").Line;
        var lastAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(last[5..], CultureInfo.InvariantCulture) * 1000));
        JsonElement dropped = states.WaitFor(s => Ts(s) > lastAt && Agent(s, "flex-7") is { } a && !a.GetProperty("active").GetBoolean(), "flex-7 dropped");
        double afterS = (Ts(dropped) - lastAt).TotalSeconds;
        output.WriteLine($"dropped {afterS:F2} s after its last telemetry: {Agent(dropped, "flex-7")}");
        Assert.StartsWith("no telemetry for", Agent(dropped, "flex-7")!.Value.GetProperty("dropped").GetString(), StringComparison.Ordinal);
        Assert.True(afterS >= 0.9, $"dropped {afterS:F2} s after the last telemetry: before the stated 1 s");
        Assert.True(afterS <= 1.5, $"dropped {afterS:F2} s after the last telemetry: the stated time is 1 s (+ one 100 ms sweep, one 100 ms state window and delivery on a loaded machine)");
        Assert.Contains(edge.Log.Lines, l => l.Contains("agent flex-7 dropped from the plan: no telemetry", StringComparison.Ordinal));

        // kill -9: the broker publishes its Will (retained offline) once the keep-alive lapses, and Edge says why.
        agent.Signal(ChildProcess.SigKill);
        states.WaitFor(s => Agent(s, "flex-7") is { } a && a.TryGetProperty("dropped", out JsonElement why) && why.GetString() == "offline", "flex-7 offline (its Will)", TimeSpan.FromSeconds(20));
    }
}
