using System.Buffers;
using System.Text;
using System.Text.Json;
using Edge.Agents.Registry;
using Edge.Core.Control;
using Edge.Core.Levers;
using Edge.Core.Timing;
using Edge.Daemon;
using Edge.Runtime.Handoff;
using Edge.Tests.Shared;

namespace Edge.Tests.Daemon;

/// <summary>
/// The daemon's sections of the state message (<see cref="DaemonStateExtension"/>): written allocation-free by the
/// publisher thread, and the GPU energy lost under caps published as unknown (null) until an agent reports its demand,
/// then accounted from it — on virtual time, the daemon's own wiring of registry, lever coordinator and cycle.
/// </summary>
public sealed class DaemonStateTests
{
    private static void Send(AgentRegistry registry, string agent, string leaf, string json, long nowNs) =>
        Assert.True(registry.Handle($"edge/site1/agents/{agent}/{leaf}", Encoding.UTF8.GetBytes(json), false, nowNs) || leaf == "telemetry", $"{agent}/{leaf}");

    private static void Online(AgentRegistry registry, string agent, string capabilities, long nowNs)
    {
        Send(registry, agent, "status", """{"state":"online","ts_ms":1}""", nowNs);
        Send(registry, agent, "capabilities", capabilities, nowNs);
    }

    private const string GpuCapabilities = """{"kind":"gpu","min_w":2000,"max_w":10000,"response_ms":100,"knobs":["power-cap"],"telemetry_hz":10,"release_w_per_s":500,"release_jitter_s":0,"max_command_lifetime_s":300}""";

    private const string FlexCapabilities = """{"kind":"flex","min_w":0,"max_w":8000,"response_ms":2000,"knobs":["level"],"telemetry_hz":10,"release_w_per_s":100,"release_jitter_s":0,"level_step_pct":5,"max_command_lifetime_s":300}""";

    private static JsonElement State(DaemonStateExtension extension)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var j = new Utf8JsonWriter(buffer))
        {
            j.WriteStartObject();
            extension.WriteState(j);
            j.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
    }

    [Fact]
    public void A_state_message_with_agents_levers_backstop_and_a_site_limit_allocates_nothing_once_warm()
    {
        long nowNs = 1_000_000_000;
        var registry = new AgentRegistry("site1", TimeProvider.System);
        for (int i = 0; i < 4; i++)
        {
            Online(registry, $"gpu-node-{i:00}", GpuCapabilities, nowNs);
            Send(registry, $"gpu-node-{i:00}", "telemetry", $$"""{"seq":1,"ts_ms":1,"power_w":{{7000 + i}},"demand_w":9000,"cap_w":7000,"state":"commanded"}""", nowNs);
        }

        for (int i = 0; i < 3; i++)
        {
            Online(registry, $"miner-{i}", FlexCapabilities, nowNs);
            Send(registry, $"miner-{i}", "telemetry", """{"seq":1,"ts_ms":1,"power_w":6000,"level_pct":75,"state":"releasing"}""", nowNs);
        }

        Online(registry, "flex-9", FlexCapabilities, nowNs);
        Send(registry, "flex-9", "telemetry", """{"seq":1,"ts_ms":1,"power_w":-5,"state":"free"}""", nowNs); // refused: a last_error
        Send(registry, "gpu-node-00", "status", """{"state":"offline","ts_ms":2}""", nowNs); // dropped: offline
        registry.Sweep(nowNs);

        var siteLimit = new LatestValueMailbox<SiteLimitStatus>();
        siteLimit.Write(new SiteLimitStatus { Phase = SiteLimitPhase.Active, FromW = 40_000, TargetW = 28_000, RampWPerS = 200, ReachS = 60, DurationS = 600, ElapsedS = 12.5, GridW = 35_000, GridTargetW = 34_000, Feasible = true }, nowNs);
        var backstop = new LatestValueMailbox<BackstopFigures>();
        var b = new BackstopFigures { Tier = 2, Transitions = 3, Bands = 3 };
        for (int i = 0; i < 3; i++)
        {
            b.GridW[i] = 100 * i;
            b.GridHz[i] = 0.1 * (i + 1);
            b.LoadW[i] = 200 * i;
            b.LoadHz[i] = 0.2 * (i + 1);
        }

        backstop.Write(b, nowNs);
        var levers = new LatestValueMailbox<LeverFigures>();
        levers.Write(new LeverFigures { Costs = new LeverCosts { GpuEnergyLostWh = 1.5, GpuCappedS = 4 }, GpuAllowedW = double.PositiveInfinity, GpuEnergyLostKnown = true }, nowNs);
        var extension = new DaemonStateExtension(siteLimit, backstop, registry, levers);

        // What it writes: every part, the agents by id with their kind, demand, state, drop reason and refusals.
        JsonElement state = State(extension);
        Assert.Equal("active", state.GetProperty("site_limit").GetProperty("state").GetString());
        Assert.Equal(3, state.GetProperty("backstop").GetProperty("bands").GetArrayLength());
        Assert.Equal(1.5, state.GetProperty("levers").GetProperty("gpu_energy_lost_wh").GetDouble());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("levers").GetProperty("gpu_allowed_w").ValueKind);
        JsonElement agents = state.GetProperty("agents");
        Assert.Equal(8, agents.GetProperty("known").GetInt32());
        Assert.Equal(6, agents.GetProperty("active").GetInt32());
        JsonElement[] list = [.. agents.GetProperty("list").EnumerateArray()];
        Assert.Equal(["flex-9", "gpu-node-00", "gpu-node-01", "gpu-node-02", "gpu-node-03", "miner-0", "miner-1", "miner-2"], list.Select(a => a.GetProperty("id").GetString()));
        Assert.Equal("offline", list[1].GetProperty("dropped").GetString());
        Assert.Equal("gpu", list[2].GetProperty("kind").GetString());
        Assert.Equal(9000, list[2].GetProperty("demand_w").GetDouble());
        Assert.Equal(7001, list[2].GetProperty("power_w").GetDouble());
        Assert.Equal("commanded", list[2].GetProperty("state").GetString());
        Assert.Equal("releasing", list[5].GetProperty("state").GetString());
        Assert.False(list[5].TryGetProperty("demand_w", out _));
        Assert.Equal(1, list[0].GetProperty("refused").GetInt32());
        Assert.StartsWith("telemetry: $.power_w", list[0].GetProperty("last_error").GetString(), StringComparison.Ordinal);

        // As the publisher writes it: one writer over one reused buffer, reset per message.
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var j = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        void Write(int messages)
        {
            for (int i = 0; i < messages; i++)
            {
                buffer.ResetWrittenCount();
                j.Reset();
                j.WriteStartObject();
                extension.WriteState(j);
                j.WriteEndObject();
                j.Flush();
            }
        }

        Write(200); // warm-up: JIT tiers, the ids' encodings
        const int Messages = 10_000;
        Action pass = () => Write(Messages);
        long allocated = SteadyAllocations.PerPassMinimum(pass);
        Assert.True(allocated == 0, $"{allocated} B over {Messages} state messages ({(double)allocated / Messages:F1} B per message)");
        Assert.True(buffer.WrittenCount > 1000, $"{buffer.WrittenCount} B per message");
    }

    [Fact]
    public void Power_in_every_daemon_section_is_rounded_to_0_1_W_as_in_the_core_fields_and_the_site_limit_reply()
    {
        long nowNs = 1_000_000_000;
        var registry = new AgentRegistry("site1", TimeProvider.System);
        Online(registry, "gpu-node-00", GpuCapabilities, nowNs);
        Send(registry, "gpu-node-00", "telemetry", """{"seq":1,"ts_ms":1,"power_w":7000.06,"demand_w":9000.04,"cap_w":6999.97,"state":"commanded"}""", nowNs);
        Online(registry, "miner-0", FlexCapabilities, nowNs);
        Send(registry, "miner-0", "telemetry", """{"seq":1,"ts_ms":1,"power_w":285.09,"level_pct":75.123,"state":"releasing"}""", nowNs);
        registry.Sweep(nowNs);
        var siteLimit = new LatestValueMailbox<SiteLimitStatus>();
        siteLimit.Write(new SiteLimitStatus
        {
            Phase = SiteLimitPhase.Active, FromW = 2301.86, TargetW = 1999.94, RampWPerS = 12.346, ReachS = 60.257, DurationS = 600, ElapsedS = 12.567,
            GridW = 285.09, GridTargetW = 284.96, OverS = 1.234, MaxOverW = 12.34, MeterCorrectionW = -3.21, Feasible = true,
        }, nowNs);
        var backstop = new LatestValueMailbox<BackstopFigures>();
        var b = new BackstopFigures { Tier = 1, Transitions = 1, Bands = 1 };
        b.GridW[0] = 123.456;
        b.GridHz[0] = 0.123;
        b.LoadW[0] = 234.567;
        b.LoadHz[0] = 1.234;
        backstop.Write(b, nowNs);
        var levers = new LatestValueMailbox<LeverFigures>();
        levers.Write(new LeverFigures { Costs = new LeverCosts { FlexEnergyWh = 1.234 }, FlexCommandW = 1234.56, FlexReserveW = 99.99, GpuAllowedW = 5000.04, BatteryBudgetW = -0.06 }, nowNs);

        JsonElement state = State(new DaemonStateExtension(siteLimit, backstop, registry, levers));
        JsonElement limit = state.GetProperty("site_limit");
        Assert.Equal(2301.9, limit.GetProperty("from_w").GetDouble()); // as the site-limit reply says
        Assert.Equal(1999.9, limit.GetProperty("target_w").GetDouble());
        Assert.Equal(285.1, limit.GetProperty("grid_w").GetDouble());
        Assert.Equal(285.0, limit.GetProperty("grid_target_w").GetDouble());
        Assert.Equal(12.3, limit.GetProperty("max_over_w").GetDouble());
        Assert.Equal(-3.2, limit.GetProperty("meter_correction_w").GetDouble());
        Assert.Equal(12.35, limit.GetProperty("ramp_w_per_s").GetDouble()); // not a power: 0.01, as before
        Assert.Equal(12.57, limit.GetProperty("elapsed_s").GetDouble());
        JsonElement[] list = [.. state.GetProperty("agents").GetProperty("list").EnumerateArray()];
        Assert.Equal(7000.1, list[0].GetProperty("power_w").GetDouble());
        Assert.Equal(9000.0, list[0].GetProperty("demand_w").GetDouble());
        Assert.Equal(7000.0, list[0].GetProperty("cap_w").GetDouble());
        Assert.Equal(285.1, list[1].GetProperty("power_w").GetDouble());
        Assert.Equal(75.12, list[1].GetProperty("level_pct").GetDouble()); // percentages: 0.01 %
        JsonElement band = state.GetProperty("backstop").GetProperty("bands")[0];
        Assert.Equal(123.5, band.GetProperty("grid_amplitude_w").GetDouble());
        Assert.Equal(234.6, band.GetProperty("load_amplitude_w").GetDouble());
        Assert.Equal(0.12, band.GetProperty("grid_hz").GetDouble());
        JsonElement lever = state.GetProperty("levers");
        Assert.Equal(1234.6, lever.GetProperty("flex_command_w").GetDouble());
        Assert.Equal(100.0, lever.GetProperty("flex_reserve_w").GetDouble());
        Assert.Equal(5000.0, lever.GetProperty("gpu_allowed_w").GetDouble());
        Assert.Equal(-0.1, lever.GetProperty("battery_budget_w").GetDouble());
        Assert.Equal(1.23, lever.GetProperty("flex_energy_wh").GetDouble());

        // Every *_w number of the state, however deep, has at most one decimal.
        var text = new List<string>();
        void Walk(JsonElement e, string name)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    Walk(p.Value, p.Name);
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement x in e.EnumerateArray())
                {
                    Walk(x, name);
                }
            }
            else if (e.ValueKind == JsonValueKind.Number && name.EndsWith("_w", StringComparison.Ordinal))
            {
                text.Add($"{name}={e.GetRawText()}");
            }
        }

        Walk(state, "");
        Assert.True(text.Count >= 15, string.Join(", ", text));
        Assert.All(text, t => Assert.DoesNotMatch(@"\.\d\d", t));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_GPU_energy_lost_is_null_until_an_agent_reports_its_demand_then_grows_at_what_the_cap_withholds(bool reportsDemand)
    {
        var rig = new DaemonLoopRig(DaemonLoopRig.FastLoop(), racks: 8, DaemonLoopRig.LeversFor(DaemonLoopRig.FastLoop(), 80_000));
        VirtualClock clock = rig.Clock;
        AgentLevers levers = rig.Levers!;
        var registry = new AgentRegistry("site1", TimeProvider.System);
        var extension = new DaemonStateExtension(null, null, registry, levers.Figures.Reader(0));

        // A GPU node held 3 kW below what it wants (an operator's cap, a site limit's): it draws 7 kW of 10 kW.
        Online(registry, "g1", GpuCapabilities, clock.NowNs);
        long seq = 0;
        void Run(double seconds)
        {
            for (int period = 0; period < seconds * 1000; period++)
            {
                if (period % 100 == 0)
                {
                    // The registry thread's 100 ms sweep, between the loop's periods.
                    seq++;
                    string demand = reportsDemand ? ""","demand_w":10000""" : "";
                    Send(registry, "g1", "telemetry", $$"""{"seq":{{seq}},"ts_ms":1,"power_w":7000{{demand}},"cap_w":7000,"state":"commanded"}""", clock.NowNs);
                    registry.Sweep(clock.NowNs);
                    levers.Publish(registry);
                }

                rig.Step(5_000, 40_000);
            }
        }

        Run(2);
        JsonElement first = State(extension).GetProperty("levers");
        Run(10);
        JsonElement later = State(extension).GetProperty("levers");
        Assert.True(later.GetProperty("gpu_capped_s").GetDouble() >= 10, later.ToString()); // bound either way: it draws at its cap
        if (!reportsDemand)
        {
            // The node cannot say what it would draw uncapped (as NVML cannot): the energy lost is unknown, not 0.
            Assert.Equal(JsonValueKind.Null, first.GetProperty("gpu_energy_lost_wh").ValueKind);
            Assert.Equal(JsonValueKind.Null, later.GetProperty("gpu_energy_lost_wh").ValueKind);
            return;
        }

        // 3 kW withheld for 10 s of virtual time: 8.33 Wh more.
        double grownWh = later.GetProperty("gpu_energy_lost_wh").GetDouble() - first.GetProperty("gpu_energy_lost_wh").GetDouble();
        Assert.Equal(3_000 * 10 / 3600.0, grownWh, 0.02);
    }
}
