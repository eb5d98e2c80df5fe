using System.Diagnostics;
using Xunit.Abstractions;

namespace Edge.Tests.Deploy;

/// <summary>
/// Runs the deployment scripts and the real tools they are checked against (systemd-analyze, dpkg-deb, openssl,
/// mosquitto). A missing tool fails the test under <c>CI=true</c>; elsewhere the test returns early and says so.
/// </summary>
internal static class Shell
{
    /// <summary>The repository root (the folder holding Edge.sln), found from the test's output folder.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>deploy/ in the repository.</summary>
    public static string DeployDir => Path.Combine(RepoRoot, "deploy");

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True when every tool is on PATH (or at its absolute path). Under CI a missing one fails the test; elsewhere
    /// it writes SKIPPED with the Debian package that brings it.
    /// </summary>
    public static bool Require(ITestOutputHelper output, string debianPackage, params string[] tools)
    {
        string[] missing = tools.Where(t => Which(t) is null).ToArray();
        if (missing.Length == 0)
        {
            return true;
        }

        string what = $"{string.Join(", ", missing)} (Debian package {debianPackage})";
        if (InCi)
        {
            Assert.Fail($"Test peer {what} is missing and CI=true: install it (tests/run.sh does).");
        }

        output.WriteLine($"SKIPPED: test peer {what} is not installed (outside CI this test is skipped; tests/run.sh installs it).");
        return false;
    }

    /// <summary>The full path of <paramref name="tool"/> on PATH (also /usr/sbin and /sbin), or null.</summary>
    public static string? Which(string tool)
    {
        if (Path.IsPathRooted(tool))
        {
            return File.Exists(tool) ? tool : null;
        }

        string path = (Environment.GetEnvironmentVariable("PATH") ?? "") + ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin";
        foreach (string dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>A finished process: exit code, stdout, stderr.</summary>
    public sealed record Result(int ExitCode, string Out, string Err)
    {
        /// <summary>Everything it printed, for assertion messages.</summary>
        public string All => $"exit code {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
    }

    /// <summary>
    /// Runs <paramref name="file"/> to completion within <paramref name="timeout"/> (default 300 s: a bound for a hang, not a timing goal — a loaded 2-core box packs a .deb in over a minute). DOTNET_ROOT is
    /// removed from its environment unless <paramref name="env"/> sets it, so the scripts see the machine, not the
    /// test host; an <paramref name="env"/> value of null removes that variable.
    /// </summary>
    public static Result Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null,
        string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoRoot,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("DOTNET_ROOT");
        foreach ((string key, string? value) in env ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        using Process p = Process.Start(psi)!;
        p.StandardInput.Close();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(300);
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new Result(-1, stdout.Result, $"timed out after {limit.TotalSeconds} s\n{stderr.Result}");
        }

        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a script of deploy/ with bash.</summary>
    public static Result Script(string name, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null) =>
        Run("/bin/bash", new[] { Path.Combine(DeployDir, name) }.Concat(args), env);

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Edge.sln")) && Directory.Exists(Path.Combine(d.FullName, "deploy")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException($"no Edge.sln with a deploy/ folder above {AppContext.BaseDirectory}");
    }
}
