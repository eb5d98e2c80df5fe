using System.Globalization;
using Edge.Runtime.Statistics;

namespace Edge.Bench;

/// <summary>
/// Background threads that allocate while the loop runs: a logger formatting a status line every 200 ms (strings,
/// timestamps), and optionally a garbage maker producing short-lived arrays at a fixed rate to drive the GC harder.
/// </summary>
internal sealed class BackgroundAllocators : IDisposable
{
    private readonly ManualResetEventSlim _stop = new();
    private readonly List<Thread> _threads = [];

    public BackgroundAllocators(LoopStatistics statistics, double garbageMbPerS)
    {
        _threads.Add(new Thread(() =>
        {
            while (!_stop.Wait(200))
            {
                LoopCounters c = statistics.ReadCounters();
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"{DateTime.UtcNow:O} info loop cycles={c.Cycles} overruns={c.Overruns} missed={c.MissedSlots} faults={c.DeadlineFaults}");
                TextWriter.Null.WriteLine(line);
                LinesLogged++;
            }
        })
        {
            Name = "logger",
            IsBackground = true,
        });

        if (garbageMbPerS > 0)
        {
            const int chunk = 16 * 1024;
            double chunksPerTick = garbageMbPerS * 1024 * 1024 / chunk / 100; // 10 ms ticks
            _threads.Add(new Thread(() =>
            {
                double owed = 0;
                byte[]? keep = null;
                while (!_stop.Wait(10))
                {
                    for (owed += chunksPerTick; owed >= 1; owed--)
                    {
                        keep = new byte[chunk];
                        keep[0] = 1;
                    }
                }

                GC.KeepAlive(keep);
            })
            {
                Name = "garbage",
                IsBackground = true,
            });
        }
    }

    public long LinesLogged { get; private set; }

    public void Start() => _threads.ForEach(t => t.Start());

    public void Dispose()
    {
        _stop.Set();
        _threads.ForEach(t =>
        {
            if (t.IsAlive)
            {
                t.Join();
            }
        });
        _stop.Dispose();
    }
}
