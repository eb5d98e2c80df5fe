using System.Text;
using Edge.Agents.Registry;
using Edge.Core.Forecast;

namespace Edge.Agents.Tests;

/// <summary>The Edge-side registry on virtual time: drop-out, strictness, announcements, bounds.</summary>
public sealed class AgentRegistryTests
{
    private const long S = 1_000_000_000;
    private const string Caps = """{"kind":"flex","min_w":100,"max_w":500,"response_ms":2000,"knobs":["level"],"telemetry_hz":10,"release_w_per_s":25,"release_jitter_s":0,"level_step_pct":5,"max_command_lifetime_s":300}""";

    private static bool Send(AgentRegistry r, string agent, string leaf, string payload, long nowNs, bool retained = false) =>
        r.Handle($"edge/site1/agents/{agent}/{leaf}", Encoding.UTF8.GetBytes(payload), retained, nowNs);

    private static string Telemetry(long seq, double powerW) => $$"""{"seq":{{seq}},"ts_ms":1,"power_w":{{powerW}},"level_pct":80,"state":"free"}""";

    [Fact]
    public void An_agent_counts_while_online_with_capabilities_and_fresh_telemetry_and_is_dropped_after_1_s_without_it()
    {
        var r = new AgentRegistry("site1", TimeProvider.System);
        var changes = new List<(string, bool, string?)>();
        r.Changed = (id, active, why) => changes.Add((id, active, why));
        Assert.True(Send(r, "m1", "status", """{"state":"online","ts_ms":1}""", 0));
        Assert.True(Send(r, "m1", "capabilities", Caps, 0));
        Assert.Equal(0, r.Sweep(0).Active); // no telemetry yet
        long t = 10 * S;
        for (int i = 1; i <= 10; i++, t += S / 10)
        {
            Assert.True(Send(r, "m1", "telemetry", Telemetry(i, 400), t));
        }

        long last = t - (S / 10);
        AgentFleet fleet = r.Sweep(last + S);
        Assert.Equal(1, fleet.Active);
        Assert.Equal(400, fleet.PowerW);
        Assert.Equal(300, fleet.FlexCurtailableW); // 400 W down to min_w 100 W
        fleet = r.Sweep(last + S + 1);
        Assert.Equal(0, fleet.Active);
        Assert.Equal([("m1", true, (string?)null), ("m1", false, "no telemetry for 1.0 s")], changes);

        // Telemetry resumes: counted on again; a gap in seq is counted; the Will (offline) drops it at once.
        Assert.True(Send(r, "m1", "telemetry", Telemetry(15, 300), last + (2 * S)));
        Assert.Equal(1, r.Sweep(last + (2 * S)).Active);
        Assert.Equal(4, r.Snapshot()[0].TelemetryGaps);
        Assert.True(Send(r, "m1", "status", """{"state":"offline","ts_ms":2}""", last + (2 * S)));
        Assert.Equal(0, r.Sweep(last + (2 * S)).Active);
        Assert.Equal("offline", r.Snapshot()[0].DroppedBecause);
    }

    [Fact]
    public void An_agent_the_registry_does_not_admit_is_never_counted_on_and_is_reported_once()
    {
        // The sim rig admits only its own simulated agents: a real miner on the same broker and site must not be
        // counted on, so it is never commanded.
        var ignored = new List<string>();
        var r = new AgentRegistry("site1", TimeProvider.System) { Admits = id => id.StartsWith("sim-", StringComparison.Ordinal) };
        r.Ignored = ignored.Add;
        foreach (string agent in new[] { "sim-miner-0", "real-miner-7" })
        {
            Send(r, agent, "status", """{"state":"online","ts_ms":1}""", 0);
            Send(r, agent, "capabilities", Caps, 0);
            for (int i = 1; i <= 5; i++)
            {
                Send(r, agent, "telemetry", Telemetry(i, 400), i * S / 10);
            }
        }

        AgentFleet fleet = r.Sweep(S / 2);
        Assert.Equal(1, fleet.Active);
        Assert.Equal(["sim-miner-0"], r.Snapshot().Select(a => a.Id));
        Assert.Equal(["real-miner-7"], ignored);
        Assert.Equal(1, r.IgnoredAgents);
        Assert.Equal(0, r.Refused);
    }

    [Fact]
    public void Malformed_messages_are_refused_with_their_reason_and_change_nothing()
    {
        var r = new AgentRegistry("site1", TimeProvider.System);
        Send(r, "m1", "status", """{"state":"online","ts_ms":1}""", 0);
        Send(r, "m1", "capabilities", Caps, 0);
        Send(r, "m1", "telemetry", Telemetry(1, 400), 0);
        Assert.False(Send(r, "m1", "telemetry", """{"seq":2,"ts_ms":1,"power_w":"400","state":"free"}""", 0));
        Assert.False(Send(r, "m1", "telemetry", """{"seq":2,"ts_ms":1,"power_w":400,"state":"free","extra":1}""", 0));
        Assert.False(Send(r, "m1", "capabilities", Caps.Replace("\"min_w\":100", "\"min_w\":900", StringComparison.Ordinal), 0));
        Assert.False(Send(r, "bad level!", "telemetry", Telemetry(1, 1), 0));
        Assert.False(Send(r, "m1", "cmd", "{}", 0));
        AgentView v = r.Snapshot().Single();
        Assert.Equal(3, v.Refused);
        Assert.StartsWith("capabilities: $.max_w", v.LastError, StringComparison.Ordinal);
        Assert.Equal(100, v.MinW); // the first capabilities stand: nothing received widens or replaces them with junk
        Assert.Equal(400, r.Sweep(0).PowerW);
        Assert.False(r.Handle("edge/site1/agents/m1/cmd/edge1/level", "{}"u8, false, 0)); // commands are not the registry's
        Assert.False(r.Handle("edge/site2/agents/m1/telemetry", Encoding.UTF8.GetBytes(Telemetry(1, 1)), false, 0));
    }

    [Fact]
    public void Announcements_become_announced_phases_on_the_monotonic_clock_and_retained_ones_are_refused()
    {
        var r = new AgentRegistry("site1", TimeProvider.System);
        Assert.True(Send(r, "job42", "announce", """{"id":"job42:start","kind":"job_start","in_s":30,"power_w":250000}""", 5 * S));
        Assert.True(Send(r, "job42", "announce", """{"id":"job42:start","kind":"job_start","in_s":20,"power_w":200000}""", 6 * S)); // replaces
        Assert.False(Send(r, "job42", "announce", """{"id":"x","kind":"iteration","in_s":1,"power_w":1}""", 6 * S)); // period_s missing
        Assert.False(Send(r, "job42", "announce", """{"id":"y","kind":"job_end","in_s":1,"power_w":1}""", 6 * S, retained: true));
        AnnouncedPhase p = Assert.Single(r.Announcements());
        Assert.Equal(PhaseKind.JobStart, p.Kind);
        Assert.Equal(6 * S, p.ReceivedNs);
        Assert.Equal(26 * S, p.StartNs);
        Assert.Equal(200000, p.PowerW);
        Assert.Equal(1, r.Sweep(6 * S).Announcements);
        Assert.Equal(0, r.Sweep(100 * S).Announcements); // forgotten a minute after it began
    }

    [Fact]
    public void The_registry_holds_at_most_1024_agents()
    {
        var r = new AgentRegistry("site1", TimeProvider.System);
        for (int i = 0; i < AgentRegistry.MaxAgents + 10; i++)
        {
            Send(r, $"a{i}", "telemetry", Telemetry(1, 1), 0);
        }

        Assert.Equal(AgentRegistry.MaxAgents, r.Snapshot().Count);
        Assert.Equal(10, r.Refused);
    }
}
