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

    /// <summary>The command line that runs the built edge: the app host, or <c>dotnet edge.dll</c>.</summary>
    public static string[] Command()
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, "edge");
        return File.Exists(apphost)
            ? [apphost]
            : [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "edge.dll")];
    }
}
