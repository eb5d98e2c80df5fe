using System.Text;
using Edge.Agents.Registry;
using Edge.Core.Control;
using Edge.Core.Levers;
using Edge.Core.Timing;
using Edge.Daemon;
using Edge.Mqtt.Client;
using Edge.Runtime.Handoff;
using Edge.Tests.Daemon;
using Xunit.Abstractions;

namespace Edge.Tests.Deploy;

/// <summary>
/// Backstop tier 2 end to end on the shipped mosquitto and ACL: the daemon's own wiring — loop (<see cref="ControlCycle"/>
/// with <see cref="DaemonCommands"/> on virtual time), <see cref="AgentLevers"/> reading the tier from its mailbox as
/// the pump writes it, the sender publishing as Edge's node account — and an independent <c>mosquitto_sub</c> on another
/// node's account recording what reaches the agents' command topics.
/// </summary>
public sealed class BackstopSmoothingProfileTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    private const string EdgeUser = "edge-site1-edge1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Tier_2_sends_the_smoothing_profile_to_the_agent_with_the_knob_only_and_releases_it_when_the_tier_ends()
    {
        if (broker.Missing.Length > 0 && !Shell.Require(output, "mosquitto, mosquitto-clients, openssl", broker.Missing))
        {
            return;
        }

        // The recorder: another node's account (it reads the site's agents' topics), ready once it has the retained marker.
        string ready = "ready-" + Guid.NewGuid().ToString("N");
        string readyTopic = $"edge/site1/agents/marker/cmd/{EdgeUser}/ready";
        Shell.Result pub = Shell.Run("mosquitto_pub", [.. broker.Tls(EdgeUser), "-t", readyTopic, "-m", ready, "-q", "1", "-r"], timeout: Timeout);
        Assert.True(pub.ExitCode == 0, pub.All);
        using var sub = new LineProcess(Shell.Which("mosquitto_sub")!, [.. broker.Tls("edge-site1-edge2"), "-v", "-q", "1", "-t", "edge/site1/agents/+/cmd/#"]);
        sub.WaitFor(l => l == $"{readyTopic} {ready}", Timeout, "the retained marker at the recorder");

        // The loop as the daemon builds it, on virtual time.
        var options = new ControllerOptions { PeriodMs = 10, RampUpWPerS = 200, RampDownWPerS = 200, EnergyWh = 20_000, MaxChargeW = 15_000, MaxDischargeW = 15_000 };
        var rig = new DaemonLoopRig(options, racks: 2, new LeverCoordinatorOptions
        {
            BatteryDischargeW = options.MaxDischargeW,
            BatteryChargeW = options.MaxChargeW,
            BatteryEnergyWh = options.EnergyWh,
            SmoothingProfile = 2,
        }, EdgeUser, inverters: 1);
        VirtualClock clock = rig.Clock;
        AgentLevers levers = rig.Levers!;
        var tier = new LatestValueMailbox<BackstopFigures>(); // the loop's reader of the pump's CyclePump.BackstopState
        levers.BackstopTier = tier;

        // Two GPU agents as the registry sees them: a GB300 node with 4 smoothing profiles, an H100 node without.
        var registry = new AgentRegistry("site1", TimeProvider.System);
        void Send(string agent, string leaf, string json) => registry.Handle($"edge/site1/agents/{agent}/{leaf}", Encoding.UTF8.GetBytes(json), false, clock.NowNs);
        Send("gb-1", "status", """{"state":"online","ts_ms":1}""");
        Send("gb-1", "capabilities", """{"kind":"gpu","min_w":2000,"max_w":8000,"response_ms":100,"knobs":["power-cap","smoothing-profile"],"smoothing_profiles":4,"telemetry_hz":10,"release_w_per_s":500,"release_jitter_s":0,"max_command_lifetime_s":300}""");
        Send("h100-1", "status", """{"state":"online","ts_ms":1}""");
        Send("h100-1", "capabilities", """{"kind":"gpu","min_w":2000,"max_w":5600,"response_ms":100,"knobs":["power-cap"],"telemetry_hz":10,"release_w_per_s":500,"release_jitter_s":0,"max_command_lifetime_s":300}""");
        long seq = 0;

        using var edge = new MqttClient();
        string passwordFile = Path.Combine(Path.GetTempPath(), $"edge-h15d-{Guid.NewGuid():N}.password");
        File.WriteAllText(passwordFile, broker.Password(EdgeUser));
        try
        {
            await edge.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.PlainPort).WithClientId(EdgeUser)
                .WithCredentialsFromFile(EdgeUser, passwordFile).Build()).WaitAsync(Timeout);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        void Run(double seconds, int backstopTier)
        {
            for (int i = 0; i < (int)(seconds * 100); i++)
            {
                if (i % 10 == 0)
                {
                    // The registry thread's 100 ms sweep and the pump writing the tier, as in the daemon.
                    seq++;
                    Send("gb-1", "telemetry", $$"""{"seq":{{seq}},"ts_ms":1,"power_w":6000,"cap_w":8000,"state":"free"}""");
                    Send("h100-1", "telemetry", $$"""{"seq":{{seq}},"ts_ms":1,"power_w":4000,"cap_w":5600,"state":"free"}""");
                    registry.Sweep(clock.NowNs);
                    levers.Publish(registry);
                    if (backstopTier >= 0)
                    {
                        tier.Write(new BackstopFigures { Tier = backstopTier }, clock.NowNs);
                    }
                }

                rig.Step(5_000, 10_000);
            }

            levers.SendPending(edge, TimeProvider.System); // the sender thread's turn
        }

        List<string> Profiles() => [.. sub.Log.Split('\n').Where(l => l.Contains("/smoothing-profile ", StringComparison.Ordinal))];
        async Task Until(Func<bool> condition, string what)
        {
            DateTime deadline = DateTime.UtcNow + Timeout;
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; recorder:\n{sub.Log}");
                await Task.Delay(20);
            }
        }

        Run(3, backstopTier: 0);
        Assert.Equal(2, levers.Coordinator.Levers.Count(l => !l.Id.StartsWith("slot-", StringComparison.Ordinal)));
        Assert.Empty(Profiles());

        // Tier 2: the GB300 node gets profile 2 from Edge's account, the H100 node none (it is capped instead, if needed).
        Run(2, backstopTier: 2);
        await Until(() => Profiles().Count >= 1, "the smoothing-profile command");
        string on = Assert.Single(Profiles());
        output.WriteLine(on);
        Assert.StartsWith($"edge/site1/agents/gb-1/cmd/{EdgeUser}/smoothing-profile {{", on, StringComparison.Ordinal);
        Assert.Contains("\"profile\":2", on, StringComparison.Ordinal);
        Assert.Contains("\"expires_at\":", on, StringComparison.Ordinal);

        // The tier ends: released (no profile = the agent's default), once.
        Run(2, backstopTier: 0);
        await Until(() => Profiles().Count >= 2, "the release");
        string off = Profiles()[1];
        output.WriteLine(off);
        Assert.StartsWith($"edge/site1/agents/gb-1/cmd/{EdgeUser}/smoothing-profile {{", off, StringComparison.Ordinal);
        Assert.DoesNotContain("\"profile\"", off, StringComparison.Ordinal);
        Assert.DoesNotContain(Profiles(), l => l.Contains("h100-1", StringComparison.Ordinal));

        // A stale tier (the pump stopped) is not acted on: written once, then no new one — acted on while at most 2 s old.
        tier.Write(new BackstopFigures { Tier = 2 }, clock.NowNs);
        Run(1, backstopTier: -1);
        Assert.Equal(2, levers.Coordinator.BackstopTier);
        Run(1.5, backstopTier: -1);
        Assert.Equal(0, levers.Coordinator.BackstopTier);
    }
}
