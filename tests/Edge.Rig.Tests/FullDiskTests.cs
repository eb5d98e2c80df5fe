using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// A full state filesystem, for real: the built <c>edge</c> runs in a private mount namespace (<c>unshare -m</c>, so
/// nothing is left mounted whatever happens to the test) with its state directory on a small tmpfs, filled with
/// <c>dd</c> before the start or, through <c>/proc/PID/root</c>, while it runs. Found on the HIL rig (2026-12-04):
/// <c>edge guard</c> on a full tmpfs died with SIGBUS in <c>OwnershipBoard..ctor</c> (exit 134: the board was made
/// sparse with SetLength, mapped, and its first store found no page to allocate) — under <c>Restart=always</c> a crash
/// loop with no guard; and a daemon whose final state save failed said "state saved to …" anyway. Needs root (CI runs
/// as root): without a mount namespace the tests say so and return, but under <c>CI=true</c> they fail.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class FullDiskTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_guard_on_a_full_state_filesystem_says_so_and_exits_1_instead_of_crashing()
    {
        using var mount = new TempDir("edge-full-");
        using ChildProcess? guard = OnTmpfs(mount, fillFirst: true, ["guard", "--state-directory", mount["new"]]);
        if (guard is null)
        {
            return;
        }

        int code = guard.WaitForExit(Timeout);
        output.WriteLine(guard.Log);
        Assert.True(code == 1, $"edge guard exited {code} (134 = SIGBUS on the mapped board), not 1:\n{guard.Log}");
        Assert.Contains(guard.Lines, l => l.Line.Contains("guard.board", StringComparison.Ordinal) && l.Line.Contains("No space left on device", StringComparison.Ordinal));
        Assert.DoesNotContain(guard.Lines, l => l.Line.Contains("Fatal error", StringComparison.Ordinal) || l.Line.Contains("AccessViolation", StringComparison.Ordinal));
    }

    [Fact]
    public void The_daemon_on_a_full_state_filesystem_says_so_and_exits_1_instead_of_crashing()
    {
        using var mount = new TempDir("edge-full-");
        using ChildProcess? edge = OnTmpfs(mount, fillFirst: true,
            ["run", "--rig", "sim", $"Edge:StateDirectory={mount["new"]}", "Edge:LiveView=off", "Mqtt:Enabled=false", "Sim:GpuAgents=0", "Sim:MinerAgents=0"]);
        if (edge is null)
        {
            return;
        }

        int code = edge.WaitForExit(Timeout);
        output.WriteLine(edge.Log);
        Assert.True(code == 1, $"edge run exited {code} (134 = SIGBUS on the mapped board), not 1:\n{edge.Log}");
        Assert.Contains(edge.Lines, l => l.Line.Contains("could not start", StringComparison.Ordinal)
            && l.Line.Contains("guard.board", StringComparison.Ordinal) && l.Line.Contains("No space left on device", StringComparison.Ordinal));
        Assert.DoesNotContain(edge.Lines, l => l.Line.Contains("first control cycle", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stop_whose_state_save_failed_does_not_say_the_state_was_saved()
    {
        using var mount = new TempDir("edge-full-");
        string stateDirectory = mount["state"];
        using ChildProcess? edge = OnTmpfs(mount, fillFirst: false,
            ["run", "--rig", "sim", $"Edge:StateDirectory={stateDirectory}", "Edge:LiveView=off", "Mqtt:Enabled=false", "Sim:GpuAgents=0", "Sim:MinerAgents=0"]);
        if (edge is null)
        {
            return;
        }

        edge.WaitForLine(l => l.Contains("first control cycle", StringComparison.Ordinal), Timeout, "the first control cycle");

        // Fill the daemon's tmpfs from outside its mount namespace: /proc/PID/root is its view of the filesystem.
        string fill = $"/proc/{edge.Pid}/root{stateDirectory}/fill";
        try
        {
            using var f = new FileStream(fill, FileMode.CreateNew, FileAccess.Write);
            byte[] block = new byte[64 * 1024];
            while (true)
            {
                f.Write(block);
                f.Flush();
            }
        }
        catch (IOException e) when (e.Message.Contains("No space left on device", StringComparison.Ordinal))
        {
            output.WriteLine($"filled: {e.Message}");
        }

        edge.Signal(ChildProcess.SigTerm);
        int code = edge.WaitForExit(Timeout);
        output.WriteLine(edge.Log);
        Assert.Equal(0, code);
        Assert.Contains(edge.Lines, l => l.Line.Contains("cannot save state", StringComparison.Ordinal) && l.Line.Contains("No space left on device", StringComparison.Ordinal));
        string stopped = edge.Lines.Select(l => l.Line).Last(l => l.Contains("stopped after", StringComparison.Ordinal));
        Assert.Contains("state NOT saved", stopped, StringComparison.Ordinal);
        Assert.DoesNotContain("state saved to", stopped, StringComparison.Ordinal);
    }

    private ChildProcess? OnTmpfs(TempDir mount, bool fillFirst, IEnumerable<string> args) =>
        PrivateTmpfs.Start(output, mount, args, fillFirst: fillFirst);
}
