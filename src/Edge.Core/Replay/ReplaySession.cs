using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Metrics;

namespace Edge.Core.Replay;

/// <summary>
/// Runs several controllers side by side over one load series on virtual time, one period per <see cref="Step"/>,
/// each with its own battery model, and accumulates their DESIGN §5 metrics as it goes — nothing grows with the
/// series, so a day at 10 ms costs what a minute does. Per period k and controller: the controller reads load(k),
/// the battery's measured power and SoC; its setpoint drives the battery model from the start of period k (plus
/// the battery's own latency and lag); the grid over the period is load(k) minus the battery's actual power; the
/// battery's power and SoC are what the next period measures. Deterministic; <see cref="Step"/> allocates nothing
/// (a Welch segment is transformed in place when it completes).
/// </summary>
public sealed class ReplaySession
{
    private readonly IGridController[] _controllers;
    private readonly BatteryModel[] _batteries;
    private readonly MetricsAccumulator[] _metrics;
    private readonly ReplayState[] _states;
    private readonly IReplaySite?[] _sites;
    private readonly Welch _load;
    private readonly long _periodNs;
    private readonly double _periodS;
    private TickInput _input;

    /// <summary>Prepares a run of <paramref name="periods"/> periods (the count sizes the Welch segment, DESIGN §5).</summary>
    /// <param name="controllers">The controllers, side by side.</param>
    /// <param name="battery">Battery model parameters (each controller gets its own model).</param>
    /// <param name="metrics">Parameters the metrics are judged against.</param>
    /// <param name="periods">The number of periods of the run.</param>
    /// <param name="sites">Optional, one per controller: the agents and levers between the trace and the grid.</param>
    public ReplaySession(IReadOnlyList<IGridController> controllers, BatteryModelOptions battery, MetricsOptions metrics, long periods, IReadOnlyList<IReplaySite>? sites = null)
    {
        ArgumentNullException.ThrowIfNull(controllers);
        ArgumentNullException.ThrowIfNull(battery);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentOutOfRangeException.ThrowIfLessThan(periods, 2);
        if (controllers.Count == 0)
        {
            throw new ArgumentException("At least one controller is needed.", nameof(controllers));
        }

        _periodS = metrics.PeriodS;
        _periodNs = (long)Math.Round(_periodS * 1e9);
        _controllers = [.. controllers];
        _batteries = new BatteryModel[_controllers.Length];
        _metrics = new MetricsAccumulator[_controllers.Length];
        _states = new ReplayState[_controllers.Length];
        _sites = new IReplaySite?[_controllers.Length];
        if (sites is not null)
        {
            if (sites.Count != _controllers.Length)
            {
                throw new ArgumentException("One site per controller is needed.", nameof(sites));
            }

            for (int c = 0; c < _sites.Length; c++)
            {
                _sites[c] = sites[c];
            }
        }
        for (int c = 0; c < _controllers.Length; c++)
        {
            _batteries[c] = new BatteryModel(battery, _periodS);
            _metrics[c] = new MetricsAccumulator(metrics, periods);
        }

        _load = new Welch(1.0 / _periodS, _metrics[0].GridSpectrum.SegmentLength);
        Periods = periods;
    }

    /// <summary>The number of periods the session was sized for.</summary>
    public long Periods { get; }

    /// <summary>Periods stepped so far.</summary>
    public long Stepped { get; private set; }

    /// <summary>The controllers' names, in order.</summary>
    public IEnumerable<string> Names => _controllers.Select(c => c.Name);

    /// <summary>Each controller's latest period, in the order given.</summary>
    public ReadOnlySpan<ReplayState> States => _states;

    /// <summary>
    /// Runs one period of every controller with load <paramref name="loadW"/>, W (with sites: the racks' demand; the
    /// grid also sees the flexible loads, and GPU caps may hold the racks below their demand).
    /// </summary>
    public void Step(double loadW)
    {
        long k = Stepped++;
        _load.Add(loadW);
        for (int c = 0; c < _controllers.Length; c++)
        {
            BatteryModel model = _batteries[c];
            IReplaySite? site = _sites[c];
            double racksW = loadW, flexW = 0;
            if (site is not null)
            {
                site.Step(k * _periodNs, loadW);
                racksW = site.RacksW;
                flexW = site.FlexW;
            }

            double siteLoadW = racksW + flexW;
            _input.NowNs = k * _periodNs;
            _input.LoadW = siteLoadW;
            _input.CurtailableW = flexW;
            _input.BatteryMeasuredW = model.PowerW;
            _input.SocPct = model.SocPct;
            _input.AllowedChargeW = model.AllowedChargeW;
            _input.AllowedDischargeW = model.AllowedDischargeW;
            Decision d = _controllers[c].Decide(_input);
            double actualW = model.Step(d.BatterySetpointW, _periodS);
            site?.Decided(_input, d, actualW);
            ref ReplayState s = ref _states[c];
            s.RacksW = racksW;
            s.FlexW = flexW;
            s.Tier = site?.Tier ?? 0;
            s.GridW = siteLoadW - actualW;
            s.GridTargetW = d.GridTargetW;
            s.BatterySetpointW = d.BatterySetpointW;
            s.BatteryW = actualW;
            s.SocPct = model.SocPct;
            s.Saturated = d.IsSaturated || model.Clipped;
            MetricsAccumulator m = _metrics[c];
            m.Add(s.GridW, actualW, s.SocPct, s.Saturated);
            s.RiseW = m.Ramp.RiseW;
            s.FallW = m.Ramp.FallW;
            s.Violating = m.Ramp.Violating;
            s.ThroughputWh = m.BatteryThroughputWh;
        }
    }

    /// <summary>The load's Welch spectrum over the periods stepped.</summary>
    public Welch.Spectrum LoadSpectrum() => _load.Result();

    /// <summary>Controller <paramref name="index"/>'s grid spectrum over the periods stepped.</summary>
    public Welch.Spectrum GridSpectrum(int index) => _metrics[index].GridSpectrum.Result();

    /// <summary>Every controller's metrics over the periods stepped (at least two).</summary>
    public GridMetrics[] Results()
    {
        Welch.Spectrum load = LoadSpectrum();
        var results = new GridMetrics[_controllers.Length];
        for (int c = 0; c < results.Length; c++)
        {
            results[c] = _metrics[c].Result(load);
        }

        return results;
    }
}
