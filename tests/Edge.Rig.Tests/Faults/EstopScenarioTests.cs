using System.Diagnostics;
using System.Globalization;
using Edge.Rig.Tests.Infrastructure;
using Edge.Runtime.Timing;

namespace Edge.Rig.Tests.Faults;

/// <summary>
/// Issue 11, E-stop scenario: the daemon in-process (the E-stop contact is a simulated GPIO line only the process can
/// reach) on the sim rig, its inverters polled over Modbus by the test (704 <c>WSet</c>, 701 <c>W</c>), MQTT captured by
/// mosquitto_sub. Pressed while the battery works: 0 W on the wire within one period (plus the debounce and a poll),
/// the enable relay open, the measured power's fall recorded, the <c>emergency_stop</c> alarm latched after the release
/// until an operator's <c>cmd/{operator}/ack</c>.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class EstopScenarioTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Estop_puts_zero_watts_on_the_wire_within_one_period_opens_the_relay_and_latches_the_alarm_until_acked()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub, "/usr/bin/mosquitto_pub"))
        {
            return;
        }

        using var broker = new Mosquitto();
        using var state = new TempDir();
        using var capture = new MqttCapture(broker.Port, "faults", "estop", "capture-estop");
        using var run = InProcessDaemon.Start(state.Path, "Mqtt:Enabled=true", "Mqtt:Host=127.0.0.1", $"Mqtt:Port={broker.Port}",
            "Edge:Site=faults", "Edge:Node=estop", "Mqtt:Publish:AlarmStartupGraceS=0");
        var rig = run.Daemon.Rig!;
        var clock = Stopwatch.StartNew();
        var pollers = rig.SimulatedInverters.Select(h => new InverterPoller(h.Port, clock)).ToList();
        try
        {
            var enable = rig.Devices.InverterEnable!;
            Wait.Until(() => enable.Level && pollers.Sum(p => p.Samples().LastOrDefault().WSet) is > 500 or < -500, Timeout,
                "the battery working with the enable relay closed", () => run.Log.Text);
            double periodMs = run.Daemon.Executive!.PeriodNs / 1e6;
            double debounceMs = rig.Simulation!.Line("estop").Settings.DebounceUs / 1000.0;
            double wsetBefore = pollers.Sum(p => p.Samples()[^1].WSet);

            double pressS = clock.Elapsed.TotalSeconds;
            double pressCaptureS = capture.Elapsed.TotalSeconds;
            rig.Simulation.Line("estop").SetLogical(true, MonotonicClock.Instance.NowNs);
            Wait.Until(() => pollers.All(p => p.Samples().Any(s => s.T > pressS && s.WSet == 0)), Timeout, "WSet 0 W on every inverter");
            double wireMs = pollers.Max(p => p.Samples().First(s => s.T > pressS && s.WSet == 0).T - pressS) * 1000;
            Wait.Until(() => !enable.Level, Timeout, "the enable relay to open");
            Wait.Until(() => pollers.All(p => p.Samples().Any(s => s.T > pressS && Math.Abs(s.W) < 5)), Timeout, "the measured power at 0 W");
            double powerZeroMs = pollers.Max(p => p.Samples().First(s => s.T > pressS && Math.Abs(s.W) < 5).T - pressS) * 1000;
            double raiseS = WaitForAlarm(capture, "raise", pressCaptureS) - pressCaptureS;

            // Released after 1 s; the alarm stays raised (latched) well past the clear delay and the minimum dwell.
            Thread.Sleep(1000);
            rig.Simulation.Line("estop").SetLogical(false, MonotonicClock.Instance.NowNs);
            double releasedCaptureS = capture.Elapsed.TotalSeconds;
            bool clearedUnacked = Wait.TryUntil(() => Events(capture, "clear", pressCaptureS).Any(), TimeSpan.FromSeconds(14));
            Assert.False(clearedUnacked, "the emergency_stop alarm cleared without an acknowledgement");

            using (var ack = new ChildProcess("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-q", "1",
                "-t", "edge/faults/estop/cmd/ops/ack", "-m",
                $$"""{"id":"op-estop","expires_at":"{{DateTimeOffset.UtcNow.AddSeconds(60).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}","alarm":"emergency_stop"}"""]))
            {
                Assert.Equal(0, ack.WaitForExit(Timeout));
            }

            double ackedS = capture.Elapsed.TotalSeconds;
            Wait.Until(() => capture.Messages().Any(m => m.Topic == "reply/ops/ack"), Timeout, "the ack's reply");
            var reply = capture.Messages().First(m => m.Topic == "reply/ops/ack").Payload;
            Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
            double clearAfterAckS = WaitForAlarm(capture, "clear", ackedS - 0.5) - ackedS;
            Assert.Contains(Events(capture, "ack", pressCaptureS), _ => true);
            run.Stop();

            string path = Hil.HilReport.Record("estop", new Dictionary<string, object?>
            {
                ["period_ms"] = periodMs,
                ["debounce_ms"] = debounceMs,
                ["battery_wset_before_w"] = Math.Round(wsetBefore, 1),
                ["wset_zero_on_the_wire_ms"] = Math.Round(wireMs, 1),
                ["measured_power_zero_ms"] = Math.Round(powerZeroMs, 1),
                ["alarm_raise_s"] = Math.Round(raiseS, 3),
                ["alarm_latched_unacked_s"] = Math.Round(ackedS - releasedCaptureS, 1),
                ["alarm_clear_after_ack_s"] = Math.Round(clearAfterAckS, 3),
            });
            output.WriteLine(FormattableString.Invariant(
                $"E-stop: WSet 0 W on the wire after {wireMs:0.#} ms (debounce {debounceMs} ms + period {periodMs} ms + 20 ms poll), measured 0 W after {powerZeroMs:0} ms, alarm latched {ackedS - releasedCaptureS:0.#} s until the ack, cleared {clearAfterAckS:0.###} s after it"));
            output.WriteLine($"fault report: {path}");

            Assert.True(Math.Abs(wsetBefore) > 500, "the battery was idle: nothing proven");
            // One period after the debounced edge, plus the Modbus write and the 20 ms poll interval of this observer.
            Assert.True(wireMs <= debounceMs + periodMs + 20 + 15, $"0 W reached the wire {wireMs:0.#} ms after the press");
        }
        finally
        {
            foreach (var p in pollers)
            {
                p.Dispose();
            }
        }
    }

    private static IEnumerable<MqttCapture.Message> Events(MqttCapture capture, string kind, double afterS) =>
        capture.Alarms().Where(m => m.At.TotalSeconds > afterS && m.Payload.GetProperty("id").GetString() == "emergency_stop" && m.Payload.GetProperty("event").GetString() == kind);

    private static double WaitForAlarm(MqttCapture capture, string kind, double afterS)
    {
        Wait.Until(() => Events(capture, kind, afterS).Any(), Timeout, $"emergency_stop {kind}", () => capture.Log);
        return Events(capture, kind, afterS).First().At.TotalSeconds;
    }
}
