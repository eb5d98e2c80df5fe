using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// One daemon per state directory: a second <c>edge run</c> on the same directory (a newcomer's second terminal) once
/// took the first one's inverters (the ownership board) and both fought over one MQTT client id. It now refuses to
/// start, says why, and the first keeps controlling; once the first is gone — even by SIGKILL — a new one starts.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class InstanceLockTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static ChildProcess Start(TempDir state) => EdgeExecutable.Start(
        ["run", "--rig", "sim", $"Edge:StateDirectory={state.Path}", "Edge:LiveView=off", "Mqtt:Enabled=false", "Sim:GpuAgents=0", "Sim:MinerAgents=0"]);

    [Fact]
    public void A_second_daemon_on_the_same_state_directory_refuses_to_start_and_the_first_keeps_control()
    {
        using var state = new TempDir();
        using ChildProcess first = Start(state);
        first.WaitForLine(l => l.Contains("first control cycle", StringComparison.Ordinal), Timeout, "the first daemon's first cycle");

        using (ChildProcess second = Start(state))
        {
            int code = second.WaitForExit(Timeout);
            output.WriteLine(second.Log);
            Assert.Equal(1, code);
            Assert.Contains(second.Lines, l => l.Line.Contains("another edge run uses the state directory", StringComparison.Ordinal));
            Assert.DoesNotContain(second.Lines, l => l.Line.Contains("first control cycle", StringComparison.Ordinal));
            Assert.DoesNotContain(second.Lines, l => l.Line.Contains("ownership", StringComparison.Ordinal));
        }

        Assert.False(first.HasExited, first.Log);
        Assert.DoesNotContain(first.Lines, l => l.Line.Contains("LeaseLost", StringComparison.Ordinal) || l.Line.Contains("fenced", StringComparison.Ordinal));

        // SIGKILL: the kernel drops the lock with the process; the next daemon starts.
        first.Signal(ChildProcess.SigKill);
        first.WaitForExit(Timeout);
        using ChildProcess third = Start(state);
        third.WaitForLine(l => l.Contains("first control cycle", StringComparison.Ordinal), Timeout, "a new daemon after the first was killed");
        third.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, third.WaitForExit(Timeout));
    }

    [Fact]
    public void A_read_only_state_filesystem_is_said_as_such_not_as_another_edge_run()
    {
        using var mount = new TempDir("edge-ro-");
        using ChildProcess? edge = PrivateTmpfs.Start(output, mount,
            ["run", "--rig", "sim", $"Edge:StateDirectory={mount.Path}", "Edge:LiveView=off", "Mqtt:Enabled=false", "Sim:GpuAgents=0", "Sim:MinerAgents=0"], "ro,size=1m");
        if (edge is null)
        {
            return;
        }

        // The state directory's write check refuses it before the lock is taken (exit 2, naming the option); the lock
        // itself (StateLock, shared with the guard) says "another edge run" only for a lock another process holds.
        int code = edge.WaitForExit(Timeout);
        output.WriteLine(edge.Log);
        Assert.Equal(2, code);
        Assert.DoesNotContain(edge.Lines, l => l.Line.Contains("another edge run", StringComparison.Ordinal));
        Assert.Contains(edge.Lines, l => l.Line.Contains("Edge:StateDirectory", StringComparison.Ordinal) && l.Line.Contains("Read-only file system", StringComparison.Ordinal));
        Assert.DoesNotContain(edge.Lines, l => l.Line.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
