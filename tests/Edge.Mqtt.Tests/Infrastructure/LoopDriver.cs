using System.Diagnostics;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>Runs a <see cref="SimulatedRig"/> on its own thread, paced so that loop time follows wall time.</summary>
internal sealed class LoopDriver : IDisposable
{
    private readonly SimulatedRig _rig;
    private readonly Thread _thread;
    private volatile bool _stop;
    private volatile bool _paused;

    public LoopDriver(SimulatedRig rig)
    {
        _rig = rig;
        _thread = new Thread(Run) { IsBackground = true, Name = "simulated-loop" };
        _thread.Start();
    }

    /// <summary>Pauses the loop (records stop); loop time does not advance meanwhile.</summary>
    public bool Paused
    {
        get => _paused;
        set => _paused = value;
    }

    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    public void Dispose() => Stop();

    private void Run()
    {
        var sw = Stopwatch.StartNew();
        long offsetNs = 0;
        while (!_stop)
        {
            long wallNs = (long)(sw.Elapsed.TotalMilliseconds * 1e6) - offsetNs;
            if (_paused)
            {
                offsetNs += Math.Max(0, wallNs - _rig.NowNs);
            }
            else
            {
                while (_rig.NowNs <= wallNs)
                {
                    lock (_rig)
                    {
                        _rig.Step();
                    }
                }
            }

            Thread.Sleep(2); // pacing a producer, not waiting for a result
        }
    }
}
