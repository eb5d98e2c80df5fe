using Edge.Core.Battery;
using Edge.Core.Devices;
using Edge.Runtime.Handoff;
using Edge.Runtime.Statistics;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Bench;

/// <summary>
/// An in-process battery inverter for the loop bench, shaped like a real driver: the loop only posts setpoints to a
/// <see cref="LatestValueMailbox{T}"/> and wakes the inverter's own I/O worker through a <see cref="WakeSignal"/>;
/// the worker "writes" the setpoint to the device (a <see cref="BatteryModel"/>), steps the model, and publishes the
/// measured state through a second mailbox the loop reads. The worker records the latency from the loop's sample
/// time (the <c>nowNs</c> of the post) to the moment the setpoint is on the wire.
/// </summary>
internal sealed class SimulatedInverter : IBatteryInverter, IDisposable
{
    private readonly BatteryModel _model;
    private readonly IMonotonicClock _clock;
    private readonly LatestValueMailbox<SetpointPost> _setpoints = new();
    private readonly LatestValueMailbox<InverterState> _states = new();
    private readonly WakeSignal _wake = new();
    private readonly long _stepNs;
    private readonly Thread _worker;
    private volatile bool _stop;
    private double _measuredW;

    public SimulatedInverter(string id, BatteryModelOptions options, IMonotonicClock clock, double periodS)
    {
        Id = id;
        _model = new BatteryModel(options, periodS);
        _clock = clock;
        _stepNs = (long)(periodS * 1e9);
        PublishState(0, clock.NowNs);
        _worker = new Thread(Work) { Name = $"inverter-{id}", IsBackground = true };
    }

    public string Id { get; }

    /// <summary>Sample-to-wire latency, written by the worker thread only.</summary>
    public LatencyHistogram SampleToWire { get; } = new();

    /// <summary>Measured power for other simulated devices (the site meter), W.</summary>
    public double MeasuredPowerW => Volatile.Read(ref _measuredW);

    /// <summary>Setpoints written to the device.</summary>
    public long Writes { get; private set; }

    public void Start() => _worker.Start();

    public bool TryReadState(out InverterState state) => _states.TryRead(out state, out _, out _);

    public void PostSetpoint(double setpointW, long nowNs)
    {
        _setpoints.Write(new SetpointPost(setpointW, nowNs), _clock.NowNs);
        _wake.Signal();
    }

    private void Work()
    {
        long lastSequence = 0;
        long lastStepNs = _clock.NowNs;
        double setpointW = 0;
        while (!_stop)
        {
            _wake.Wait(_stepNs);
            long nowNs = _clock.NowNs;
            if (_setpoints.TryReadNewer(ref lastSequence, out SetpointPost post, out _))
            {
                setpointW = post.SetpointW;
                Writes++;
                SampleToWire.Record(_clock.NowNs - post.SampleNs); // "on the wire": the model has it now
            }

            double dtS = (nowNs - lastStepNs) * 1e-9;
            if (dtS > 0)
            {
                _model.Step(setpointW, dtS);
                lastStepNs = nowNs;
            }

            PublishState(setpointW, nowNs);
        }
    }

    private void PublishState(double setpointW, long nowNs)
    {
        var state = new InverterState(nowNs, _model.PowerW, _model.SocPct, _model.AllowedChargeW, _model.AllowedDischargeW,
            _model.Options.EnergyWh, setpointW, InverterHealth.Ok);
        Volatile.Write(ref _measuredW, _model.PowerW);
        _states.Write(state, nowNs);
    }

    public void Dispose()
    {
        _stop = true;
        _wake.Signal();
        if (_worker.IsAlive)
        {
            _worker.Join();
        }

        _wake.Dispose();
    }

    private readonly record struct SetpointPost(double SetpointW, long SampleNs);
}
