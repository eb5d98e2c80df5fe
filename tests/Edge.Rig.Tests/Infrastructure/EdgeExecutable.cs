namespace Edge.Rig.Tests.Infrastructure;

/// <summary>The built <c>edge</c> (copied beside the tests by the project reference), started as a separate process.</summary>
internal static class EdgeExecutable
{
    /// <summary>Starts <c>edge <paramref name="args"/></c> with <paramref name="environment"/> added to ours.</summary>
    public static ChildProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, "edge");
        string dll = Path.Combine(AppContext.BaseDirectory, "edge.dll");
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            // Never let a systemd notify socket of the test run leak into the child.
            ["NOTIFY_SOCKET"] = null,
        };
        return File.Exists(apphost)
            ? new ChildProcess(apphost, args, env)
            : new ChildProcess(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [dll, .. args], env);
    }
}
