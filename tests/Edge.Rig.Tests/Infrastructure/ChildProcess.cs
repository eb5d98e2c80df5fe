using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Edge.Rig.Tests.Infrastructure;

/// <summary>
/// A child process whose output lines (stdout and stderr, each stamped with the time since start) the test waits
/// on with deadlines. Signals go through kill(2). Killed with its children on dispose if still running.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigQuit = 3;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly List<(TimeSpan At, string Line)> _lines = [];
    private readonly Stopwatch _sinceStart;

    public ChildProcess(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            psi.Environment[key] = value;
        }

        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _sinceStart = Stopwatch.StartNew();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Time since <see cref="Process.Start()"/> was called.</summary>
    public TimeSpan Elapsed => _sinceStart.Elapsed;

    public IReadOnlyList<(TimeSpan At, string Line)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Log => string.Join('\n', Lines.Select(l => l.Line));

    /// <summary>Waits for a line matching <paramref name="match"/>; returns it with its time since start. Fails on exit or timeout.</summary>
    public (TimeSpan At, string Line) WaitForLine(Func<string, bool> match, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (true)
            {
                foreach ((TimeSpan at, string line) in _lines)
                {
                    if (match(line))
                    {
                        return (at, line);
                    }
                }

                TimeSpan left = deadline - DateTime.UtcNow;
                if (_process.HasExited || left <= TimeSpan.Zero)
                {
                    break;
                }

                Monitor.Wait(_lines, left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
            }
        }

        if (_process.HasExited)
        {
            _process.WaitForExit(); // let the readers reach the end of the output
            (TimeSpan At, string Line) found = Lines.FirstOrDefault(l => match(l.Line));
            if (found.Line is not null)
            {
                return found;
            }

            Assert.Fail($"{Path.GetFileName(_process.StartInfo.FileName)} exited ({_process.ExitCode}) before {what}:\n{Log}");
        }

        Assert.Fail($"no {what} within {timeout.TotalSeconds} s:\n{Log}");
        return default;
    }

    /// <summary>Sends signal <paramref name="signal"/> (kill(2)).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the exit; returns the exit code. Fails the test after <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Assert.Fail($"{Path.GetFileName(_process.StartInfo.FileName)} still running after {timeout.TotalSeconds} s:\n{Log}");
        }

        _process.WaitForExit(); // flush the asynchronous readers
        return _process.ExitCode;
    }

    /// <summary>Pids of the direct children of this process (from /proc/PID/task/*/children).</summary>
    public IReadOnlyList<int> ChildPids()
    {
        var pids = new List<int>();
        try
        {
            foreach (string task in Directory.GetDirectories($"/proc/{Pid}/task"))
            {
                string children = File.ReadAllText(Path.Combine(task, "children"));
                pids.AddRange(children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the process (or a thread) went away while listing
        }

        return pids;
    }

    /// <summary>The command line of process <paramref name="pid"/> (NUL-separated words joined by spaces), or null when it is gone.</summary>
    public static string? CommandLine(int pid)
    {
        try
        {
            string status = File.ReadAllText($"/proc/{pid}/stat");
            // A zombie has exited (only its parent's reaping is missing): count it as gone.
            int close = status.LastIndexOf(')');
            if (close > 0 && status.Length > close + 2 && status[close + 2] == 'Z')
            {
                return null;
            }

            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The resident set size of the process, kB (VmRSS in /proc/PID/status).</summary>
    public long RssKb() => StatusKb("VmRSS:");

    /// <summary>The peak resident set size, kB (VmHWM).</summary>
    public long PeakRssKb() => StatusKb("VmHWM:");

    /// <summary>Threads of the process.</summary>
    public int Threads() => (int)StatusKb("Threads:");

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private long StatusKb(string key)
    {
        foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{key} not in /proc/{Pid}/status");
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add((_sinceStart.Elapsed, line));
            Monitor.PulseAll(_lines);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
