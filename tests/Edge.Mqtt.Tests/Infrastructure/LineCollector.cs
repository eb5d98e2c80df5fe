using System.Diagnostics;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>Collects a process's stdout lines and lets a test wait for a condition on them (no sleeps).</summary>
internal sealed class LineCollector
{
    private readonly List<string> _lines = [];
    private readonly object _gate = new();

    public LineCollector(Process process)
    {
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_gate)
            {
                _lines.Add(e.Data);
                Monitor.PulseAll(_gate);
            }
        };
        process.BeginOutputReadLine();
    }

    public List<string> Snapshot()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the lines seen so far; false on timeout.</summary>
    public bool WaitFor(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        lock (_gate)
        {
            while (!condition(_lines))
            {
                TimeSpan left = timeout - sw.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                Monitor.Wait(_gate, left);
            }

            return true;
        }
    }
}
