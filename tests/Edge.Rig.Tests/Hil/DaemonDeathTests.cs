using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Rig.Tests.Infrastructure;
using static Edge.Rig.Tests.Hil.HilRig;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// Issue 11, "death is not a step": the built <c>edge</c> daemon on <c>--rig hil</c> attached to two third-party SunSpec
/// inverters (pymodbus, increase-only <c>WRmp</c>, reversion as SunSpec 704 says), <c>edge guard</c> and a real
/// mosquitto, each its own process on loopback ports picked here. With the batteries discharging ≥ 300 W each (the grid
/// cap forces it), the daemon dies — <c>kill -9</c>, SIGSTOP then SIGCONT, a planned restart (SIGTERM, new daemon), and
/// <c>kill -9</c> with no guard at all (the devices' own fallback) — while an independent pymodbus client polls each
/// inverter's own 701 <c>W</c>. Asserted on those polls: the batteries' total moves by no more than the ramp limit +
/// dynamic range in any 1 s. Results go to hil-report.json (path printed).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonDeathTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs of a scenario before a guard that takes over ahead of the fault every time fails the test.</summary>
    private const int MaxAttempts = 3;

    public enum Death
    {
        Kill9,
        StopThenCont,
        PlannedRestart,
        Kill9WithoutGuard,

        /// <summary>
        /// kill -9, and one inverter refuses writes for 1.5 s during the guard's ramp (reads still answer, so the
        /// measurement goes on): the guard marks its link lost and re-makes it; the device must continue from where it
        /// was, not jump to where the schedule is by then.
        /// </summary>
        Kill9WithAStalledInverter,

        /// <summary>
        /// The negative control: kill -9 with no guard and the devices' reversion setpoint at 0 W — what the landed daemon
        /// programmed before issue 11 (written here with mbpoll after the kill). The measurement must see the step.
        /// </summary>
        Kill9LandedReversion,
    }

    [Theory]
    [InlineData(Death.Kill9)]
    [InlineData(Death.StopThenCont)]
    [InlineData(Death.PlannedRestart)]
    [InlineData(Death.Kill9WithoutGuard)]
    [InlineData(Death.Kill9WithAStalledInverter)]
    [InlineData(Death.Kill9LandedReversion)]
    public void The_death_of_the_daemon_moves_the_batteries_no_faster_than_the_ramp_limit(Death death)
    {
        if (!Peers.Available(output, Peers.Mosquitto, PyInverter.Python, Mbpoll) || !HasPymodbus(output))
        {
            return;
        }

        // A guard that takes over before the fault is injected (a daemon beat late by more than the guard's 400 ms on a
        // starved machine, with no fault at all) leaves nothing of the scenario to measure: the batteries are already
        // ramping out and the daemon is already SIGKILLed when the fault comes. Such a run starts again from scratch, a
        // bounded number of times; everything from the fault on is asserted as before.
        var early = new List<string>();
        for (int attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            string? takeoverBeforeFault = RunScenario(death, attempt);
            if (takeoverBeforeFault is null)
            {
                return;
            }

            early.Add($"attempt {attempt}: {takeoverBeforeFault}");
            output.WriteLine($"=== {death}, attempt {attempt} of {MaxAttempts}: the guard took over before the fault was injected — {takeoverBeforeFault}; " +
                (attempt < MaxAttempts ? "not the scenario under test: starting it again from scratch" : "no attempts left"));
        }

        Assert.Fail($"{death}: on every one of {MaxAttempts} attempts the guard took over before the fault was injected (the daemon's beat was lost " +
            $"with no fault), so the scenario never ran:\n{string.Join('\n', early)}");
    }

    /// <summary>
    /// One run of the scenario with its own broker, state directory, inverters, guard and daemon. Null when it ran to the
    /// end (every assertion holds, or it threw); otherwise how the guard took over before the fault was injected.
    /// </summary>
    private string? RunScenario(Death death, int attempt)
    {
        using var broker = new Mosquitto();
        using var state = new TempDir("edge-hil-");
        state.Create();
        using var pcs1 = new PyInverter(InverterPowerW, 5000, 60, output: output);
        using var pcs2 = new PyInverter(InverterPowerW, 5000, 60, output: output);
        using var poller = new PowerPoller([pcs1.Endpoint, pcs2.Endpoint]);
        using ChildProcess? guard = death is Death.Kill9WithoutGuard or Death.Kill9LandedReversion ? null
            : EdgeExecutable.Start(["guard", "--state-directory", state.Path, "--timeout-ms", "400", "--hold-s", "10"]);
        guard?.WaitForLine(l => l.Contains("edge-guard: watching", StringComparison.Ordinal), Timeout, "the guard watching");

        ChildProcess edge = StartDaemon(broker, state.Path, pcs1, pcs2);
        ChildProcess? second = null;
        var result = new JsonObject
        {
            ["scenario"] = death.ToString(), ["ramp_limit_w_per_s"] = RampWPerS, ["dynamic_range_w"] = DynamicRangeW, ["attempt"] = attempt,
        };
        try
        {
            // Steady discharge ≥ 300 W per inverter for 2 s (or a takeover already: then the batteries never settle).
            Wait.Until(() => Discharging(poller, 2.0) || Takeover(guard) is not null, TimeSpan.FromSeconds(90), "both batteries discharging ≥ 300 W, steady for 2 s",
                () => $"{Describe(poller.Latest)}\n{edge.Log}");
            if (Takeover(guard) is { } before)
            {
                return EarlyTakeover(edge, before, "while the test waited for a steady discharge, before any fault");
            }

            double beforeW = poller.Latest.W.Sum();
            result["battery_w_before"] = Math.Round(beforeW, 1);
            guard?.WaitForLine(l => l.Contains("pcs2: connected", StringComparison.Ordinal), Timeout, "the guard connected to both inverters");

            DateTime faultUtc = DateTime.UtcNow; // the clock of the guard's log stamps
            double faultT = Now();
            TimeSpan faultAtGuard = guard?.Elapsed ?? TimeSpan.Zero;
            double endT;
            int signal = death switch
            {
                Death.StopThenCont => SigStop,
                Death.PlannedRestart => ChildProcess.SigTerm,
                _ => ChildProcess.SigKill,
            };
            string? notDelivered = null;
            try
            {
                edge.Signal(signal);
            }
            catch (InvalidOperationException e) when (guard is not null)
            {
                notDelivered = e.Message; // the daemon was gone already: decided below by the guard's takeover
            }

            if (guard is not null)
            {
                (TimeSpan at, string line) = guard.WaitForLine(l => l.Contains("TAKEOVER", StringComparison.Ordinal), Timeout, "the guard's takeover");
                if (TakeoverBeforeFault(at, line, faultAtGuard, faultUtc) is { } how)
                {
                    return EarlyTakeover(edge, line, how);
                }

                Assert.True(notDelivered is null, $"the daemon was gone before the fault ({notDelivered}), but the guard's takeover came after it: \"{line}\"\n{edge.Log}");
                result["detection_s"] = Math.Round((at - faultAtGuard).TotalSeconds, 3);
                result["guard_takeover"] = line;
            }

            switch (death)
            {
                case Death.Kill9:
                    Assert.NotEqual(0, edge.WaitForExit(Timeout));
                    endT = WaitForZero(poller, edge);
                    break;
                case Death.Kill9WithAStalledInverter:
                    Assert.NotEqual(0, edge.WaitForExit(Timeout));
                    double rampingSince = Now();
                    Wait.Until(() => Now() > rampingSince + 1.0, TimeSpan.FromSeconds(5), "1 s of the guard's ramp");
                    pcs2.Signal(SigUsr1);
                    pcs2.WaitForLine("refusing writes=1");
                    double refusingSince = Now();
                    Wait.Until(() => Now() > refusingSince + 1.5, TimeSpan.FromSeconds(5), "1.5 s of pcs2 refusing writes");
                    pcs2.Signal(SigUsr1);
                    pcs2.WaitForLine("refusing writes=0");

                    guard!.WaitForLine(l => l.Contains("pcs2: reconnected", StringComparison.Ordinal), Timeout, "the guard re-making pcs2's link");
                    endT = WaitForZero(poller, edge);
                    break;
                case Death.StopThenCont:
                    // The guard SIGKILLs the stopped daemon before it writes; SIGCONT must find nothing that could write.
                    int exit = edge.WaitForExit(TimeSpan.FromSeconds(10));
                    result["daemon_exit"] = exit;
                    try
                    {
                        edge.Signal(SigCont);
                        result["sigcont"] = "delivered (the daemon still existed)";
                    }
                    catch (InvalidOperationException)
                    {
                        result["sigcont"] = "no such process: the guard had killed the stopped daemon";
                    }

                    endT = WaitForZero(poller, edge);
                    break;
                case Death.PlannedRestart:
                    Assert.Equal(0, edge.WaitForExit(Timeout));
                    Assert.Contains(edge.Lines, l => l.Line.Contains("handed over to the guard", StringComparison.Ordinal));
                    second = StartDaemon(broker, state.Path, pcs1, pcs2);
                    guard!.WaitForLine(l => l.Contains("released: a daemon took the inverters", StringComparison.Ordinal), Timeout, "the guard releasing to the new daemon");
                    second.WaitForLine(l => l.Contains("first control cycle", StringComparison.Ordinal), Timeout, "the new daemon's first cycle");
                    double resumed = Now();
                    Wait.Until(() => Now() > resumed + 5, TimeSpan.FromSeconds(10), "5 s of the new daemon");
                    endT = Now();
                    Assert.True(StillDischarging(poller, 2.0), $"the new daemon did not resume the discharge: {Describe(poller.Latest)}\n{second.Log}");
                    break;
                case Death.Kill9LandedReversion:
                    Assert.NotEqual(0, edge.WaitForExit(Timeout));
                    foreach (PyInverter pcs in new[] { pcs1, pcs2 })
                    {
                        WriteLandedReversion(pcs.Port);
                    }

                    Wait.Until(() => poller.Latest.W is { Length: 2 } w && Math.Abs(w.Sum()) < 10, Timeout, "the devices' revert to 0 W", () => Describe(poller.Latest));
                    endT = Now() + 0.5;
                    Wait.Until(() => Now() > endT, TimeSpan.FromSeconds(5), "half a second more");
                    break;
                default: // without a guard: the devices revert after WSetRvrtTms (2 s) to WSetRvrt, which tracked the setpoint
                    Assert.NotEqual(0, edge.WaitForExit(Timeout));
                    double t0 = Now();
                    Wait.Until(() => Now() > t0 + 6, TimeSpan.FromSeconds(10), "6 s of both controllers dead");
                    endT = Now();
                    Assert.True(pcs1.Log.Contains("reverts=1", StringComparison.Ordinal) && pcs2.Log.Contains("reverts=1", StringComparison.Ordinal),
                        "the devices' reversion timers did not fire:\n" + pcs1.Log[^400..]);
                    Assert.True(StillDischarging(poller, 2.0), $"after the reversion the devices must hold (WSetRvrt tracked the setpoint): {Describe(poller.Latest)}");
                    break;
            }

            var samples = poller.Samples();
            // From the fault on: before it the daemon follows the load (with the grid at its cap, every load step is a
            // battery step — the controller's job, not a death's).
            (double moveW, double atS) = PowerPoller.LargestMove(samples, faultT, endT);
            double limitW = RampWPerS * 1.0 + DynamicRangeW;
            result["largest_1s_move_w"] = Math.Round(moveW, 1);
            result["largest_move_at_s_after_fault"] = Math.Round(atS - faultT, 2);
            result["limit_w"] = limitW;
            result["battery_w_after"] = Math.Round(poller.Latest.W.Sum(), 1);
            result["window_s"] = Math.Round(endT - faultT, 1);
            result["samples"] = samples.Count(s => s.T >= faultT && s.T <= endT);
            string path = HilReport.Record(death.ToString(), result);
            output.WriteLine($"hil-report.json: {path}\n{result.ToJsonString()}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{death}: battery {beforeW:0} W before; largest 1 s movement {moveW:0.#} W (limit {limitW:0} W) at {atS - faultT:+0.00;-0.00} s; detection {result["detection_s"]?.ToString() ?? "n/a"} s"));
            if (death == Death.Kill9LandedReversion)
            {
                Assert.True(moveW > 3 * limitW, $"the landed reversion (WSetRvrt = 0) must show as a step of the whole discharge, not {moveW:0} W");
                return null;
            }

            Assert.True(moveW <= limitW, string.Create(CultureInfo.InvariantCulture,
                $"{death}: the batteries' total moved {moveW:0.#} W within 1 s ({atS - faultT:+0.00;-0.00} s after the fault), more than the ramp limit {RampWPerS} W/s + {DynamicRangeW} W allow\n{Trace(samples, faultT, endT)}"));
        }
        finally
        {
            if (guard is not null)
            {
                if (!guard.HasExited)
                {
                    guard.Signal(ChildProcess.SigTerm); // it reports what its thread allocated in steady state
                    guard.WaitForExit(TimeSpan.FromSeconds(10));
                }

                output.WriteLine($"--- guard (attempt {attempt})\n" + guard.Log);
            }

            output.WriteLine($"--- edge (attempt {attempt})\n" + edge.Log);
            edge.Dispose();
            if (second is not null)
            {
                output.WriteLine($"--- edge (second, attempt {attempt})\n" + second.Log);
                second.Dispose();
            }
        }

        Assert.False(pcs1.HasExited || pcs2.HasExited, "the inverters must outlive the daemon");
        return null;
    }

    /// <summary>The guard's first TAKEOVER line so far, or null.</summary>
    private static string? Takeover(ChildProcess? guard) =>
        guard?.Lines.Select(l => l.Line).FirstOrDefault(l => l.Contains("TAKEOVER", StringComparison.Ordinal));

    /// <summary>
    /// The note for a run restarted because the guard took over before the fault (<paramref name="when"/>): only a live
    /// daemon whose beat came late — the guard's "daemon beat lost: no beat for N ms", that daemon SIGKILLed by the guard
    /// (exit 128 + 9) — is the starved machine's doing. A daemon that died by itself, or never beat since it started, fails.
    /// </summary>
    private static string EarlyTakeover(ChildProcess edge, string line, string when)
    {
        bool lateBeat = line.Contains("daemon beat lost: no beat for", StringComparison.Ordinal)
            && !line.Contains("since it started", StringComparison.Ordinal) && line.Contains("SIGKILLed", StringComparison.Ordinal);
        int exit = edge.WaitForExit(Timeout);
        Assert.True(lateBeat && exit == 128 + ChildProcess.SigKill,
            $"the guard took over before the fault was injected ({when}), and not because a live daemon's beat came late (daemon exit {exit}): \"{line}\"\n{edge.Log}");
        return $"{when}: \"{line}\"";
    }

    /// <summary>
    /// How the guard's takeover (its line <paramref name="line"/>, read at <paramref name="at"/> on the guard's clock) is
    /// known to have come before the fault, or null when it is not. Either is proof: the line was read before the fault was
    /// injected (<paramref name="faultAtGuard"/>), or its own stamp — written after the guard's SIGKILL of the daemon, in
    /// whole ms (truncated) — is in an earlier millisecond than <paramref name="faultUtc"/>, taken just before the signal.
    /// </summary>
    private static string? TakeoverBeforeFault(TimeSpan at, string line, TimeSpan faultAtGuard, DateTime faultUtc)
    {
        if (at < faultAtGuard)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its line was read {(faultAtGuard - at).TotalMilliseconds:0} ms before the fault was injected");
        }

        int space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && DateTime.TryParseExact(line[..space], "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime stamp))
        {
            var faultMs = new DateTime(faultUtc.Ticks - (faultUtc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
            if (stamp < faultMs)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"logged at {stamp:HH:mm:ss.fff}, {(faultMs - stamp).TotalMilliseconds:0} ms before the fault was injected at {faultUtc:HH:mm:ss.fff}");
            }
        }

        return null;
    }

    private const string Mbpoll = "/usr/bin/mbpoll";

    /// <summary>WSetRvrt = 0 (704, protocol address 40251 on this map), as the landed daemon programmed it, written by mbpoll.</summary>
    private static void WriteLandedReversion(int port)
    {
        using var p = Process.Start(new ProcessStartInfo(Mbpoll,
            ["-m", "tcp", "-p", port.ToString(CultureInfo.InvariantCulture), "-a", "1", "-0", "-1", "-t", "4", "-r", "40251", "127.0.0.1", "0", "0"])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"mbpoll failed: {text}");
    }
}
