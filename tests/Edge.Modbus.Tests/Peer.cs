using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Edge.Modbus.Tests;

/// <summary>
/// Real third-party peers (pymodbus, mbpoll) run as child processes. Availability: under <c>CI=true</c> a missing
/// peer fails the test; elsewhere the test returns early and says so in its output.
/// </summary>
internal static class Peer
{
    /// <summary>Debian's Python (the one that sees python3-pymodbus).</summary>
    public const string Python = "/usr/bin/python3";

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Peers", name);

    /// <summary>True when pymodbus is importable by /usr/bin/python3. Fails under CI when it is not.</summary>
    public static bool HasPymodbus(ITestOutputHelper output) =>
        Require(File.Exists(Python) && Run(Python, ["-c", "import pymodbus"], TimeSpan.FromSeconds(20)).ExitCode == 0,
            "python3-pymodbus (for /usr/bin/python3)", output);

    /// <summary>True when mbpoll is installed. Fails under CI when it is not.</summary>
    public static bool HasMbpoll(ITestOutputHelper output) =>
        Require(File.Exists("/usr/bin/mbpoll"), "mbpoll", output);

    private static bool Require(bool present, string what, ITestOutputHelper output)
    {
        if (present)
        {
            return true;
        }

        if (InCi)
        {
            Assert.Fail($"Test peer {what} is missing and CI=true: install it (tests/run.sh does).");
        }

        output.WriteLine($"SKIPPED: test peer {what} is not installed (outside CI this test is skipped; tests/run.sh installs it).");
        return false;
    }

    /// <summary>Runs a process to completion (bounded by <paramref name="timeout"/>); returns exit code and stdout+stderr.</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (-1, $"timed out after {timeout.TotalSeconds} s: {stdout.Result}{stderr.Result}");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>A long-running peer started on a port the test picked; waits for its readiness line on stdout.</summary>
    public sealed class Server : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();

        public Server(string file, IEnumerable<string> args, string readyPrefix, TimeSpan timeout)
        {
            var psi = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            foreach (string a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var ready = new ManualResetEventSlim();
            _process = new Process { StartInfo = psi };
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (_log)
                {
                    _log.AppendLine(e.Data);
                }

                if (e.Data.StartsWith(readyPrefix, StringComparison.Ordinal))
                {
                    ready.Set();
                }
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                lock (_log)
                {
                    _log.AppendLine(e.Data);
                }
            };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            if (!ready.Wait(timeout))
            {
                Dispose();
                throw new InvalidOperationException($"{file} did not print '{readyPrefix}' within {timeout.TotalSeconds} s: {Log}");
            }
        }

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }

            _process.Dispose();
        }
    }
}
