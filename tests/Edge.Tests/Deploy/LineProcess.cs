using System.Diagnostics;

namespace Edge.Tests.Deploy;

/// <summary>
/// A long-running child process (a broker, a subscriber) whose output lines the test waits on — with a deadline,
/// never a sleep. Killed with its children on dispose.
/// </summary>
internal sealed class LineProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    public LineProcess(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.Exited += (_, _) =>
        {
            lock (_lines)
            {
                Monitor.PulseAll(_lines);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything printed so far (stdout and stderr interleaved as received).</summary>
    public string Log
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>True once a line matching <paramref name="match"/> was printed.</summary>
    public bool Saw(Func<string, bool> match)
    {
        lock (_lines)
        {
            return _lines.Any(match);
        }
    }

    /// <summary>
    /// Waits until a line matching <paramref name="match"/> has been printed; throws (with the log) if the process
    /// exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public void WaitFor(Func<string, bool> match, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (!_lines.Any(match) && !_process.HasExited)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"no {what} within {timeout.TotalSeconds} s from {_process.StartInfo.FileName}:\n{string.Join('\n', _lines)}");
                }

                Monitor.Wait(_lines, left);
            }

            if (_lines.Any(match))
            {
                return;
            }
        }

        // It exited: let the output readers reach end of stream (outside the lock they need), then look once more.
        _process.WaitForExit();
        if (!Saw(match))
        {
            throw new InvalidOperationException($"{_process.StartInfo.FileName} exited ({_process.ExitCode}) before {what}:\n{Log}");
        }
    }

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

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            Monitor.PulseAll(_lines);
        }
    }
}
