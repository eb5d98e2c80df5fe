using System.Text;
using System.Text.Json;
using Edge.Core.Control;
using Edge.Mqtt.Commands;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Tests.Infrastructure;
using Edge.Tests.Shared;

namespace Edge.Mqtt.Tests.Commands;

public sealed class CommandProcessorTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-cmd-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ManualTimeProvider _time = new(T0);
    private readonly CaptureReplySink _sink = new();
    private readonly EdgeTopics _topics = new("s", "n");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private (CommandProcessor Processor, SimulatedRig Rig) Create(CommandOptions? options = null)
    {
        var rig = new SimulatedRig(periodMs: 10);
        options ??= new CommandOptions { RatePerS = 1000, Burst = 1000, RejectBurst = 1000 };
        options.AuditPath ??= Path.Combine(_dir, "audit.jsonl");
        options.RequireClockSync ??= false;
        return (new CommandProcessor(options, _topics, rig.Options, rig.Mailbox, _sink, time: _time), rig);
    }

    private static string Expires(TimeSpan from) => (T0 + from).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    private void Send(CommandProcessor p, string name, string json, bool retained = false) =>
        p.Handle($"edge/s/n/cmd/alice/{name}", Encoding.UTF8.GetBytes(json), retained);

    [Fact]
    public void A_valid_mode_command_is_applied_by_the_loop_and_answered()
    {
        (CommandProcessor p, SimulatedRig rig) = Create();
        using (p)
        {
            Send(p, "mode", $$"""{"id":"m1","expires_at":"{{Expires(TimeSpan.FromSeconds(30))}}","mode":"hold"}""");
            Assert.Empty(_sink.Replies); // not answered until the loop has applied it
            Assert.Equal(ControlMode.Auto, rig.Controller.Mode);
            rig.Step(); // the loop applies it between cycles
            Assert.Equal(ControlMode.Hold, rig.Controller.Mode);
            p.Service(null, 0);
            (string topic, JsonElement reply) = Assert.Single(_sink.Replies);
            Assert.Equal("edge/s/n/reply/alice/mode", topic);
            Assert.Equal("m1", reply.GetProperty("id").GetString());
            Assert.True(reply.GetProperty("ok").GetBoolean());
            Assert.Equal(new CommandCounters(1, 0, 1, 0), p.Counters);
        }

        string[] audit = File.ReadAllLines(Path.Combine(_dir, "audit.jsonl"));
        Assert.Equal(["queued", "applied"], audit.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("stage").GetString()!).ToArray());
    }

    [Fact]
    public void Limits_within_hardware_are_applied_partially_merged_and_beyond_are_rejected()
    {
        (CommandProcessor p, SimulatedRig rig) = Create();
        using (p)
        {
            ControllerLimits before = rig.Controller.Limits;
            Send(p, "limits", $$"""{"id":"l1","expires_at":"{{Expires(TimeSpan.FromSeconds(30))}}","grid_cap_w":45000,"ramp_up_w_per_s":250}""");
            rig.Step();
            p.Service(null, 0);
            Assert.True(_sink.Replies[^1].Reply.GetProperty("ok").GetBoolean());
            Assert.Equal(before with { GridCapW = 45_000, RampUpWPerS = 250 }, rig.Controller.Limits);

            ControllerLimits applied = rig.Controller.Limits;
            string[] beyond =
            [
                """{"id":"b1","expires_at":"EXP","grid_cap_w":100001}""",
                """{"id":"b2","expires_at":"EXP","ramp_up_w_per_s":501}""",
                """{"id":"b3","expires_at":"EXP","ramp_down_w_per_s":0}""",
                """{"id":"b4","expires_at":"EXP","grid_floor_w":-1}""",
                """{"id":"b5","expires_at":"EXP","soc_target_pct":101}""",
                """{"id":"b6","expires_at":"EXP","grid_cap_w":1000,"grid_floor_w":2000}""",
            ];
            foreach (string b in beyond)
            {
                Send(p, "limits", b.Replace("EXP", Expires(TimeSpan.FromSeconds(30)), StringComparison.Ordinal));
                Assert.False(_sink.Replies[^1].Reply.GetProperty("ok").GetBoolean());
            }

            Assert.Contains("grid_cap_w must be at most 100000", _sink.Replies[^6].Reply.GetProperty("error").GetString());
            rig.Step();
            Assert.Equal(applied, rig.Controller.Limits);
            Assert.Equal(0, rig.Mailbox.InFlight);
        }
    }

    [Fact]
    public void Cross_field_conflicts_with_the_current_limits_are_refused_by_the_loop_whole()
    {
        (CommandProcessor p, SimulatedRig rig) = Create();
        using (p)
        {
            Send(p, "limits", $$"""{"id":"f","expires_at":"{{Expires(TimeSpan.FromSeconds(30))}}","grid_floor_w":30000}""");
            rig.Step();
            Send(p, "limits", $$"""{"id":"c","expires_at":"{{Expires(TimeSpan.FromSeconds(30))}}","grid_cap_w":20000,"ramp_up_w_per_s":100}""");
            ControllerLimits before = rig.Controller.Limits;
            rig.Step();
            p.Service(null, 0);
            JsonElement reply = _sink.Replies[^1].Reply;
            Assert.Equal("c", reply.GetProperty("id").GetString());
            Assert.False(reply.GetProperty("ok").GetBoolean());
            Assert.Contains("above grid_floor_w", reply.GetProperty("error").GetString());
            Assert.Equal(before, rig.Controller.Limits); // neither the cap nor the ramp changed
        }
    }

    [Fact]
    public void Expired_too_far_ahead_retained_disabled_unknown_and_oversized_are_rejected()
    {
        (CommandProcessor p, SimulatedRig rig) = Create(new CommandOptions { Allowed = ["mode"], RatePerS = 1000, Burst = 1000, RejectBurst = 1000 });
        using (p)
        {
            string valid = $$"""{"id":"x","expires_at":"{{Expires(TimeSpan.FromSeconds(30))}}","mode":"standby"}""";
            Send(p, "mode", $$"""{"id":"x","expires_at":"{{Expires(TimeSpan.FromSeconds(-1))}}","mode":"standby"}""");
            Send(p, "mode", $$"""{"id":"x","expires_at":"{{Expires(TimeSpan.FromHours(1))}}","mode":"standby"}""");
            Send(p, "mode", valid, retained: true);
            Send(p, "limits", $$"""{"id":"x","expires_at":"{{Expires(TimeSpan.FromSeconds(30))}}","grid_cap_w":1}""");
            Send(p, "reboot", "{}");
            Send(p, "mode", "{\"id\":\"x\",\"pad\":\"" + new string('a', 2000) + "\"}");
            string[] reasons = _sink.Replies.Select(r => r.Reply.GetProperty("error").GetString()!).ToArray();
            Assert.Contains("expired", reasons[0]);
            Assert.Contains("more than 300 s ahead", reasons[1]);
            Assert.Contains("retained", reasons[2]);
            Assert.Contains("not enabled", reasons[3]);
            Assert.Contains("unknown command 'reboot'", reasons[4]);
            Assert.Contains("exceeds the limit of 1024", reasons[5]);
            Assert.Equal("edge/s/n/reply/alice/reboot", _sink.Replies[4].Topic);
            rig.Step();
            Assert.Equal(ControlMode.Auto, rig.Controller.Mode);
            Assert.Equal(6, p.Counters.Rejected);
        }
    }

    [Fact]
    public void Commands_are_rate_limited_by_a_token_bucket()
    {
        (CommandProcessor p, SimulatedRig rig) = Create(new CommandOptions { RatePerS = 2, Burst = 3 });
        using (p)
        {
            string Cmd(int i) => $$"""{"id":"r{{i}}","expires_at":"{{Expires(TimeSpan.FromMinutes(2))}}","mode":"hold"}""";
            for (int i = 0; i < 5; i++)
            {
                Send(p, "mode", Cmd(i));
                rig.Step();
                p.Service(null, 0);
            }

            Assert.Equal([true, true, true, false, false], _sink.Replies.Select(r => r.Reply.GetProperty("ok").GetBoolean()).ToArray());
            Assert.Contains("rate limited", _sink.Replies[^1].Reply.GetProperty("error").GetString());
            _time.Advance(TimeSpan.FromSeconds(0.5)); // one token back
            Send(p, "mode", Cmd(5));
            rig.Step();
            p.Service(null, 0);
            Assert.True(_sink.Replies[^1].Reply.GetProperty("ok").GetBoolean());
        }
    }

    [Fact]
    public void A_full_mailbox_answers_busy()
    {
        (CommandProcessor p, SimulatedRig rig) = Create();
        using (p)
        {
            for (int i = 0; i <= rig.Mailbox.Capacity; i++)
            {
                Send(p, "mode", $$"""{"id":"q{{i}}","expires_at":"{{Expires(TimeSpan.FromMinutes(2))}}","mode":"hold"}"""); // the loop does not run
            }

            Assert.Contains("busy", Assert.Single(_sink.Replies).Reply.GetProperty("error").GetString());
        }
    }

    [Fact]
    public void Ack_goes_to_the_alarm_tracker_on_the_publisher_thread()
    {
        (CommandProcessor p, SimulatedRig _) = Create();
        using (p)
        {
            var alarms = new AlarmTracker(["rack1"], [], 1);
            alarms.Observe(new CycleRecord { Flags = ControlFlags.LoadMissing }, 0);
            Send(p, "ack", $$"""{"id":"a1","expires_at":"{{Expires(TimeSpan.FromSeconds(30))}}","alarm":"load_missing"}""");
            Send(p, "ack", $$"""{"id":"a2","expires_at":"{{Expires(TimeSpan.FromSeconds(30))}}","alarm":"grid_meter_stale"}""");
            Assert.Equal(2, p.Service(alarms, 0));
            Assert.True(_sink.Replies[0].Reply.GetProperty("ok").GetBoolean());
            Assert.Contains("not active", _sink.Replies[1].Reply.GetProperty("error").GetString());
            Assert.True(alarms.Alarms.Single(a => a.Id == "load_missing").Acknowledged);
        }
    }

    [Fact]
    public void The_audit_log_rotates_and_stays_bounded()
    {
        (CommandProcessor p, SimulatedRig _) = Create(new CommandOptions { AuditMaxBytes = 8192, AuditFiles = 2, RatePerS = 1000, Burst = 1000, RejectBurst = 1000, AuditPath = Path.Combine(_dir, "a", "audit.jsonl") });
        using (p)
        {
            for (int i = 0; i < 500; i++)
            {
                Send(p, "mode", "{\"junk\":" + i + "}");
            }
        }

        string[] files = Directory.GetFiles(Path.Combine(_dir, "a"), "audit.rejected.jsonl*");
        Assert.Equal(3, files.Length); // audit.rejected.jsonl, .1, .2
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 8192));
        Assert.All(File.ReadAllLines(Path.Combine(_dir, "a", "audit.rejected.jsonl")), l => Assert.Equal("rejected", JsonDocument.Parse(l).RootElement.GetProperty("stage").GetString()));
        Assert.Equal(0, new FileInfo(Path.Combine(_dir, "a", "audit.jsonl")).Length); // accepted commands only
    }

    [Fact]
    public void Applying_valid_commands_on_the_loop_does_not_allocate()
    {
        var rig = new SimulatedRig(periodMs: 10);
        var c = new EdgeCommand { Kind = CommandKind.Limits, RequestId = "x", LimitMask = LimitFields.GridCap, Limits = new ControllerLimits(0, 0, 90_000, 0, 0) };
        var m = new EdgeCommand { Kind = CommandKind.Mode, RequestId = "y", Mode = ControlMode.Hold };
        var applied = new int[3];
        int round = 0;
        void TakeOutcomes()
        {
            while (rig.Mailbox.TryTakeOutcome(out CommandOutcome o))
            {
                Assert.Null(o.Error);
            }
        }

        Action post = () =>
        {
            TakeOutcomes();
            rig.Mailbox.TryPost(c);
            rig.Mailbox.TryPost(m);
        };
        Action apply = () => applied[round++] = rig.Mailbox.ApplyPending(rig.Controller);
        long allocated = SteadyAllocations.PerPassMinimum(apply, passes: 3, prepare: post);
        TakeOutcomes();
        Assert.Equal([2, 2, 2], applied);
        Assert.Equal(0, allocated);
    }
}
