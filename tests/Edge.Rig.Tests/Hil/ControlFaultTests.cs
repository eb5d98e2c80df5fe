using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Rig.Tests.Commands;
using Edge.Rig.Tests.Faults;
using Edge.Rig.Tests.Infrastructure;
using static Edge.Rig.Tests.Hil.HilRig;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// Control that stops and resumes is not a step — the faults a review found on the hil rig, on real peers: the built
/// <c>edge</c> daemon on <c>--rig hil</c> (no guard) attached to two pymodbus SunSpec inverters and a real mosquitto,
/// the batteries discharging ~880 W under the grid cap (<see cref="HilRig"/>, as <see cref="DaemonDeathTests"/>). Each
/// scenario is asserted on the inverters' own delivered power (<see cref="PowerPoller"/>): from the fault on, the
/// batteries' total moves by no more than the ramp limit × 1 s + the dynamic range in any 1 s. Results go to
/// hil-report.json (path printed).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ControlFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The operator level of the command topic (the rig's broker is anonymous: Edge takes it from the topic).</summary>
    private const string Operator = "ops";

    /// <summary>How long pcs2 refuses writes in <see cref="Fault.InverterRefusesWrites"/>, s.</summary>
    private const double RefuseS = 15;

    /// <summary>How long the daemon stays stopped in <see cref="Fault.StalledStopRamp"/>, s: longer than the devices' revert timeout (2 s on the hil rig).</summary>
    private const double StalledS = 5;

    /// <summary>How long the daemon stays stopped in <see cref="Fault.StallWithinRevertTimeout"/>, s: well inside the devices' 2 s revert timeout.</summary>
    private const double ShortStallS = 1.2;

    /// <summary>How far the published battery power may be from the polled total while pcs2 refuses writes.</summary>
    private const double PublishedTolerance = 0.10;

    /// <summary>
    /// Why <see cref="Fault.StalledStopRamp"/> is skipped: it fails on the product as it is, whenever the devices'
    /// reversion setpoint is stale when the daemon stops. Unskip it once that is fixed.
    /// </summary>
    private const string StaleReversionBug =
        "product bug, reported: a stall longer than the devices' 2 s revert timeout lets them revert to WSetRvrt, which " +
        "the driver tracks at most once a second (RevertTrackPeriodMs) and so is up to 1 s of the stop ramp behind (up to " +
        "~170 W above the setpoint on this rig); on SIGCONT the daemon resumes from its own setpoint, not from the power " +
        "the devices deliver, and steps them back while the ramp goes on: 345-348 W in 1 s (limit 250 W) whenever the last " +
        "WSetRvrt write was more than ~0.25 s before the SIGSTOP (2 of 3 runs)";

    public enum Fault
    {
        /// <summary>Operator <c>mode standby</c> at a steady discharge; once the batteries are at 0 W, <c>mode auto</c>: the return must be a ramp.</summary>
        StandbyThenAuto,

        /// <summary>
        /// SIGTERM (the stop ramp begins), 1.5 s later SIGSTOP, 5 s later SIGCONT: the stop ramp must go on from where it
        /// was. The stall outlasts the devices' 2 s revert timeout: meanwhile they revert to their reversion setpoint
        /// (WSetRvrt, tracked at most once a second, so up to 1 s of the ramp behind).
        /// </summary>
        StalledStopRamp,

        /// <summary>
        /// As <see cref="StalledStopRamp"/>, but SIGCONT 1.2 s after SIGSTOP — inside the devices' revert timeout, so they
        /// hold the power of the moment of the stall and only the daemon's resumption is measured.
        /// </summary>
        StallWithinRevertTimeout,

        /// <summary>
        /// pcs2 refuses writes (SIGUSR1) for 15 s while the daemon runs, then accepts them again: no step when it goes or
        /// comes back, and the published battery power counts what pcs2 still delivers meanwhile.
        /// </summary>
        InverterRefusesWrites,
    }

    [Theory]
    [InlineData(Fault.StandbyThenAuto)]
    [InlineData(Fault.StalledStopRamp, Skip = StaleReversionBug)]
    [InlineData(Fault.StallWithinRevertTimeout)]
    [InlineData(Fault.InverterRefusesWrites)]
    public void A_control_fault_moves_the_batteries_no_faster_than_the_ramp_limit(Fault fault)
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoRr, Peers.MosquittoSub, PyInverter.Python) || !HasPymodbus(output))
        {
            return;
        }

        using var broker = new Mosquitto();
        using var state = new TempDir("edge-hil-");
        state.Create();
        using var pcs1 = new PyInverter(InverterPowerW, 5000, 60, output: output);
        using var pcs2 = new PyInverter(InverterPowerW, 5000, 60, output: output);
        using var poller = new PowerPoller([pcs1.Endpoint, pcs2.Endpoint]);
        using var capture = new MqttCapture(broker.Port, Site, Node, clientId: "control-fault-capture", persistentQos1: false);
        using ChildProcess edge = StartDaemon(broker, state.Path, pcs1, pcs2);
        var result = new JsonObject
        {
            ["scenario"] = fault.ToString(), ["ramp_limit_w_per_s"] = RampWPerS, ["dynamic_range_w"] = DynamicRangeW,
        };
        try
        {
            Wait.Until(() => Discharging(poller, 2.0), TimeSpan.FromSeconds(90), "both batteries discharging ≥ 300 W, steady for 2 s",
                () => $"{Describe(poller.Latest)}\n{edge.Log}");
            // Published state proves the daemon's MQTT session is up (its command subscription is made at connect).
            Wait.Until(() => capture.States().Count > 0, Timeout, "the daemon's first state message", () => capture.Log + "\n" + edge.Log);
            double beforeW = poller.Latest.W.Sum();
            result["battery_w_before"] = Math.Round(beforeW, 1);

            double faultT = Now();
            double endT = fault switch
            {
                Fault.StandbyThenAuto => StandbyThenAuto(broker, poller, edge, beforeW, result),
                Fault.StalledStopRamp => StalledStopRamp(pcs1, pcs2, poller, edge, faultT, beforeW, StalledS, result),
                Fault.StallWithinRevertTimeout => StalledStopRamp(pcs1, pcs2, poller, edge, faultT, beforeW, ShortStallS, result),
                Fault.InverterRefusesWrites => InverterRefusesWrites(pcs2, poller, capture, edge, beforeW, result),
                _ => throw new ArgumentOutOfRangeException(nameof(fault)),
            };

            var samples = poller.Samples();
            (double moveW, double atS) = PowerPoller.LargestMove(samples, faultT, endT);
            int polls = samples.Count(s => s.T >= faultT && s.T <= endT && s.W.All(double.IsFinite));
            result["largest_1s_move_w"] = Math.Round(moveW, 1);
            result["largest_move_at_s_after_fault"] = Math.Round(atS - faultT, 2);
            result["limit_w"] = LimitW;
            result["battery_w_after"] = Math.Round(poller.Latest.W.Sum(), 1);
            result["window_s"] = Math.Round(endT - faultT, 1);
            result["samples"] = polls;
            string path = HilReport.Record("control-" + fault, result);
            output.WriteLine($"hil-report.json: {path}\n{result.ToJsonString()}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{fault}: battery {beforeW:0} W before; largest 1 s movement {moveW:0.#} W (limit {LimitW:0} W) at {atS - faultT:+0.00;-0.00} s over {endT - faultT:0.0} s, {polls} polls"));

            // A measurement with holes is no proof of smoothness: at least 5 good polls a second over the window.
            Assert.True(polls >= 5 * (endT - faultT), $"{fault}: only {polls} usable polls over {endT - faultT:0.0} s\n{Trace(samples, faultT, endT)}");
            Assert.True(moveW <= LimitW, string.Create(CultureInfo.InvariantCulture,
                $"{fault}: the batteries' total moved {moveW:0.#} W within 1 s ({atS - faultT:+0.00;-0.00} s after the fault), more than the ramp limit {RampWPerS} W/s + {DynamicRangeW} W allow\n{Trace(samples, faultT, endT)}"));
            if (result["published_battery_w_worst_pct"] is { } worst)
            {
                Assert.True(worst.GetValue<double>() <= PublishedTolerance * 100, string.Create(CultureInfo.InvariantCulture,
                    $"{fault}: while pcs2 refused writes the published battery_w was {worst} % from the polled total (tolerance {PublishedTolerance * 100} %): {result["published_battery_w_worst"]}"));
            }
        }
        finally
        {
            output.WriteLine("--- edge\n" + edge.Log);
            output.WriteLine("--- pcs2 (tail)\n" + Tail(pcs2.Log, 1500));
        }

        Assert.False(pcs1.HasExited || pcs2.HasExited, "the inverters must outlive the daemon");
    }

    /// <summary>
    /// <c>mode standby</c>, the batteries ramped to ~0 W, then <c>mode auto</c>, until they are back at the discharge of
    /// before (within 30 W), steady for 2 s. Returns the end of the window.
    /// </summary>
    private double StandbyThenAuto(Mosquitto broker, PowerPoller poller, ChildProcess edge, double beforeW, JsonObject result)
    {
        Command(broker, "standby", edge);
        Wait.Until(() => poller.Latest.W is { Length: 2 } w && Math.Abs(w.Sum()) < 10, Timeout, "the batteries at ~0 W in standby",
            () => Describe(poller.Latest) + "\n" + edge.Log);
        double zeroT = Now();
        Wait.Until(() => Now() > zeroT + 1, TimeSpan.FromSeconds(5), "one second at 0 W"); // the return starts from rest

        double autoT = Now();
        Command(broker, "auto", edge);
        Wait.Until(() => Math.Abs(poller.Latest.W.Sum() - beforeW) < 30 && Discharging(poller, 2.0), Timeout,
            "the batteries back at the discharge of before, steady for 2 s", () => Describe(poller.Latest) + "\n" + edge.Log);
        double endT = Now();
        result["return_s"] = Math.Round(endT - 2.0 - autoT, 1);
        return endT;
    }

    /// <summary>
    /// SIGTERM (its stop ramp begins), 1.5 s later SIGSTOP, <paramref name="stallS"/> later SIGCONT; the daemon must
    /// finish the ramp and exit 0. Returns the end of the window (the batteries at ~0 W, plus 1 s). Records what the
    /// devices held (setpoint, reversion setpoint, reversions so far, from their own log) at SIGSTOP and at SIGCONT.
    /// </summary>
    private static double StalledStopRamp(PyInverter pcs1, PyInverter pcs2, PowerPoller poller, ChildProcess edge, double faultT, double beforeW, double stallS, JsonObject result)
    {
        edge.Signal(ChildProcess.SigTerm);
        edge.WaitForLine(l => l.Contains("stopping (SIGTERM)", StringComparison.Ordinal), Timeout, "the daemon's stop ramp");
        Wait.Until(() => Now() > faultT + 1.5, TimeSpan.FromSeconds(10), "1.5 s of the stop ramp");
        edge.Signal(SigStop);
        double stoppedT = Now();
        double atStopW = poller.Latest.W.Sum();
        result["stall_s"] = stallS;
        result["battery_w_at_sigstop"] = Math.Round(atStopW, 1);
        // Mid-ramp, or the stall proves nothing about resuming a ramp.
        Assert.True(atStopW > 150 && atStopW < beforeW - 150, $"the stop ramp was not under way at SIGSTOP: {Describe(poller.Latest)}\n{edge.Log}");

        Wait.Until(() => Now() > stoppedT + stallS, TimeSpan.FromSeconds(stallS + 10), $"{stallS} s of the daemon stopped");
        double contT = Now();
        result["battery_w_at_sigcont"] = Math.Round(poller.Latest.W.Sum(), 1);
        edge.Signal(SigCont);

        int exit = edge.WaitForExit(Timeout);
        Assert.True(exit == 0, $"the daemon did not finish its stop ramp and exit 0 after SIGCONT (exit {exit}):\n{edge.Log}");
        double endT = WaitForZero(poller, edge);
        result["devices_at_sigstop"] = DeviceLog(stoppedT, pcs1, pcs2);
        result["devices_at_sigcont"] = DeviceLog(contT, pcs1, pcs2);
        return endT;
    }

    /// <summary>
    /// Each device's last own log line (<c>t=… w=… sp=… en=… rvrt=… reverts=… writes=…</c>, every 200 ms) at or before
    /// monotonic time <paramref name="t"/>: delivered power, setpoint, reversion setpoint and reversions so far.
    /// </summary>
    private static string DeviceLog(double t, params PyInverter[] devices) => string.Join("; ", devices.Select((d, i) =>
    {
        string? last = null;
        foreach (string line in d.Log.Split('\n'))
        {
            if (line.StartsWith("t=", StringComparison.Ordinal) && double.TryParse(line.AsSpan(2, line.IndexOf(' ', StringComparison.Ordinal) - 2),
                    NumberStyles.Float, CultureInfo.InvariantCulture, out double at) && at <= t)
            {
                last = line;
            }
        }

        return $"pcs{i + 1}: " + (last is null ? "no log line" : string.Join(' ', last.Split(' ').Where(f => !f.StartsWith("t=", StringComparison.Ordinal) && !f.StartsWith("writes=", StringComparison.Ordinal))));
    }));

    /// <summary>
    /// pcs2 refuses writes for 15 s while the daemon runs, then accepts them again; the window ends when the daemon has it
    /// online again and the batteries are steady for 2 s. Meanwhile the published state's battery_w is compared with the
    /// polled total (<c>published_battery_w_worst_pct</c>, asserted by the caller).
    /// </summary>
    private double InverterRefusesWrites(PyInverter pcs2, PowerPoller poller, MqttCapture capture, ChildProcess edge, double beforeW, JsonObject result)
    {
        pcs2.Signal(SigUsr1);
        pcs2.WaitForLine("refusing writes=1");
        double refusingT = Now();
        Wait.Until(() => edge.Log.Contains("inverter pcs2: Fault", StringComparison.Ordinal), Timeout, "the daemon to find pcs2 refusing its writes",
            () => edge.Log);
        double noticedT = Now();
        result["refusal_noticed_s"] = Math.Round(noticedT - refusingT, 2);
        Wait.Until(() => Now() > refusingT + RefuseS, TimeSpan.FromSeconds(RefuseS + 10), $"{RefuseS} s of pcs2 refusing writes");
        double acceptT = Now();
        pcs2.Signal(SigUsr1);
        pcs2.WaitForLine("refusing writes=0");

        // The state messages published while pcs2 refused, from 2.5 s after the daemon noticed (an inverter that cannot be
        // commanded counts once its answer is at most 2 s old) to the end of the refusal, against the polled total then.
        double captureZero = Now() - capture.Elapsed.TotalSeconds; // a capture arrival time + this = monotonic s
        var samples = poller.Samples();
        var compared = new List<(double T, double PublishedW, double PolledW)>();
        foreach (MqttCapture.Message m in capture.States())
        {
            double t = captureZero + m.At.TotalSeconds;
            if (t < noticedT + 2.5 || t > acceptT || !m.Payload.TryGetProperty("battery_w", out JsonElement battery))
            {
                continue;
            }

            var near = samples.Where(s => Math.Abs(s.T - t) <= 0.3 && s.W.All(double.IsFinite)).Select(s => s.W.Sum()).ToList();
            if (near.Count > 0)
            {
                compared.Add((t, battery.GetProperty("mean").GetDouble(), near.Average()));
            }
        }

        Assert.True(compared.Count >= 10, $"only {compared.Count} state messages to compare while pcs2 refused writes\n{capture.Log}");
        var worst = compared.MaxBy(c => Math.Abs(c.PublishedW - c.PolledW) / Math.Abs(c.PolledW));
        result["published_battery_w_compared"] = compared.Count;
        result["published_battery_w_worst_pct"] = Math.Round(100 * Math.Abs(worst.PublishedW - worst.PolledW) / Math.Abs(worst.PolledW), 1);
        result["published_battery_w_worst"] = string.Create(CultureInfo.InvariantCulture,
            $"published {worst.PublishedW:0} W, polled {worst.PolledW:0} W at +{worst.T - refusingT:0.00} s");
        result["polled_total_w_while_refusing"] = Math.Round(compared.Average(c => c.PolledW), 1);

        Wait.Until(() => edge.Lines.Select(l => l.Line).SkipWhile(l => !l.Contains("inverter pcs2: Fault", StringComparison.Ordinal))
                .Any(l => l.Contains("inverter pcs2: online", StringComparison.Ordinal)),
            Timeout, "the daemon to have pcs2 online again", () => edge.Log);
        double onlineT = Now();
        result["back_online_s"] = Math.Round(onlineT - acceptT, 2);
        Wait.Until(() => Now() > onlineT + 1 && Math.Abs(poller.Latest.W.Sum() - beforeW) < 60 && Discharging(poller, 2.0), Timeout,
            "the batteries steady for 2 s with pcs2 commanded again", () => Describe(poller.Latest) + "\n" + edge.Log);
        return Now();
    }

    /// <summary>Sends the operator command <c>mode</c> <paramref name="mode"/> with mosquitto_rr; asserts Edge applied it.</summary>
    private void Command(Mosquitto broker, string mode, ChildProcess edge)
    {
        string id = OperatorConsole.NewId();
        using var rr = new ChildProcess(Peers.MosquittoRr,
        [
            "-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-q", "1",
            "-t", $"edge/{Site}/{Node}/cmd/{Operator}/mode", "-e", $"edge/{Site}/{Node}/reply/{Operator}/mode", "-W", "20",
            "-m", OperatorConsole.Mode(id, mode),
        ]);
        int code = rr.WaitForExit(TimeSpan.FromSeconds(40));
        string? reply = rr.Lines.Select(l => l.Line).FirstOrDefault(l => l.StartsWith('{'));
        output.WriteLine($"mode {mode} (id {id}): {reply ?? "no reply"}");
        Assert.True(code == 0 && reply is not null, $"no reply to mode {mode} (id {id}): exit {code}\n{rr.Log}\n{edge.Log}");
        using JsonDocument d = JsonDocument.Parse(reply);
        Assert.Equal(id, d.RootElement.GetProperty("id").GetString());
        Assert.True(d.RootElement.GetProperty("ok").GetBoolean(), $"mode {mode} refused: {reply}");
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];
}
