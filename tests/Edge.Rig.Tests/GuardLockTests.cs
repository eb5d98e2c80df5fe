using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// <c>edge guard</c> takes <c>guard.lock</c> in its state directory (one guard per directory). Only a lock another
/// guard holds is "another guard runs"; a lock file that cannot be created — a read-only or full state filesystem, a
/// state directory under a file — is said as what it is, with the path, and is exit 1 like every other reason the
/// guard cannot start (docs/guard.md), never a crash. The built edge, as a separate process; the filesystems in a
/// private mount namespace (<see cref="PrivateTmpfs"/>).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class GuardLockTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_second_guard_on_the_same_state_directory_says_another_guard_runs()
    {
        using var state = new TempDir("edge-guard-");
        using ChildProcess first = EdgeExecutable.Start(["guard", "--state-directory", state.Path]);
        first.WaitForLine(l => l.Contains("edge-guard: watching", StringComparison.Ordinal), Timeout, "the first guard watching");

        using ChildProcess second = EdgeExecutable.Start(["guard", "--state-directory", state.Path]);
        int code = second.WaitForExit(Timeout);
        output.WriteLine(second.Log);
        Assert.Equal(1, code);
        Assert.Contains(second.Lines, l => l.Line.Contains("another guard runs", StringComparison.Ordinal)
            && l.Line.Contains(Path.Combine(state.Path, "guard.lock"), StringComparison.Ordinal));
        Assert.False(first.HasExited, "the first guard stopped");
    }

    [Theory]
    [InlineData("ro,size=1m", "Read-only file system")] // a read-only state filesystem
    [InlineData("size=1m,nr_inodes=1", "No space left on device")] // its only inode is its root: creating guard.lock fails
    public void A_state_filesystem_that_cannot_hold_the_lock_file_is_said_as_such_not_as_another_guard(string mountOptions, string cause)
    {
        using var mount = new TempDir("edge-tmpfs-");
        using ChildProcess? guard = PrivateTmpfs.Start(output, mount, ["guard", "--state-directory", mount.Path], mountOptions);
        if (guard is null)
        {
            return;
        }

        AssertSaysWhy(guard, Path.Combine(mount.Path, "guard.lock"), cause);
    }

    [Fact]
    public void A_state_directory_under_a_file_is_said_as_such_and_is_not_a_crash()
    {
        using var dir = new TempDir("edge-file-");
        dir.Create();
        string file = dir["not-a-directory"];
        File.WriteAllText(file, "x");
        using ChildProcess guard = EdgeExecutable.Start(["guard", "--state-directory", Path.Combine(file, "state")]);
        AssertSaysWhy(guard, file, "is a file, not a directory");
    }

    private void AssertSaysWhy(ChildProcess guard, string path, string cause)
    {
        int code = guard.WaitForExit(Timeout);
        output.WriteLine(guard.Log);
        Assert.True(code == 1, $"edge guard exited {code}, not 1:\n{guard.Log}");
        Assert.Contains(guard.Lines, l => l.Line.StartsWith("edge guard: cannot start", StringComparison.Ordinal)
            && l.Line.Contains(path, StringComparison.Ordinal) && l.Line.Contains(cause, StringComparison.Ordinal));
        Assert.DoesNotContain(guard.Lines, l => l.Line.Contains("another guard", StringComparison.Ordinal));
        Assert.DoesNotContain(guard.Lines, l => l.Line.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
