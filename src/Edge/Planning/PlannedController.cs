using System.Diagnostics;
using Edge.Core.Control;
using Edge.Core.Forecast;

namespace Edge.Planning;

/// <summary>
/// The smoothing controller with the grid planner beside it, in step with virtual time (edge replay --planner): every
/// period the load goes into the forecast; every <see cref="PlanIntervalS"/> the planner updates the forecast, solves
/// <see cref="GridPlanLp"/> over the horizon and hands the result (reference + slope) to the controller after a
/// modelled solve latency (<see cref="PlanLatencyMs"/>, the budget, not the measured time — so a replay is
/// deterministic). The controller stays the inner loop and the fallback: a plan that did not come (a failed solve)
/// lapses after two intervals and the controller's own reference takes over, bumplessly. Measured solve times are kept
/// for the report (<see cref="SolveTimesMs"/>); they never influence the run.
/// </summary>
public sealed class PlannedController : IGridController, IDisposable
{
    /// <summary>Planning interval, s (≈ 1 Hz).</summary>
    public const double PlanIntervalS = 1.0;

    /// <summary>Modelled solve latency, ms (the solve budget).</summary>
    public const double PlanLatencyMs = 20;

    private const double BinS = 0.1;
    private readonly SmoothingController _inner;
    private readonly GridPlanLp _lp;
    private readonly LoadForecast _forecast;
    private readonly double[] _fine;
    private readonly double[] _coarse;
    private readonly double _energyWh;
    private readonly double _socRecoveryS;
    private readonly long _intervalNs;
    private readonly long _latencyNs;
    private long _nextPlanNs = long.MinValue;
    private GridPlan _pending;
    private bool _hasPending;
    private double _lastTargetW = double.NaN;
    private double _lastSlopeWPerS;
    private long _lastNs;

    /// <summary>
    /// Creates the planner and its inner smoothing controller from <paramref name="options"/>. Replay's announcements
    /// are given all at once: the forecast uses each only from its <see cref="AnnouncedPhase.ReceivedNs"/> on.
    /// </summary>
    public PlannedController(ControllerOptions options, IReadOnlyList<AnnouncedPhase>? announcements = null, double horizonS = 60)
    {
        ArgumentNullException.ThrowIfNull(options);
        _inner = new SmoothingController(options);
        int steps = (int)Math.Round(horizonS / PlanIntervalS);
        _lp = new GridPlanLp(steps, PlanIntervalS, options.RampUpWPerS, options.RampDownWPerS, options.BandLowHz,
            options.MaxChargeW, options.MaxDischargeW, options.EnergyWh, options.SocMinPct, options.SocMaxPct,
            options.ChargeEfficiency, options.DischargeEfficiency);
        _forecast = new LoadForecast(new PeriodicPredictor(BinS, 300, 1, 120, 3), Math.Max(64, announcements?.Count ?? 0));
        foreach (AnnouncedPhase a in announcements ?? [])
        {
            _forecast.Announce(a);
        }

        _fine = new double[(int)Math.Round(horizonS / BinS)];
        _coarse = new double[steps];
        _energyWh = options.EnergyWh;
        _socRecoveryS = options.SocRecoveryS;
        _intervalNs = (long)(PlanIntervalS * 1e9);
        _latencyNs = (long)(PlanLatencyMs * 1e6);
        SolveTimesMs = new List<double>(1024);
    }

    /// <inheritdoc />
    public string Name => "planner";

    /// <summary>The inner smoothing controller (the fallback).</summary>
    public SmoothingController Inner => _inner;

    /// <summary>The forecast (announcements go here).</summary>
    public LoadForecast Forecast => _forecast;

    /// <summary>Measured wall-clock solve time of every plan, ms (for the report only).</summary>
    public List<double> SolveTimesMs { get; }

    /// <summary>Managed bytes allocated by the solves so far (GLOP's own native memory is not counted).</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Plans that were not optimal (the controller fell back).</summary>
    public long FailedPlans { get; private set; }

    /// <summary>Periods in which the controller tracked a plan.</summary>
    public long PlannedPeriods { get; private set; }

    /// <inheritdoc />
    public Decision Decide(in TickInput input)
    {
        long nowNs = input.NowNs;
        _forecast.Predictor.Add(nowNs, input.LoadW);
        if (_hasPending && nowNs >= _pending.FromNs + _latencyNs)
        {
            _inner.SetPlan(_pending);
            _hasPending = false;
        }

        if (_nextPlanNs == long.MinValue)
        {
            _nextPlanNs = nowNs + _intervalNs;
        }
        else if (nowNs >= _nextPlanNs && !double.IsNaN(_lastTargetW))
        {
            _nextPlanNs += _intervalNs;
            Plan(nowNs, input.SocPct);
        }

        Decision d = _inner.Decide(input);
        PlannedPeriods += _inner.PlanInUse ? 1 : 0;
        if (!double.IsNaN(_lastTargetW) && nowNs > _lastNs)
        {
            _lastSlopeWPerS = (d.GridTargetW - _lastTargetW) / ((nowNs - _lastNs) * 1e-9);
        }

        _lastTargetW = d.GridTargetW;
        _lastNs = nowNs;
        return d;
    }

    private void Plan(long nowNs, double socPct)
    {
        Predictor.Update();
        _forecast.Predict(nowNs, _fine, BinS);
        int per = _fine.Length / _coarse.Length;
        for (int k = 0; k < _coarse.Length; k++)
        {
            double sum = 0;
            for (int i = 0; i < per; i++)
            {
                sum += _fine[(k * per) + i];
            }

            _coarse[k] = sum / per;
        }

        double energyWh = (double.IsFinite(socPct) ? socPct : 50) / 100 * _energyWh;
        double targetWh = _inner.Limits.SocTargetPct / 100 * _energyWh;
        double horizonS = _coarse.Length * PlanIntervalS;
        double terminalWh = energyWh + ((targetWh - energyWh) * Math.Min(1, horizonS / _socRecoveryS));
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long started = Stopwatch.GetTimestamp();
        bool ok = _lp.Solve(_coarse, _lastTargetW, _lastSlopeWPerS, energyWh, terminalWh);
        double elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        AllocatedBytes += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        SolveTimesMs.Add(elapsedMs);
        if (!ok)
        {
            FailedPlans++;
            return;
        }

        double g0 = _lp.GridW(0);
        double slope = (_lp.GridW(1) - g0) / PlanIntervalS;
        _pending = new GridPlan(nowNs, g0, slope, nowNs + _latencyNs + (2 * _intervalNs));
        _hasPending = true;
    }

    private PeriodicPredictor Predictor => _forecast.Predictor;

    /// <inheritdoc />
    public void Dispose() => _lp.Dispose();
}
