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
/// for the report (<see cref="GridPlanner.SolveTimes"/>); they never influence the run.
/// </summary>
public sealed class PlannedController : IGridController, IDisposable
{
    /// <summary>Planning interval, s (≈ 1 Hz).</summary>
    public const double PlanIntervalS = 1.0;

    /// <summary>Modelled solve latency, ms (the solve budget).</summary>
    public const double PlanLatencyMs = 20;

    private readonly SmoothingController _inner;
    private readonly GridPlanner _planner;
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
    /// <param name="options">The controller's options.</param>
    /// <param name="announcements">Phase announcements, each used from its receipt on.</param>
    /// <param name="horizonS">Planning horizon, s.</param>
    /// <param name="solver">The programme's solver.</param>
    /// <param name="foresight">Perfect foresight instead of the forecast (the forecast's ceiling; replay only).</param>
    public PlannedController(ControllerOptions options, IReadOnlyList<AnnouncedPhase>? announcements = null, double horizonS = PlannerOptions.DefaultHorizonS,
        PlannerSolver solver = PlannerSolver.Banded, IForesight? foresight = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _inner = new SmoothingController(options);
        _planner = new GridPlanner(options, horizonS, PlanIntervalS, Math.Max(64, announcements?.Count ?? 0), solver) { Foresight = foresight };
        foreach (AnnouncedPhase a in announcements ?? [])
        {
            _planner.Forecast.Announce(a);
        }

        _intervalNs = (long)(PlanIntervalS * 1e9);
        _latencyNs = (long)(PlanLatencyMs * 1e6);
    }

    /// <inheritdoc />
    public string Name => "planner";

    /// <summary>The inner smoothing controller (the fallback).</summary>
    public SmoothingController Inner => _inner;

    /// <summary>The planning rounds: forecast, solve times, counters (for the report only).</summary>
    public GridPlanner Planner => _planner;

    /// <summary>Periods in which the controller tracked a plan.</summary>
    public long PlannedPeriods { get; private set; }

    /// <inheritdoc />
    public Decision Decide(in TickInput input)
    {
        long nowNs = input.NowNs;
        _planner.Add(nowNs, input.LoadW);
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
            double socPct = double.IsFinite(input.SocPct) ? input.SocPct : 50;
            if (_planner.TryPlan(nowNs, _lastTargetW, _lastSlopeWPerS, socPct, _inner.Limits.SocTargetPct, out double referenceW, out double slopeWPerS))
            {
                _pending = new GridPlan(nowNs, referenceW, slopeWPerS, nowNs + _latencyNs + (2 * _intervalNs), _planner.LastAnnounced);
                _hasPending = true;
            }
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

    /// <inheritdoc />
    public void Dispose() => _planner.Dispose();
}
