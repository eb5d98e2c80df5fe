using Edge.Devices.Rig;
using Edge.Runtime.Timing;
using Edge.Simulation.Sensors;

namespace Edge.Daemon.Rigs;

/// <summary>
/// One sampler thread per I²C bus (docs/DESIGN.md §3: sensors that cannot answer within the loop's budget are read by their
/// own thread; the loop takes their latest value). Each thread wakes on absolute deadlines at the rig's sampling
/// period and reads every sensor on its bus; on a simulated rig it first lets the simulated chips run up to now.
/// </summary>
internal sealed class RackSamplers : IDisposable
{
    private readonly RigDevices _devices;
    private readonly SimulatedRigBackend? _simulation;
    private readonly long _periodNs;
    private readonly List<Thread> _threads = [];
    private volatile bool _stop;

    public RackSamplers(RigDevices devices, SimulatedRigBackend? simulation, double periodMs)
    {
        _devices = devices;
        _simulation = simulation;
        _periodNs = (long)Math.Round(periodMs * 1e6);
    }

    /// <summary>Samples of every bus taken so far.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    private long _samples;

    public void Start()
    {
        for (int b = 0; b < _devices.BusCount; b++)
        {
            int bus = b;
            var t = new Thread(() => Run(bus)) { IsBackground = true, Name = $"sampler-bus{bus}" };
            _threads.Add(t);
            t.Start();
        }
    }

    /// <summary>Samples every bus once from the calling thread (start-up, before the threads run).</summary>
    public void SampleOnce(long nowNs)
    {
        for (int b = 0; b < _devices.BusCount; b++)
        {
            _simulation?.Buses[b].Advance(nowNs);
            _devices.SampleBus(b, nowNs);
        }
    }

    public void Dispose()
    {
        _stop = true;
        foreach (Thread t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(2));
        }
    }

    private void Run(int bus)
    {
        using IDeadlineSleeper sleeper = DeadlineSleepers.Create(SleeperKind.Auto);
        long next = sleeper.Clock.NowNs;
        while (!_stop)
        {
            long nowNs = sleeper.Clock.NowNs;
            _simulation?.Buses[bus].Advance(nowNs);
            _devices.SampleBus(bus, nowNs);
            Interlocked.Increment(ref _samples);
            next += _periodNs;
            if (next < nowNs)
            {
                next = nowNs + _periodNs; // a stall: skip ahead, never burst
            }

            sleeper.SleepUntil(next);
        }
    }
}
