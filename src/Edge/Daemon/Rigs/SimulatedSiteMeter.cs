using Edge.Core.Devices;
using Edge.Runtime.Handoff;
using Edge.Runtime.Timing;
using Edge.Simulation.Agents;
using Edge.Simulation.Inverter;
using Edge.Core.Timing;

namespace Edge.Daemon.Rigs;

/// <summary>
/// The simulated site meter of the sim rig: grid = racks' draw × (1 + unmeasured share) + flexible loads − Σ simulated
/// inverter power (<see cref="SimulatedSiteLoad.GridLoadW"/>: the simulated agents' caps and miners included),
/// updated at a meter's rate on its own thread (a real meter is polled over Modbus by its own worker), read by the
/// loop through a latest-value mailbox: lock-free and allocation-free on the loop side.
/// </summary>
internal sealed class SimulatedSiteMeter : IPowerSensor, IDisposable
{
    private readonly SimulatedSiteLoad _site;
    private readonly IReadOnlyList<SunSpecInverterSimulator> _inverters;
    private readonly double _unmeasuredFraction;
    private readonly IMonotonicClock _clock;
    private readonly LatestValueMailbox<PowerReading> _latest = new();
    private readonly Thread _thread;
    private readonly int _periodMs;
    private volatile bool _stop;
    private uint _sequence;

    public SimulatedSiteMeter(SimulatedSiteLoad site, IReadOnlyList<SunSpecInverterSimulator> inverters, double unmeasuredFraction, double rateHz, IMonotonicClock clock)
    {
        _site = site;
        _inverters = inverters;
        _unmeasuredFraction = unmeasuredFraction;
        _clock = clock;
        _periodMs = Math.Max(1, (int)Math.Round(1000 / rateHz));
        Update();
        _thread = new Thread(Run) { IsBackground = true, Name = "sim-site-meter" };
        _thread.Start();
    }

    public string Id => "site-meter";

    public bool TryRead(out PowerReading reading) => _latest.TryRead(out reading, out _, out _);

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Run()
    {
        while (!_stop)
        {
            Thread.Sleep(_periodMs);
            Update();
        }
    }

    private void Update()
    {
        long nowNs = _clock.NowNs;
        double batteryW = 0;
        foreach (SunSpecInverterSimulator inverter in _inverters)
        {
            batteryW += inverter.Snapshot().PowerW;
        }

        double gridW = _site.GridLoadW(nowNs * 1e-9, _unmeasuredFraction) - batteryW;
        _latest.Write(new PowerReading(nowNs, gridW, double.NaN, double.NaN, ++_sequence, SensorHealth.Ok), nowNs);
    }
}
