namespace Edge.Rig.Tests.Infrastructure;

/// <summary>
/// Runs the built <c>edge</c> in a private mount namespace (<c>unshare -m</c>, so nothing is left mounted whatever
/// happens to the test) with a small tmpfs on a test directory: full, read-only or out of inodes, as the test asks.
/// Needs root (CI runs as root): elsewhere the test is skipped with a message, but under <c>CI=true</c> it fails.
/// </summary>
internal static class PrivateTmpfs
{
    private const string Ready = "edge-test: tmpfs mounted";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts <c>edge <paramref name="args"/></c> with a tmpfs mounted with <paramref name="mountOptions"/> on
    /// <paramref name="mount"/> (filled up with <c>dd</c> first when <paramref name="fillFirst"/>). Null when no mount
    /// namespace can be made here (and not CI): the test is skipped, and says so in <paramref name="output"/>.
    /// </summary>
    public static ChildProcess? Start(ITestOutputHelper output, TempDir mount, IEnumerable<string> args, string mountOptions = "size=1m", bool fillFirst = false)
    {
        mount.Create();
        const string Script = """
            d="$0"; options="$1"; fill="$2"; shift 2
            mount -t tmpfs -o "$options" edge-test "$d" || exit 97
            if [ "$fill" = 1 ]; then dd if=/dev/zero of="$d/fill" bs=64k 2>/dev/null; df -k "$d"; fi
            echo "edge-test: tmpfs mounted"
            exec "$@"
            """;
        var child = new ChildProcess("/usr/bin/unshare",
            ["-m", "--propagation", "private", "/bin/sh", "-c", Script, mount.Path, mountOptions, fillFirst ? "1" : "0", .. EdgeExecutable.Command(), .. args],
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = null });
        Wait.Until(() => child.HasExited || child.Log.Contains(Ready, StringComparison.Ordinal), Timeout, "the tmpfs in a private mount namespace", () => child.Log);
        int? exit = child.HasExited ? child.WaitForExit(Timeout) : null; // (an edge that failed at once: all its output is read)
        if (child.Log.Contains(Ready, StringComparison.Ordinal))
        {
            return child;
        }

        string why = $"no private mount namespace with a tmpfs here (unshare -m and mount need root; exit {exit}): {child.Log}";
        child.Dispose();
        if (Peers.IsCi)
        {
            throw new InvalidOperationException(why + "; CI=true: this test must run (CI runs as root).");
        }

        output.WriteLine("SKIPPED: " + why);
        return null;
    }
}
