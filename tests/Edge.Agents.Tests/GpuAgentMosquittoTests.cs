using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Edge.Agents.Contract;
using Edge.Agents.Host;
using Edge.Agents.Nvml;
using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;
using Edge.Mqtt.Tests.Infrastructure;
using Edge.Runtime.Timing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Edge.Agents.Tests;

/// <summary>The GPU agent (fake NVML, 4 GPUs of 200–700 W) against a real mosquitto on a free loopback port.</summary>
public sealed class GpuAgentMosquittoTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly ConcurrentQueue<(string Topic, string Payload, bool Retain)> _seen = new();
    private readonly CancellationTokenSource _stop = new();
    private MosquittoBroker? _broker;
    private MqttClient? _operator;
    private AgentHost? _host;
    private Task? _run;

    private static MqttClientOptionsBuilder Options(int port, string id) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port).WithClientId(id)
        .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(50); r.MaxDelay = TimeSpan.FromMilliseconds(500); });

    private async Task<bool> Start(FakeNvml nvml, string? retainedCapJson = null)
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return false;
        }

        _broker = MosquittoBroker.Start();
        var lever = new GpuLever(nvml, new GpuAgentOptions { MaxCapW = 2800, ReleaseWPerS = 1000, ReleaseJitterS = 0.2, Identity = "gpu-07", MaxCommandLifetimeS = 60 });
        _host = new AgentHost(lever, new AgentTopics("site1", "gpu-07"), MonotonicClock.Instance, TimeProvider.System, NullLogger.Instance);
        _operator = new MqttClient();
        _operator.ApplicationMessageReceivedAsync += e =>
        {
            _seen.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString(), e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
        await _operator.ConnectAsync(Options(_broker.Port, "edge1").Build());
        await _operator.SubscribeAsync("edge/site1/agents/gpu-07/#", MqttQualityOfServiceLevel.AtLeastOnce).WaitAsync(Wait);
        if (retainedCapJson is not null)
        {
            // A stale command left retained on the broker: the agent receives it with the retain flag on subscribing.
            await _operator.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("edge/site1/agents/gpu-07/cmd/edge1/power-cap").WithPayload(retainedCapJson)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build()).WaitAsync(Wait);
        }

        _run = Task.Run(() => _host.Run(Options(_broker.Port, "gpu-07"), TimeSpan.FromSeconds(10), _stop.Token));
        await Until(() => Last("status")?.Contains("online", StringComparison.Ordinal) == true, "status online");
        return true;
    }

    private string? Last(string leaf) => _seen.LastOrDefault(m => m.Topic.EndsWith("/" + leaf, StringComparison.Ordinal)).Payload;

    private List<AgentTelemetry> Telemetry() => [.. _seen.Where(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal)).Select(m => AgentJson.Parse<AgentTelemetry>(Encoding.UTF8.GetBytes(m.Payload)).Value!)];

    private static async Task Until(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < Wait, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }

    private async Task<AgentReply> Send(string name, string json, bool retain = false)
    {
        int before = _seen.Count(m => m.Topic.EndsWith("/reply/edge1/" + name, StringComparison.Ordinal));
        await _operator!.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"edge/site1/agents/gpu-07/cmd/edge1/{name}").WithPayload(json)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build()).WaitAsync(Wait);
        await Until(() => _seen.Count(m => m.Topic.EndsWith("/reply/edge1/" + name, StringComparison.Ordinal)) > before, "the reply to " + name);
        string payload = _seen.Last(m => m.Topic.EndsWith("/reply/edge1/" + name, StringComparison.Ordinal)).Payload;
        ParseResult<AgentReply> r = AgentJson.Parse<AgentReply>(Encoding.UTF8.GetBytes(payload));
        Assert.True(r.Ok, r.Error);
        return r.Value!;
    }

    private static string Expiring(double inS, string body) =>
        $"{{\"id\":\"op-{Guid.NewGuid():N}\",\"expires_at\":\"{DateTimeOffset.UtcNow.AddSeconds(inS):O}\",{body}}}";

    [Fact]
    public async Task Caps_are_applied_telemetry_published_limits_held_and_the_expired_cap_released_along_the_ramp()
    {
        var nvml = new FakeNvml(4, minMw: 200_000, maxMw: 700_000, demandMw: 650_000);
        if (!await Start(nvml))
        {
            return;
        }

        // Capabilities: retained, strict, from the hardware and the local limits.
        AgentCapabilities caps = AgentJson.Parse<AgentCapabilities>(Encoding.UTF8.GetBytes(Last("capabilities")!)).Value!;
        Assert.Equal([AgentKnob.PowerCap], caps.Knobs);
        Assert.Equal((800.0, 2800.0), (caps.MinW, caps.MaxW));

        // Telemetry at ≥ 10 Hz: sequence numbers over the agent's own timestamps, over at least 2 s.
        await Until(() => Telemetry() is { Count: > 20 } t && t[^1].TsMs - t[0].TsMs >= 2000, "2 s of telemetry");
        List<AgentTelemetry> window = Telemetry();
        double rateHz = (window[^1].Seq - window[0].Seq) / ((window[^1].TsMs - window[0].TsMs) / 1000.0);
        output.WriteLine($"telemetry rate {rateHz:F2} Hz, {window.Count} messages received of {window[^1].Seq - window[0].Seq + 1} sent");
        Assert.InRange(rateHz, 9.5, 10.5);
        Assert.Equal(window[^1].Seq - window[0].Seq + 1, window.Count);
        Assert.Equal(4 * 650, Telemetry()[^1].PowerW, 6);

        // A cap within the limits: applied on every GPU, visible in telemetry.
        AgentReply ok = await Send("power-cap", Expiring(3, "\"cap_w\":1600"));
        Assert.True(ok.Ok, ok.Error);
        Assert.Equal(1600, ok.Applied);
        Assert.All(Enumerable.Range(0, 4), g => Assert.Equal(400_000u, nvml.LimitMw((uint)g)));
        await Until(() => Telemetry()[^1] is { State: AgentState.Commanded, PowerW: 1600 }, "capped telemetry");

        // Beyond the local limits, retained, or malformed: refused, nothing changes.
        AgentReply wide = await Send("power-cap", Expiring(3, "\"cap_w\":5000"));
        Assert.False(wide.Ok);
        Assert.Contains("local limits", wide.Error!, StringComparison.Ordinal);
        AgentReply bad = await Send("power-cap", Expiring(3, "\"cap_w\":\"900\""));
        Assert.False(bad.Ok);
        Assert.Contains("$.cap_w", bad.Error!, StringComparison.Ordinal);
        AgentReply profile = await Send("smoothing-profile", Expiring(3, "\"profile\":1"));
        Assert.False(profile.Ok);
        Assert.Contains("not supported", profile.Error!, StringComparison.Ordinal);
        Assert.All(Enumerable.Range(0, 4), g => Assert.Equal(400_000u, nvml.LimitMw((uint)g)));

        // Expiry: the cap goes back to 2800 W along the 1000 W/s ramp (250 W/s per GPU), never in one step.
        int setsBefore = nvml.SetCalls.Count;
        await Until(() => Telemetry()[^1].State == AgentState.Free, "the release to finish");
        List<uint> gpu0 = [.. nvml.SetCalls.Skip(setsBefore).Where(c => c.Gpu == 0).Select(c => c.LimitMw)];
        output.WriteLine("GPU 0 limits during the release (mW): " + string.Join(' ', gpu0));
        Assert.Equal(700_000u, gpu0[^1]);
        Assert.True(gpu0.Count >= 8, "the release was not ramped");
        for (int i = 1; i < gpu0.Count; i++)
        {
            Assert.True(gpu0[i] >= gpu0[i - 1], "the release went backwards");
            // 250 W/s per GPU at 10 Hz: at most 25 W per write, however late a sample is.
            Assert.True(gpu0[i] - gpu0[i - 1] <= 25_001, $"a release step of {(gpu0[i] - gpu0[i - 1]) / 1000} W");
        }

        Assert.Contains(Telemetry(), t => t.State == AgentState.Releasing);
    }

    [Fact]
    public async Task A_command_left_retained_on_the_broker_is_refused_when_the_agent_subscribes()
    {
        var nvml = new FakeNvml(4, 200_000, 700_000, 650_000);
        if (!await Start(nvml, Expiring(30, "\"cap_w\":1000")))
        {
            return;
        }

        await Until(() => _seen.Any(m => m.Topic.EndsWith("/reply/edge1/power-cap", StringComparison.Ordinal)), "the reply to the retained command");
        AgentReply r = AgentJson.Parse<AgentReply>(Encoding.UTF8.GetBytes(_seen.First(m => m.Topic.EndsWith("/reply/edge1/power-cap", StringComparison.Ordinal)).Payload)).Value!;
        Assert.False(r.Ok);
        Assert.Contains("retained", r.Error!, StringComparison.Ordinal);
        Assert.Equal(700_000u, nvml.LimitMw(0));
    }

    [Fact]
    public async Task No_permission_is_answered_and_nothing_is_applied()
    {
        var nvml = new FakeNvml(4, 200_000, 700_000, 650_000);
        nvml.Answers["SetPowerLimitMw"] = NvmlReturn.NoPermission;
        if (!await Start(nvml))
        {
            return;
        }

        AgentReply r = await Send("power-cap", Expiring(3, "\"cap_w\":1600"));
        Assert.False(r.Ok);
        Assert.Contains("NO_PERMISSION", r.Error!, StringComparison.Ordinal);
        Assert.Equal(700_000u, nvml.LimitMw(0));
        await Until(() => Telemetry().Count > 3, "telemetry");
        Assert.Equal(AgentState.Free, Telemetry()[^1].State);
    }

    [Fact]
    public async Task Without_power_limit_support_the_knob_is_absent_and_telemetry_continues()
    {
        var nvml = new FakeNvml(2, 200_000, 700_000, 500_000);
        nvml.Answers["PowerLimitConstraintsMw"] = NvmlReturn.NotSupported;
        if (!await Start(nvml))
        {
            return;
        }

        await Until(() => Last("capabilities") is not null, "capabilities");
        using JsonDocument caps = JsonDocument.Parse(Last("capabilities")!);
        Assert.Equal(0, caps.RootElement.GetProperty("knobs").GetArrayLength());
        AgentReply r = await Send("power-cap", Expiring(3, "\"cap_w\":600"));
        Assert.False(r.Ok);
        Assert.Contains("NOT_SUPPORTED", r.Error!, StringComparison.Ordinal);
        await Until(() => Telemetry().Count > 3, "telemetry");
        Assert.Equal(1000, Telemetry()[^1].PowerW, 6);
    }

    [Fact]
    public async Task Caps_left_by_a_killed_agent_are_released_along_the_ramp_at_start()
    {
        var nvml = new FakeNvml(4, 200_000, 700_000, 650_000);
        for (uint g = 0; g < 4; g++)
        {
            Assert.Equal(NvmlReturn.Success, nvml.SetPowerLimitMw(g, 300_000));
        }

        int before = nvml.SetCalls.Count;
        if (!await Start(nvml))
        {
            return;
        }

        await Until(() => Telemetry().Count > 0 && Telemetry()[^1].State == AgentState.Free, "the release to finish");
        List<uint> gpu0 = [.. nvml.SetCalls.Skip(before).Where(c => c.Gpu == 0).Select(c => c.LimitMw)];
        Assert.True(gpu0.Count >= 10, "released in one step");
        Assert.True(gpu0[0] <= 325_001, $"first write {gpu0[0]} mW: a step from the 300 W found");
        for (int i = 1; i < gpu0.Count; i++)
        {
            Assert.InRange(gpu0[i] - gpu0[i - 1], 0u, 25_001u);
        }
        Assert.Equal(700_000u, gpu0[^1]);
    }

    [Fact]
    public void A_smoothing_profile_is_activated_on_every_gpu_and_a_null_profile_releases_it()
    {
        // What Edge sends under backstop tier 2 and when it ends (docs/agents.md, "What each tier does").
        var nvml = new FakeNvml(2, 200_000, 700_000, 500_000);
        nvml.Answers["ActivateSmoothingProfile"] = NvmlReturn.Success;
        var lever = new GpuLever(nvml, new GpuAgentOptions { SmoothingProfiles = 4 });
        Assert.Contains(AgentKnob.SmoothingProfile, lever.Capabilities.Knobs);
        var on = new AgentCommand { Id = "a", ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(10), Profile = 2 };
        Assert.Equal((2.0, (string?)null), lever.Apply("smoothing-profile", on, 0, 10));
        Assert.Equal(new Dictionary<uint, int> { [0] = 2, [1] = 2 }, nvml.SmoothingProfiles);
        Assert.Equal(((double?)null, (string?)null), lever.Apply("smoothing-profile", on with { Profile = null }, 0, 10));
        Assert.Empty(nvml.SmoothingProfiles);
        (double? _, string? error) = lever.Apply("smoothing-profile", on with { Profile = 4 }, 0, 10);
        Assert.Contains("profile must be 0 to 3", error!, StringComparison.Ordinal);
        nvml.Answers["SetSmoothingState"] = NvmlReturn.NoPermission;
        lever.Apply("smoothing-profile", on, 0, 10);
        (_, error) = lever.Apply("smoothing-profile", on with { Profile = null }, 0, 10);
        Assert.Contains("nvmlDevicePowerSmoothingSetState", error!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gpu_without_instantaneous_power_is_refused_at_start()
    {
        var nvml = new FakeNvml(1, 200_000, 700_000, 500_000);
        nvml.Answers["PowerInstantMw"] = NvmlReturn.NotSupported;
        AgentStartException e = Assert.Throws<AgentStartException>(() => new GpuLever(nvml, new GpuAgentOptions()));
        Assert.Contains("NVML_FI_DEV_POWER_INSTANT", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_that_never_reached_its_broker_stops_promptly_without_an_error()
    {
        // A port that accepts TCP and never answers CONNECT: the agent has no session, so it has no one to say
        // "offline" to (the Will would say it); its stop must end, not fail on a publish that cannot be acknowledged.
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
            var lever = new GpuLever(new FakeNvml(1, 200_000, 700_000, 500_000), new GpuAgentOptions { MaxCapW = 700, Identity = "gpu-09" });
            using var host = new AgentHost(lever, new AgentTopics("site1", "gpu-09"), MonotonicClock.Instance, TimeProvider.System, NullLogger.Instance);
            using var stop = new CancellationTokenSource();
            Task run = Task.Run(() => host.Run(Options(port, "gpu-09"), TimeSpan.FromSeconds(1), stop.Token));
            await Until(() => host.TelemetrySent > 3, "the agent's sampling loop");
            Assert.False(run.IsCompleted);
            var sw = Stopwatch.StartNew();
            await stop.CancelAsync();
            await run.WaitAsync(Wait); // throws if the stop failed
            output.WriteLine($"stopped in {sw.Elapsed.TotalSeconds:0.00} s without a broker session");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {sw.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            silent.Stop();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _run?.Wait(TimeSpan.FromSeconds(20));
        }
        catch (AggregateException)
        {
        }

        _host?.Dispose();
        _operator?.Dispose();
        _broker?.Dispose();
        _stop.Dispose();
    }
}
