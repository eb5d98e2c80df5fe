using System.Text;
using Edge.Agents.Contract;
using Edge.Core.Forecast;

namespace Edge.Agents.Tests;

/// <summary>Every message of the agent contract is parsed strictly; every refusal names the JSON path.</summary>
public class ContractTests
{
    private static ParseResult<T> Parse<T>(string json)
        where T : class, IAgentMessage => AgentJson.Parse<T>(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Valid_messages_parse_and_round_trip()
    {
        ParseResult<AgentTelemetry> t = Parse<AgentTelemetry>("""{"seq":5,"ts_ms":1764680000000,"power_w":512.5,"cap_w":600,"state":"commanded"}""");
        Assert.True(t.Ok, t.Error);
        Assert.Equal(512.5, t.Value!.PowerW);
        Assert.Equal(AgentState.Commanded, t.Value.State);
        Assert.Equal(t.Value, AgentJson.Parse<AgentTelemetry>(AgentJson.Serialize(t.Value)).Value);
        Assert.Null(t.Value.DemandW); // optional: absent when the agent cannot know it
        Assert.DoesNotContain("demand_w", Encoding.UTF8.GetString(AgentJson.Serialize(t.Value)), StringComparison.Ordinal);

        ParseResult<AgentTelemetry> d = Parse<AgentTelemetry>("""{"seq":6,"ts_ms":1764680000100,"power_w":600,"demand_w":750.5,"cap_w":600,"state":"commanded"}""");
        Assert.True(d.Ok, d.Error);
        Assert.Equal(750.5, d.Value!.DemandW);
        Assert.Equal(d.Value, AgentJson.Parse<AgentTelemetry>(AgentJson.Serialize(d.Value)).Value);

        ParseResult<AgentCapabilities> c = Parse<AgentCapabilities>("""
            {"kind":"gpu","min_w":800,"max_w":5600,"response_ms":100,"knobs":["power-cap","smoothing-profile"],
             "telemetry_hz":10,"release_w_per_s":50,"release_jitter_s":2,"smoothing_profiles":3,"max_command_lifetime_s":300}
            """);
        Assert.True(c.Ok, c.Error);
        Assert.Equal([AgentKnob.PowerCap, AgentKnob.SmoothingProfile], c.Value!.Knobs);
        Assert.Contains("\"power-cap\"", Encoding.UTF8.GetString(AgentJson.Serialize(c.Value)), StringComparison.Ordinal);

        ParseResult<AgentCommand> cmd = Parse<AgentCommand>("""{"id":"c-1","expires_at":"2030-01-01T00:00:00Z","cap_w":3000,"release_w_per_s":20}""");
        Assert.True(cmd.Ok, cmd.Error);
        Assert.Equal(3000, cmd.Value!.CapW);

        ParseResult<PhaseAnnouncement> a = Parse<PhaseAnnouncement>("""{"id":"job-42:start","kind":"job_start","in_s":30,"power_w":250000}""");
        Assert.True(a.Ok, a.Error);
        Assert.Equal(PhaseKind.JobStart, a.Value!.Kind);

        ParseResult<PhaseAnnouncement> it = Parse<PhaseAnnouncement>("""{"id":"job-42:it","kind":"iteration","at":"2030-01-01T00:00:00+01:00","power_w":180000,"period_s":2.5}""");
        Assert.True(it.Ok, it.Error);

        ParseResult<AgentReply> r = Parse<AgentReply>("""{"id":"c-1","ok":false,"error":"outside the local limits","ts_ms":1}""");
        Assert.True(r.Ok, r.Error);
    }

    [Fact]
    public void The_NVML_agent_reports_no_demand_even_under_a_binding_cap()
    {
        // Two GPUs wanting 500 W each under a 600 W node cap: the board draws the cap; what it would draw uncapped is
        // not something NVML can read, so the telemetry leaves demand_w out.
        var lever = new Edge.Agents.Nvml.GpuLever(new Edge.Agents.Nvml.FakeNvml(2, 100_000, 700_000, 500_000), new Edge.Agents.Nvml.GpuAgentOptions { MaxCapW = 1400, Identity = "gpu-01" });
        Assert.Null(lever.Sample(900_000_000, 1, 1).DemandW); // the first sample takes over the caps found (as the host's loop does)
        (double? applied, string? error) = lever.Apply("power-cap", new AgentCommand { Id = "c1", ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(30), CapW = 600 }, 1_000_000_000, 31_000_000_000);
        Assert.True(error is null, error);
        Assert.Equal(600, applied);
        AgentTelemetry t = lever.Sample(1_100_000_000, 2, 1);
        Assert.Equal(600, t.CapW);
        Assert.True(t.PowerW <= 600 + 1e-9, $"{t.PowerW} W");
        Assert.Null(t.DemandW);
        Assert.DoesNotContain("demand_w", Encoding.UTF8.GetString(AgentJson.Serialize(t)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"state":"free","extra":1}""", "extra")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"state":"free","seq":6}""", "$")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":"1","state":"free"}""", "$.power_w")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":-1,"state":"free"}""", "$.power_w")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1e400,"state":"free"}""", "$.power_w")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"state":1}""", "$.state")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"state":"asleep"}""", "$.state")]
    [InlineData("""{"seq":5,"ts_ms":1,"state":"free"}""", "power_w")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"state":"free",}""", "$")]
    [InlineData("""{"seq":5,/*c*/"ts_ms":1,"power_w":1,"state":"free"}""", "$")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"level_pct":101,"state":"free"}""", "$.level_pct")]
    [InlineData("""[1]""", "$")]
    [InlineData("""null""", "$")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":null,"state":"free"}""", "power_w")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"demand_w":-1,"state":"free"}""", "$.demand_w")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"demand_w":1e400,"state":"free"}""", "$.demand_w")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"demand_w":2e9,"state":"free"}""", "$.demand_w")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"demand_w":"600","state":"free"}""", "$.demand_w")]
    public void Bad_telemetry_is_refused_with_its_path(string json, string expected)
    {
        ParseResult<AgentTelemetry> t = Parse<AgentTelemetry>(json);
        Assert.False(t.Ok);
        Assert.Contains(expected, t.Error!, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", t.Error!, StringComparison.Ordinal); // the contract's words, never .NET's
        Assert.DoesNotContain(".NET", t.Error!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"state":"free","extra":1}""", "$.extra: unknown field (known: seq, ts_ms, power_w")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":1,"state":"free","seq":6}""", "$.seq: duplicate field")]
    [InlineData("""{"seq":5,"ts_ms":1,"power_w":"1","state":"free"}""", "$.power_w: must be a number")]
    [InlineData("""{"seq":"5","ts_ms":1,"power_w":1,"state":"free"}""", "$.seq: must be a whole number")]
    public void Refusals_say_what_the_contract_expects(string json, string said)
    {
        ParseResult<AgentTelemetry> t = Parse<AgentTelemetry>(json);
        Assert.False(t.Ok);
        Assert.StartsWith(said, t.Error!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"j","kind":"start","in_s":30,"power_w":1}""", "$.kind: must be one of \"job_start\", \"job_end\", \"checkpoint_begin\", \"checkpoint_end\", \"iteration\"")]
    public void A_wrong_name_is_answered_with_the_names_the_contract_knows(string json, string said)
    {
        ParseResult<PhaseAnnouncement> a = Parse<PhaseAnnouncement>(json);
        Assert.False(a.Ok);
        Assert.StartsWith(said, a.Error!, StringComparison.Ordinal);
        ParseResult<AgentTelemetry> t = Parse<AgentTelemetry>("""{"seq":5,"ts_ms":1,"power_w":1,"state":"busy"}""");
        Assert.StartsWith("$.state: must be one of \"free\", \"commanded\", \"releasing\", \"fault\"", t.Error!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"a b","expires_at":"2030-01-01T00:00:00Z","cap_w":1}""", "$.id")]
    [InlineData("""{"id":"a","expires_at":"tomorrow","cap_w":1}""", "$.expires_at")]
    [InlineData("""{"id":"a","expires_at":"2030-01-01T00:00:00Z","cap_w":1,"release_w_per_s":0}""", "$.release_w_per_s")]
    [InlineData("""{"id":"a","cap_w":1}""", "expires_at")]
    [InlineData("""{"id":"a","expires_at":"2030-01-01T00:00:00Z","profile":1.5}""", "$.profile")]
    public void Bad_commands_are_refused_with_their_path(string json, string expected)
    {
        ParseResult<AgentCommand> c = Parse<AgentCommand>(json);
        Assert.False(c.Ok);
        Assert.Contains(expected, c.Error!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"j","kind":"job_start","power_w":1}""", "$.at")]
    [InlineData("""{"id":"j","kind":"job_start","in_s":1,"at":"2030-01-01T00:00:00Z","power_w":1}""", "$.at")]
    [InlineData("""{"id":"j","kind":"iteration","in_s":1,"power_w":1}""", "$.period_s")]
    [InlineData("""{"id":"j","kind":"job_start","in_s":1,"power_w":1,"period_s":2}""", "$.period_s")]
    [InlineData("""{"id":"j","kind":"job_start","in_s":7200,"power_w":1}""", "$.in_s")]
    [InlineData("""{"id":"j","kind":"reboot","in_s":1,"power_w":1}""", "$.kind")]
    public void Bad_announcements_are_refused_with_their_path(string json, string expected)
    {
        ParseResult<PhaseAnnouncement> a = Parse<PhaseAnnouncement>(json);
        Assert.False(a.Ok);
        Assert.Contains(expected, a.Error!, StringComparison.Ordinal);
    }

    [Fact]
    public void Capabilities_must_be_consistent()
    {
        ParseResult<AgentCapabilities> c = Parse<AgentCapabilities>("""
            {"kind":"flex","min_w":5000,"max_w":1000,"response_ms":2000,"knobs":["level","level"],
             "telemetry_hz":5,"release_w_per_s":50,"release_jitter_s":2,"max_command_lifetime_s":300}
            """);
        Assert.False(c.Ok);
        Assert.Contains("$.max_w", c.Error!, StringComparison.Ordinal);
        Assert.Contains("$.telemetry_hz", c.Error!, StringComparison.Ordinal);
        Assert.Contains("$.knobs", c.Error!, StringComparison.Ordinal);
        Assert.Contains("$.level_step_pct", c.Error!, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_payload_is_refused_before_parsing()
    {
        string big = "{\"id\":\"" + new string('a', 5000) + "\"}";
        Assert.Contains("exceeds", Parse<AgentCommand>(big).Error!, StringComparison.Ordinal);
    }

    [Fact]
    public void Topics_follow_the_contract_and_refuse_bad_levels()
    {
        var t = new AgentTopics("site1", "gpu-07");
        Assert.Equal("edge/site1/agents/gpu-07/telemetry", t.Telemetry);
        Assert.Equal("edge/site1/agents/gpu-07/cmd/edge1/power-cap", t.Command("edge1", "power-cap"));
        Assert.Equal("edge/site1/agents/gpu-07/reply/edge1/power-cap", t.Reply("edge1", "power-cap"));
        Assert.True(t.TryParseCommandTopic("edge/site1/agents/gpu-07/cmd/edge1/level", out string sender, out string name));
        Assert.Equal(("edge1", "level"), (sender, name));
        Assert.False(t.TryParseCommandTopic("edge/site1/agents/gpu-07/cmd/edge1/level/x", out _, out _));
        Assert.False(t.TryParseCommandTopic("edge/site1/agents/gpu-08/cmd/edge1/level", out _, out _));
        Assert.Throws<ArgumentException>(() => new AgentTopics("site/1", "a"));
        Assert.Throws<ArgumentException>(() => new AgentTopics("site1", "a+"));
    }
}
