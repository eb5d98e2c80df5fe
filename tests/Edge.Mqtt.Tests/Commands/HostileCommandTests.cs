using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Core.Control;
using Edge.Mqtt.Commands;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Commands;

/// <summary>
/// ≥ 10 000 generated malformed or hostile command payloads: each is invalid by construction (the generator never
/// produces a valid command), each must be rejected with a reason, nothing may crash, and the controller must be left
/// exactly as it was.
/// </summary>
public sealed class HostileCommandTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-hostile-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private sealed class CountingSink : ICommandReplySink
    {
        public int Count { get; private set; }

        public int Bad { get; private set; }

        public Dictionary<string, int> Reasons { get; } = [];

        public void Reply(string topic, ReadOnlySpan<byte> payload)
        {
            Count++;
            using JsonDocument d = JsonDocument.Parse(payload.ToArray());
            string? error = d.RootElement.GetProperty("error").GetString();
            if (d.RootElement.GetProperty("ok").GetBoolean() || string.IsNullOrWhiteSpace(error))
            {
                Bad++;
                return;
            }

            string key = new string(error.TakeWhile(c => c is not ('\'' or ':' or '(')).Select(c => char.IsAsciiDigit(c) ? '#' : c).ToArray()).Trim();
            key = key.Length > 48 ? key[..48] : key;
            Reasons[key] = Reasons.GetValueOrDefault(key) + 1;
        }
    }

    private sealed record Hostile(string Name, byte[] Payload, bool Retained = false);

    private static string Exp(TimeSpan from) => (T0 + from).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static readonly string[] Names = ["mode", "limits", "ack"];

    private static string ValidBody(string name, Random rng) => name switch
    {
        "mode" => $$"""{"id":"h{{rng.Next(1000)}}","expires_at":"{{Exp(TimeSpan.FromSeconds(30))}}","mode":"{{(rng.Next(2) == 0 ? "hold" : "auto")}}"}""",
        "limits" => $$"""{"id":"h{{rng.Next(1000)}}","expires_at":"{{Exp(TimeSpan.FromSeconds(30))}}","grid_cap_w":{{50_000 + rng.Next(40_000)}}}""",
        _ => $$"""{"id":"h{{rng.Next(1000)}}","expires_at":"{{Exp(TimeSpan.FromSeconds(30))}}","alarm":"load_missing"}""",
    };

    private static IEnumerable<Hostile> Generate(int seed)
    {
        var rng = new Random(seed);
        string[] wrongValues = ["1", "-1", "0.5", "true", "false", "null", "[]", "{}", "\"NaN\"", "\"Infinity\"", "\"\"", "[1,2]", "{\"a\":1}", "\"1e3\""];
        string[] nonJsonNumbers = ["NaN", "Infinity", "-Infinity", "+1", "01", ".5", "1.", "0x10", "1e", "--1"];
        string[] limitFields = ["ramp_up_w_per_s", "ramp_down_w_per_s", "grid_cap_w", "grid_floor_w", "soc_target_pct"];
        string[] beyond =
        [
            "\"ramp_up_w_per_s\":0", "\"ramp_up_w_per_s\":-5", "\"ramp_up_w_per_s\":500.0001", "\"ramp_up_w_per_s\":1e308",
            "\"ramp_down_w_per_s\":0", "\"ramp_down_w_per_s\":10000", "\"grid_cap_w\":100000.5", "\"grid_cap_w\":1e300",
            "\"grid_floor_w\":-0.001", "\"grid_floor_w\":-1e12", "\"soc_target_pct\":-1", "\"soc_target_pct\":100.01",
            "\"soc_target_pct\":1e9", "\"grid_cap_w\":10,\"grid_floor_w\":20", "\"grid_cap_w\":5000,\"grid_floor_w\":5000",
        ];

        for (int i = 0; i < 12_000; i++)
        {
            string name = Names[rng.Next(Names.Length)];
            string valid = ValidBody(name, rng);
            switch (i % 16)
            {
                case 0:
                    var bytes = new byte[rng.Next(0, 300)];
                    rng.NextBytes(bytes);
                    yield return new Hostile($"{name}: random bytes", bytes);
                    break;
                case 1:
                    yield return new Hostile($"{name}: truncated", Encoding.UTF8.GetBytes(valid[..rng.Next(0, valid.Length - 1)]));
                    break;
                case 2:
                    string field = name switch { "mode" => "mode", "limits" => "grid_cap_w", _ => "alarm" };
                    string[] fields = ["id", "expires_at", field];
                    string target = fields[rng.Next(fields.Length)];
                    string wrong = wrongValues[rng.Next(wrongValues.Length)];
                    if (target == "grid_cap_w" && wrong is "1" or "-1" or "0.5")
                    {
                        wrong = "\"" + wrong + "\""; // a number in quotes is the wrong type here
                    }

                    if (target == "id" && wrong.StartsWith('"') && wrong.Length > 2)
                    {
                        wrong = "[" + wrong + "]"; // "NaN" or "1e3" would be valid ids: wrap them into an array
                    }

                    yield return new Hostile($"{name}: wrong type for {target}", Encoding.UTF8.GetBytes(Replace(valid, target, wrong)));
                    break;
                case 3:
                    yield return new Hostile("limits: non-JSON number", Encoding.UTF8.GetBytes(
                        $$"""{"id":"n","expires_at":"{{Exp(TimeSpan.FromSeconds(30))}}","{{limitFields[rng.Next(limitFields.Length)]}}":{{nonJsonNumbers[rng.Next(nonJsonNumbers.Length)]}}}"""));
                    name = "limits";
                    break;
                case 4:
                    int size = rng.Next(1025, 200_000);
                    yield return new Hostile($"{name}: huge ({size} bytes)", Encoding.UTF8.GetBytes(valid[..^1] + ",\"pad\":\"" + new string('x', size) + "\"}"));
                    break;
                case 5:
                    yield return new Hostile("limits: beyond hardware", Encoding.UTF8.GetBytes(
                        $$"""{"id":"b","expires_at":"{{Exp(TimeSpan.FromSeconds(30))}}",{{beyond[rng.Next(beyond.Length)]}}}"""));
                    break;
                case 6:
                    yield return new Hostile($"{name}: unknown field", Encoding.UTF8.GetBytes(valid[..^1] + $",\"f{rng.Next(100)}\":1}}"));
                    break;
                case 7:
                    yield return new Hostile($"{name}: duplicate field", Encoding.UTF8.GetBytes(valid[..^1] + "," + valid[1..]));
                    break;
                case 8:
                    string[] expiries = [Exp(TimeSpan.FromSeconds(-rng.Next(1, 100_000))), Exp(TimeSpan.FromSeconds(301 + rng.Next(1_000_000))), "2030-01-01T00:00:00", "2030-13-01T00:00:00Z", "yesterday", ""];
                    yield return new Hostile($"{name}: bad expiry", Encoding.UTF8.GetBytes(Replace(valid, "expires_at", "\"" + expiries[rng.Next(expiries.Length)] + "\"")));
                    break;
                case 9:
                    string drop = new[] { "id", "expires_at", name switch { "mode" => "mode", "limits" => "grid_cap_w", _ => "alarm" } }[rng.Next(3)];
                    yield return new Hostile($"{name}: missing {drop}", Encoding.UTF8.GetBytes(Remove(valid, drop)));
                    break;
                case 10:
                    yield return new Hostile($"{name}: retained", Encoding.UTF8.GetBytes(valid), Retained: true);
                    break;
                case 11:
                    yield return new Hostile("unknown command", Encoding.UTF8.GetBytes(valid)) { };
                    break;
                case 12:
                    byte[] utf8 = Encoding.UTF8.GetBytes(valid);
                    int at = valid.IndexOf("\"id\":\"", StringComparison.Ordinal) + 6;
                    byte[][] bad = [[0xC0, 0x80], [0xFF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x00]];
                    yield return new Hostile($"{name}: invalid UTF-8", [.. utf8[..at], .. bad[rng.Next(bad.Length)], .. utf8[at..]]);
                    break;
                case 13:
                    int depth = rng.Next(5, 2000);
                    yield return new Hostile($"{name}: deep nesting", Encoding.UTF8.GetBytes(valid[..^1] + ",\"x\":" + new string('[', depth) + new string(']', depth) + "}"));
                    break;
                case 14:
                    string[] ids = [new string('a', 65), "", "a b", "a/b", "a\\u0000", "ü", "a\"b", "a+b#"];
                    yield return new Hostile($"{name}: bad id", Encoding.UTF8.GetBytes(Replace(valid, "id", JsonSerializer.Serialize(ids[rng.Next(ids.Length)]))));
                    break;
                default:
                    string[] modes = ["fault", "AUTO", "auto ", "", "manual", "hold\\u0000", "standby!"];
                    yield return new Hostile("mode: bad value", Encoding.UTF8.GetBytes(
                        $$"""{"id":"m","expires_at":"{{Exp(TimeSpan.FromSeconds(30))}}","mode":{{JsonSerializer.Serialize(modes[rng.Next(modes.Length)])}}}"""));
                    break;
            }
        }
    }

    private static string Replace(string json, string field, string value)
    {
        using JsonDocument d = JsonDocument.Parse(json);
        var parts = d.RootElement.EnumerateObject().Select(p => p.Name == field ? $"\"{p.Name}\":{value}" : $"\"{p.Name}\":{p.Value.GetRawText()}");
        return "{" + string.Join(",", parts) + "}";
    }

    private static string Remove(string json, string field)
    {
        using JsonDocument d = JsonDocument.Parse(json);
        return "{" + string.Join(",", d.RootElement.EnumerateObject().Where(p => p.Name != field).Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}")) + "}";
    }

    [Fact]
    public void Ten_thousand_hostile_payloads_are_all_rejected_with_a_reason_and_change_nothing()
    {
        var time = new ManualTimeProvider(T0);
        var rig = new SimulatedRig(periodMs: 10);
        rig.Run(100);
        ControlMode modeBefore = rig.Controller.Mode;
        ControllerLimits limitsBefore = rig.Controller.Limits;
        var sink = new CountingSink();
        var options = new CommandOptions { RatePerS = 10_000, Burst = 10_000, RejectBurst = 10_000, RejectRepliesPerS = 10_000, RequireClockSync = false, AuditPath = Path.Combine(_dir, "audit.jsonl") };
        using var processor = new CommandProcessor(options, new EdgeTopics("s", "n"), rig.Options, rig.Mailbox, sink, time: time);
        var alarms = new AlarmTracker([], [], 1); // no alarm active: every parse-valid ack is refused by the tracker

        int n = 0;
        foreach (Hostile h in Generate(seed: 2026))
        {
            string name = h.Name.StartsWith("unknown command", StringComparison.Ordinal) ? "cmd" + (n % 7) : h.Name[..h.Name.IndexOf(':', StringComparison.Ordinal)];
            processor.Handle($"edge/s/n/cmd/mallory/{name}", h.Payload, h.Retained);
            n++;
            if (n % 50 == 0)
            {
                rig.Step(); // the loop runs between bursts and applies whatever reached the mailbox
                processor.Service(alarms, 0);
                time.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        rig.Step();
        processor.Service(alarms, 0);

        foreach (var kv in sink.Reasons.OrderByDescending(kv => kv.Value))
        {
            output.WriteLine($"{kv.Value,6}  {kv.Key}");
        }

        output.WriteLine(processor.Counters.ToString());
        Assert.True(n >= 10_000);
        // Empty payloads (what clearing a retained command looks like) are counted and not answered; all else is.
        Assert.Equal(n, sink.Count + processor.Counters.Ignored);
        Assert.Equal(0, sink.Bad);
        Assert.Equal(0, processor.Counters.Applied);
        Assert.Equal(n, processor.Counters.Rejected + processor.Counters.Failed + processor.Counters.Ignored);
        Assert.Equal(modeBefore, rig.Controller.Mode);
        Assert.Equal(limitsBefore, rig.Controller.Limits);
        Assert.Equal(0, rig.Mailbox.InFlight);
        Assert.All(Directory.GetFiles(_dir), f => Assert.True(new FileInfo(f).Length <= options.AuditMaxBytes));
    }

    [Fact]
    public void An_operator_command_storm_cannot_make_the_grid_target_move_faster_than_the_ramp_limits()
    {
        var time = new ManualTimeProvider(T0);
        var rig = new SimulatedRig(periodMs: 10);
        var sink = new CountingSink();
        using var processor = new CommandProcessor(new CommandOptions { RatePerS = 10_000, Burst = 10_000, RequireClockSync = false }, new EdgeTopics("s", "n"), rig.Options, rig.Mailbox, sink, time: time);
        var rng = new Random(7);
        string[] storm =
        [
            """{"grid_cap_w":30000}""", """{"grid_cap_w":45000}""", """{"grid_cap_w":100000}""", """{"grid_floor_w":35000}""",
            """{"grid_floor_w":0}""", """{"ramp_up_w_per_s":100,"ramp_down_w_per_s":50}""", """{"ramp_up_w_per_s":500,"ramp_down_w_per_s":500}""",
            """{"grid_cap_w":42000,"grid_floor_w":41000}""", """{"soc_target_pct":20}""", """{"soc_target_pct":80}""",
        ];

        double previousTarget = double.NaN;
        double worstRatio = 0;
        for (int step = 0; step < 60_00; step++)
        {
            if (step % 25 == 0)
            {
                string body = storm[rng.Next(storm.Length)];
                string json = $$"""{"id":"s{{step}}","expires_at":"{{Exp(TimeSpan.FromSeconds(30))}}",{{body[1..]}}""";
                processor.Handle("edge/s/n/cmd/alice/limits", Encoding.UTF8.GetBytes(json), false);
                string mode = rng.Next(2) == 0 ? "auto" : "hold";
                processor.Handle("edge/s/n/cmd/alice/mode", Encoding.UTF8.GetBytes($$"""{"id":"m{{step}}","expires_at":"{{Exp(TimeSpan.FromSeconds(30))}}","mode":"{{mode}}"}"""), false);
            }

            CycleRecord r = rig.Step();
            processor.Service(null, 0);
            ControllerLimits inForce = rig.Controller.Limits;
            if (!double.IsNaN(previousTarget))
            {
                double slope = (r.GridTargetW - previousTarget) / 0.010;
                double limit = slope >= 0 ? inForce.RampUpWPerS : inForce.RampDownWPerS;
                worstRatio = Math.Max(worstRatio, Math.Abs(slope) / limit);
                Assert.True(Math.Abs(slope) <= (limit * (1 + 1e-9)) + 1e-6, $"step {step}: grid target moved at {slope:F3} W/s, limit {limit} W/s");
            }

            previousTarget = r.GridTargetW;
        }

        output.WriteLine($"{processor.Counters}; worst |slope| / limit in force = {worstRatio:F4}");
        Assert.True(processor.Counters.Applied > 300, "the storm should mostly be accepted");
    }
}
