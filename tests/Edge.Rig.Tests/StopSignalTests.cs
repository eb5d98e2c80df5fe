using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 13 item 3, on the built edge as a separate process with real signals and a real broker: the first SIGTERM
/// or Ctrl-C (SIGINT) says what Edge does and how long it takes — the figure from the ramp limit of the setpoint's
/// direction and the setpoint of that moment — shows progress, and the battery reaches 0 W in that time; a second
/// Ctrl-C stops at once (exit 1) and says what the inverters will do on their own.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed partial class StopSignalTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_first_sigterm_says_how_long_the_ramp_down_takes_and_it_takes_that_long()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        const double rampWPerS = 100;
        using var broker = new Mosquitto();
        using var state = new TempDir();
        using ChildProcess edge = StartWorkingEdge(broker, state, rampWPerS);

        edge.Signal(ChildProcess.SigTerm);
        (TimeSpan stopAt, string stopLine) = edge.WaitForLine(l => l.Contains("stopping (", StringComparison.Ordinal), Timeout, "the stop's first line");
        Match m = StopLine().Match(stopLine);
        Assert.True(m.Success, $"unexpected stop line: {stopLine}");
        double startW = double.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture);
        double saidRate = double.Parse(m.Groups["r"].Value, CultureInfo.InvariantCulture);
        double saidS = double.Parse(m.Groups["t"].Value, CultureInfo.InvariantCulture);
        Assert.Equal("SIGTERM", m.Groups["why"].Value);
        Assert.Equal(rampWPerS, saidRate);
        Assert.True(Math.Abs(startW) > 300, $"the battery was not working when the stop began: {stopLine}");
        Assert.Equal(Math.Abs(startW) / rampWPerS, saidS, 0.1);
        Assert.Contains("A second SIGTERM stops at once", stopLine, StringComparison.Ordinal);

        (TimeSpan zeroAt, string zeroLine) = edge.WaitForLine(l => l.Contains("battery setpoint at 0 W after", StringComparison.Ordinal), Timeout, "the end of the ramp-down");
        // The daemon's own timestamps time the ramp; when the test read the lines adds the pipe's and the test
        // thread's scheduling, which on a loaded machine delays either line by up to a second.
        double tookS = LoggedAt(zeroLine) - LoggedAt(stopLine);
        tookS += tookS < 0 ? 86_400 : 0; // across midnight
        double sawS = (zeroAt - stopAt).TotalSeconds;
        output.WriteLine(FormattableString.Invariant($"{stopLine}\n{zeroLine}\nsaid {saidS:0.0} s, took {tookS:0.00} s by the daemon's log clock ({sawS:0.0} s as the test read the lines)"));
        Assert.InRange(tookS, saidS - 0.3, (saidS * 1.15) + 1.5);
        Assert.InRange(sawS, saidS - 3, (saidS * 1.15) + 4);
        if (saidS > 6)
        {
            Assert.Contains(edge.Lines, l => l.Line.Contains("stopping: battery setpoint", StringComparison.Ordinal) && l.Line.Contains("s left", StringComparison.Ordinal));
        }

        Assert.Equal(0, edge.WaitForExit(Timeout));
        Assert.DoesNotContain(edge.Lines, l => l.Line.Contains("ramp-down not finished", StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_ctrl_c_stops_at_once_and_says_what_the_inverters_do()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        using var broker = new Mosquitto();
        using var state = new TempDir();
        using ChildProcess edge = StartWorkingEdge(broker, state, rampWPerS: 20, Profiles.Step); // a ramp-out of a minute or more

        edge.Signal(ChildProcess.SigInt);
        (_, string stopLine) = edge.WaitForLine(l => l.Contains("stopping (", StringComparison.Ordinal), Timeout, "the stop's first line");
        Assert.Contains("stopping (Ctrl-C)", stopLine, StringComparison.Ordinal);
        Assert.Contains("A second Ctrl-C stops at once", stopLine, StringComparison.Ordinal);
        edge.WaitForLine(l => l.Contains("s left", StringComparison.Ordinal), Timeout, "a progress line of the ramp-down");

        var second = System.Diagnostics.Stopwatch.StartNew();
        edge.Signal(ChildProcess.SigInt);
        int exitCode = edge.WaitForExit(Timeout);
        output.WriteLine($"exit {exitCode} {second.Elapsed.TotalMilliseconds:0} ms after the second Ctrl-C\n{edge.Log}");
        Assert.Equal(1, exitCode);
        Assert.True(second.Elapsed < TimeSpan.FromSeconds(5), $"the second Ctrl-C took {second.Elapsed.TotalSeconds:0.0} s to stop edge");
        string said = edge.Lines.Single(l => l.Line.Contains("Ctrl-C again: stopping now", StringComparison.Ordinal)).Line;
        Assert.Contains("at most 2 s", said, StringComparison.Ordinal); // the sim rig's inverters are programmed with 2 s
        Assert.Contains("WSetRvrtTms", said, StringComparison.Ordinal);
        Assert.Contains("they HOLD that power until the guard", said, StringComparison.Ordinal);
        Assert.DoesNotContain(edge.Lines, l => l.Line.Contains("battery setpoint at 0 W after", StringComparison.Ordinal));
    }

    [Fact]
    public void Sigquit_writes_the_flight_recorder_and_the_daemon_keeps_controlling()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        using var broker = new Mosquitto();
        using var state = new TempDir();
        using ChildProcess edge = StartWorkingEdge(broker, state, rampWPerS: 100);

        // Twice: .NET's Console.CancelKeyPress also fires on SIGQUIT, which once made the first SIGQUIT a "Ctrl-C"
        // (a ramp-out) and the second an immediate stop.
        for (int i = 1; i <= 2; i++)
        {
            edge.Signal(ChildProcess.SigQuit);
            int seen = i;
            edge.WaitForLine(_ => edge.Lines.Count(l => l.Line.Contains("flight recorder:", StringComparison.Ordinal) && l.Line.Contains("SIGQUIT", StringComparison.Ordinal)) >= seen,
                Timeout, $"flight recorder dump {i}");
        }

        // Still controlling: a real subscriber sees ten more state messages in mode auto, and no stop began.
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        using (var sub = new ChildProcess(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", port, "-t", "edge/rig/stop/state", "-C", "10"]))
        {
            Assert.Equal(0, sub.WaitForExit(Timeout));
            Assert.All(sub.Lines, l => Assert.True(l.Line.Contains("\"mode\":\"auto\"", StringComparison.Ordinal), l.Line));
        }

        Assert.False(edge.HasExited, edge.Log);
        Assert.DoesNotContain(edge.Lines, l => l.Line.Contains("stopping (", StringComparison.Ordinal));
        Assert.NotEmpty(Directory.GetFiles(state.Path, "flight-*"));

        edge.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, edge.WaitForExit(Timeout));
    }

    /// <summary>Starts edge on the sim rig with a swinging load and waits until a real subscriber sees the battery carry more than 500 W.</summary>
    private static ChildProcess StartWorkingEdge(Mosquitto broker, TempDir state, double rampWPerS, string profile = Profiles.Swinging)
    {
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        string ramp = rampWPerS.ToString(CultureInfo.InvariantCulture);
        ChildProcess edge = EdgeExecutable.Start(
        [
            "run", "--rig", "sim", $"Edge:StateDirectory={state.Path}", "Edge:LiveView=off", "Edge:Site=rig", "Edge:Node=stop",
            "Mqtt:Host=127.0.0.1", $"Mqtt:Port={port}", $"Sim:Profile={profile}",
            $"Controller:RampUpWPerS={ramp}", $"Controller:RampDownWPerS={ramp}", "Loop:FaultAfterConsecutiveMisses=1000",
        ]);
        try
        {
            using var sub = new ChildProcess(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", port, "-t", "edge/rig/stop/state"]);
            sub.WaitForLine(l => Math.Abs(SetpointW(l)) > 500, Timeout, "a state message with the battery carrying more than 500 W");
            return edge;
        }
        catch
        {
            edge.Dispose();
            throw;
        }
    }

    private static double SetpointW(string json)
    {
        try
        {
            using JsonDocument d = JsonDocument.Parse(json);
            return d.RootElement.GetProperty("battery_setpoint_w") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    /// <summary>Seconds since midnight of a console line's <c>HH:mm:ss.fff</c> timestamp.</summary>
    private static double LoggedAt(string line)
    {
        Match m = LogTime().Match(line);
        Assert.True(m.Success, $"no log timestamp in: {line}");
        return TimeSpan.ParseExact(m.Groups["t"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture).TotalSeconds;
    }

    [GeneratedRegex(@"^\s*(?<t>[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}) ")]
    private static partial Regex LogTime();

    [GeneratedRegex(@"stopping \((?<why>[^)]+)\): ramping the battery from (?<w>-?[0-9]+) W to 0 W at the (?:up|down)-ramp limit (?<r>[0-9.]+) W/s — about (?<t>[0-9.]+) s")]
    private static partial Regex StopLine();
}
