using System.Text.Json;
using Edge.Cli;
using Edge.Daemon;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 7, "host start/stop in-process with the sim rig": systemd hears READY=1 only once the loop has completed a
/// good control cycle, and STOPPING=1 when the stop begins; the command exits 0 after a clean stop.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class LifecycleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Ready_comes_only_after_the_first_good_cycle_and_stopping_when_the_stop_begins()
    {
        using var state = new TempDir();
        using var notify = new NotifySocket();
        using var _ = new EnvironmentVariable("NOTIFY_SOCKET", notify.Address);
        using var watchdog = new EnvironmentVariable("WATCHDOG_USEC", "400000"); // as WatchdogSec=0.4s would set it
        using var watchdogPid = new EnvironmentVariable("WATCHDOG_PID", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // What the daemon had done at the moment each datagram arrived (read on the receiving thread, at once).
        EdgeDaemon? daemon = null;
        CapturedLog? log = null;
        long consumedAtReady = -1, cyclesAtReady = -1;
        bool loopFailedAtReady = true, firstCycleLoggedAtReady = false;
        bool loopRunningAtStopping = false;
        notify.OnMessage = message =>
        {
            if (NotifySocket.Has(message, "READY=1") && daemon is not null)
            {
                consumedAtReady = daemon.Pump?.Consumed ?? 0;
                cyclesAtReady = daemon.Executive?.Statistics.ReadCounters().Cycles ?? 0;
                loopFailedAtReady = daemon.Executive?.Failure is not null;
                firstCycleLoggedAtReady = log?.Contains("first control cycle") ?? false;
            }

            if (NotifySocket.Has(message, "STOPPING=1") && daemon is not null)
            {
                loopRunningAtStopping = daemon.Executive is { HasFinished: false };
            }
        };

        using var run = InProcessDaemon.StartWith(state.Path, r => (daemon, log) = (r.Daemon, r.Log));
        string ready = notify.WaitFor("READY=1", Timeout);
        output.WriteLine($"READY datagram: {ready.Replace('\n', '|')}; consumed {consumedAtReady}, cycles {cyclesAtReady}");

        Assert.Contains("STATUS=controlling: rig sim", ready, StringComparison.Ordinal);
        Assert.True(cyclesAtReady >= 1, $"READY=1 was sent before the loop completed a cycle ({cyclesAtReady} cycles)");
        Assert.True(consumedAtReady >= 1, $"READY=1 was sent before a cycle reached the hand-off consumer ({consumedAtReady})");
        Assert.False(loopFailedAtReady, "READY=1 was sent although the loop had failed");
        Assert.True(firstCycleLoggedAtReady, "READY=1 came before the daemon logged its first control cycle");
        Assert.DoesNotContain(notify.Messages, m => NotifySocket.Has(m, "STOPPING=1"));

        // While the loop is healthy, the watchdog is fed (at half the timeout).
        notify.WaitFor("WATCHDOG=1", Timeout);

        run.Stop();
        notify.WaitFor("STOPPING=1", Timeout);
        Assert.True(loopRunningAtStopping, "STOPPING=1 should be sent when the stop begins, while the loop still ramps the battery out");
        Assert.Equal(1, notify.Messages.Count(m => NotifySocket.Has(m, "READY=1")));
        Assert.Equal(0, run.Status.ExitCode);
        Assert.True(run.Status.FirstCycleMs > 0 && run.Status.FirstCycleMs < 10_000, $"first cycle after {run.Status.FirstCycleMs} ms");
    }

    [Fact]
    public void A_stop_with_the_live_view_on_is_a_clean_stop()
    {
        // The view draws through Spectre's global console: send it nowhere for this test, then put it back.
        Spectre.Console.IAnsiConsole previous = Spectre.Console.AnsiConsole.Console;
        Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(TextWriter.Null),
            Interactive = Spectre.Console.InteractionSupport.No,
        });
        try
        {
            using var state = new TempDir();
            using var run = InProcessDaemon.Start(state.Path, "Edge:LiveView=on");
            Wait.Until(() => run.Daemon.Pump!.Consumed > 50, Timeout, "control cycles with the live view on");
            run.Stop(); // fails if the host's stop (which disposes the daemon and its view) throws
            Assert.Equal(0, run.Status.ExitCode);
            Assert.True(run.Log.Contains("state saved to"), run.Log.Text);
        }
        finally
        {
            Spectre.Console.AnsiConsole.Console = previous;
        }
    }

    [Fact]
    public void Edge_run_through_the_command_line_starts_notifies_and_stops_cleanly_against_a_real_broker()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        using var broker = new Mosquitto();
        using var state = new TempDir();
        using var notify = new NotifySocket();
        using var _ = new EnvironmentVariable("NOTIFY_SOCKET", notify.Address);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string port = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var cancel = new CancellationTokenSource();
        int exitCode = -1;
        var runner = new Thread(() => exitCode = CommandRegistry.Run(
            ["run", "--rig", "sim", $"Edge:StateDirectory={state.Path}", "Edge:LiveView=off", "Edge:Site=rig", "Edge:Node=cli",
                $"Mqtt:Host=127.0.0.1", $"Mqtt:Port={port}", $"Sim:Profile={Profiles.Swinging}",
                "Controller:RampUpWPerS=1000", "Controller:RampDownWPerS=1000", "Loop:FaultAfterConsecutiveMisses=1000"],
            new CommandContext(stdout, stderr, false, cancel.Token))) { Name = "edge-run" };
        runner.Start();
        try
        {
            notify.WaitFor("READY=1", Timeout);

            // A real subscriber sees the daemon's retained status and its state.
            using var sub = new ChildProcess(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", port, "-v", "-t", "edge/rig/cli/status", "-t", "edge/rig/cli/state"]);
            sub.WaitForLine(l => l.StartsWith("edge/rig/cli/status ", StringComparison.Ordinal) && l.Contains("\"online\"", StringComparison.Ordinal), Timeout, "retained online status");
            sub.WaitForLine(l => l.StartsWith("edge/rig/cli/state ", StringComparison.Ordinal), Timeout, "a state message");

            cancel.Cancel(); // what SIGTERM does in Program.cs
            Assert.True(runner.Join(TimeSpan.FromSeconds(60)), "edge run did not stop within 60 s of the cancellation");
            Assert.Equal(ExitCodes.Ok, exitCode);
            notify.WaitFor("STOPPING=1", Timeout);
            sub.WaitForLine(l => l.StartsWith("edge/rig/cli/status ", StringComparison.Ordinal) && l.Contains("\"offline\"", StringComparison.Ordinal), Timeout, "offline status at stop");
        }
        finally
        {
            cancel.Cancel();
            runner.Join(TimeSpan.FromSeconds(60));
            output.WriteLine(stderr.ToString());
        }

        Assert.Contains("stopped (first control cycle was", stderr.ToString(), StringComparison.Ordinal);
        using JsonDocument saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(state.Path, "state.json")));
        Assert.Equal(1, saved.RootElement.GetProperty("starts").GetInt64());
    }
}
