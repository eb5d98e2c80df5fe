namespace Edge.Rig.Tests.Infrastructure;

/// <summary>The built <c>edge</c> (copied beside the tests by the project reference), started as a separate process.</summary>
internal static class EdgeExecutable
{
    /// <summary>Starts <c>edge <paramref name="args"/></c> with <paramref name="environment"/> added to ours.</summary>
    public static ChildProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            // Never let a systemd notify socket of the test run leak into the child.
            ["NOTIFY_SOCKET"] = null,
        };
        string[] command = Command();
        return new ChildProcess(command[0], [.. command[1..], .. args], env);
    }

    /// <summary>
    /// <c>$EDGE_EXECUTABLE</c> when set (the natively compiled edge of deploy/build-native.sh, which .ci/run tests
    /// with the rig tests that start edge as a process), else null.
    /// </summary>
    public static string? Native => Environment.GetEnvironmentVariable("EDGE_EXECUTABLE") is { Length: > 0 } path ? path : null;

    /// <summary>The command line that runs the edge under test: <see cref="Native"/>, the built app host, or
    /// <c>dotnet edge.dll</c>.</summary>
    public static string[] Command()
    {
        if (Native is { } native)
        {
            return File.Exists(native) ? [native] : throw new FileNotFoundException($"EDGE_EXECUTABLE={native}: no such file", native);
        }

        string apphost = Path.Combine(AppContext.BaseDirectory, "edge");
        return File.Exists(apphost)
            ? [apphost]
            : [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "edge.dll")];
    }
}
