using Edge.Core.Devices;
using Edge.Runtime.Handoff;
using Edge.Runtime.Timing;
using Edge.Simulation.Profiles;
using Edge.Core.Timing;

namespace Edge.Bench;

/// <summary>
/// A slow site meter (a Modbus meter answering in tens of ms): its own sampler thread reads it every
/// <c>intervalMs</c> — grid = load − battery — and the loop takes the latest value from a mailbox, as docs/DESIGN.md §3
/// prescribes for sensors that cannot answer within the budget.
/// </summary>
internal sealed class SampledSiteMeter : IPowerSensor, IDisposable
{
    private readonly LatestValueMailbox<PowerReading> _mailbox = new();
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _sampler;

    public SampledSiteMeter(ILoadProfile profile, IReadOnlyList<SimulatedInverter> inverters, IMonotonicClock clock, long epochNs, int intervalMs)
    {
        _sampler = new Thread(() =>
        {
            uint sequence = 0;
            while (!_stop.Wait(intervalMs))
            {
                long nowNs = clock.NowNs;
                double batteryW = 0;
                foreach (SimulatedInverter i in inverters)
                {
                    batteryW += i.MeasuredPowerW;
                }

                double gridW = profile.PowerAt((nowNs - epochNs) * 1e-9) - batteryW;
                _mailbox.Write(new PowerReading(nowNs, gridW, double.NaN, double.NaN, ++sequence, SensorHealth.Ok), nowNs);
            }
        })
        {
            Name = "site-meter",
            IsBackground = true,
        };
    }

    public string Id => "site";

    public void Start() => _sampler.Start();

    public bool TryRead(out PowerReading reading) => _mailbox.TryRead(out reading, out _, out _);

    public void Dispose()
    {
        _stop.Set();
        if (_sampler.IsAlive)
        {
            _sampler.Join();
        }

        _stop.Dispose();
    }
}
