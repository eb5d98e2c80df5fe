using System.Diagnostics;
using Edge.Core.Control;
using Edge.Core.Forecast;
using Edge.Runtime.Statistics;

namespace Edge.Planning;

/// <summary>
/// One planning round, the same in replay (<see cref="PlannedController"/>, in step with virtual time) and in the
/// daemon (<see cref="DaemonPlanner"/>, on its own thread): the load history goes into the <see cref="LoadForecast"/>;
/// a round updates the forecast, averages its 0.1 s prediction into the programme's steps, solves
/// <see cref="GridPlanLp"/> from the grid target now towards the SoC target, and gives back the plan's first step as a
/// reference and a slope. Counts what the issue asks to state: solve time (a histogram), plans not optimal, managed
/// bytes allocated per round (forecast and solve; GLOP's own native memory is not counted). Not thread-safe: one
/// thread adds, plans and reads.
/// </summary>
public sealed class GridPlanner : IDisposable
{
    /// <summary>The forecast's bin, s.</summary>
    public const double BinS = 0.1;

    private readonly IGridPlanSolver _lp;
    private readonly double[] _fine;
    private readonly double[] _coarse;
    private readonly double[] _past;
    private readonly double _energyWh;
    private readonly double _socRecoveryS;
    private readonly double _stepS;
    private readonly double _rampDownWPerS;
    private readonly double _maxChargeW;
    private readonly double _chargeEfficiency;
    private readonly double _expectedLoadMinW;
    private LoadRange _loadRange;
    private long _lastAddNs = long.MinValue;
    private long _lastRoundNs = long.MinValue;
    private double _lastRoundSlopeWPerS;

    /// <summary>Builds the forecast and the programme for <paramref name="options"/> (battery, ramp, band, SoC limits).</summary>
    /// <param name="options">The controller's options (the programme's limits).</param>
    /// <param name="horizonS">Planning horizon, s.</param>
    /// <param name="stepS">The programme's step, s (the horizon is a whole number of steps).</param>
    /// <param name="maxAnnouncements">Most pending phase announcements kept.</param>
    /// <param name="solver">The programme's solver.</param>
    public GridPlanner(ControllerOptions options, double horizonS = PlannerOptions.DefaultHorizonS, double stepS = 1, int maxAnnouncements = 64, PlannerSolver solver = PlannerSolver.Banded)
    {
        ArgumentNullException.ThrowIfNull(options);
        int steps = (int)Math.Round(horizonS / stepS);
        int perStep = (int)Math.Round(stepS / BinS);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2, nameof(horizonS));
        ArgumentOutOfRangeException.ThrowIfLessThan(perStep, 1, nameof(stepS));
        _stepS = stepS;
        _lp = IGridPlanSolver.Create(solver, steps, stepS, options);
        Solver = solver;
        Forecast = new LoadForecast(new PeriodicPredictor(BinS, 300, 1, 120, 3), Math.Max(1, maxAnnouncements), new PhasePredictor(), steps * perStep);
        _fine = new double[steps * perStep];
        _coarse = new double[steps];
        _past = new double[(int)Math.Ceiling(steps * stepS)];
        _energyWh = options.EnergyWh;
        _socRecoveryS = options.SocRecoveryS;
        _rampDownWPerS = GridPlanLp.RampDerate * options.RampDownWPerS;
        _maxChargeW = options.MaxChargeW;
        _chargeEfficiency = options.ChargeEfficiency;
        _expectedLoadMinW = options.ExpectedLoadMinW;
    }

    /// <summary>The programme's solver.</summary>
    public PlannerSolver Solver { get; }

    /// <summary>The load forecast (history and announcements).</summary>
    public LoadForecast Forecast { get; }

    /// <summary>
    /// Replay only: when set, the load ahead is taken from it instead of the forecast (perfect foresight, the ceiling a
    /// forecast can reach; <c>edge replay --planner-forecast perfect</c>).
    /// </summary>
    public IForesight? Foresight { get; set; }

    /// <summary>The programme's step, s.</summary>
    public double StepS => _stepS;

    /// <summary>Wall-clock time of every solve (the solver only, not the forecast), as a histogram.</summary>
    public LatencyHistogram SolveTimes { get; } = new();

    /// <summary>Rounds planned (optimal or not).</summary>
    public long Rounds { get; private set; }

    /// <summary>Rounds whose programme was not solved to optimality (no plan: the controller falls back).</summary>
    public long NotOptimal { get; private set; }

    /// <summary>Managed bytes allocated by all rounds so far, on the planning thread.</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>
    /// The moves phase announcements say are coming within the last round's horizon: the plan may cross the
    /// power-headroom envelope towards them (<see cref="GridPlan.Announced"/>).
    /// </summary>
    public AnnouncedMoves LastAnnounced { get; private set; }

    /// <summary>Managed bytes the last round allocated.</summary>
    public long LastRoundAllocatedBytes { get; private set; }

    /// <summary>Adds the load measured at <paramref name="nowNs"/>. O(1), no allocation.</summary>
    public void Add(long nowNs, double loadW)
    {
        Forecast.Add(nowNs, loadW);
        if (double.IsFinite(loadW))
        {
            _loadRange.Add(loadW, _lastAddNs == long.MinValue ? 0 : Math.Max(0, (nowNs - _lastAddNs) * 1e-9), LoadRange.ForgetS);
            _lastAddNs = nowNs;
        }
    }

    /// <summary>
    /// One round at <paramref name="nowNs"/>: from the grid target <paramref name="gridTargetW"/> moving at
    /// <paramref name="gridSlopeWPerS"/> with the battery at <paramref name="socPct"/>, towards
    /// <paramref name="socTargetPct"/> at the controller's SoC recovery rate. True with the plan's reference (its first
    /// step, = the grid target now) and slope when the programme was solved to optimality; false when a figure is not
    /// finite or the solve failed.
    /// </summary>
    public bool TryPlan(long nowNs, double gridTargetW, double gridSlopeWPerS, double socPct, double socTargetPct,
        out double referenceW, out double slopeWPerS)
    {
        referenceW = double.NaN;
        slopeWPerS = double.NaN;
        if (!double.IsFinite(gridTargetW) || !double.IsFinite(gridSlopeWPerS) || !double.IsFinite(socPct) || !double.IsFinite(socTargetPct))
        {
            return false;
        }

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        if (Foresight is { } known)
        {
            known.Fill(nowNs, _fine, BinS);
        }
        else
        {
            Forecast.Update();
            Forecast.Predict(nowNs, _fine, BinS);
        }

        double horizonS = _coarse.Length * _stepS;
        LastAnnounced = Foresight is null ? Forecast.Pending(nowNs, (long)Math.Round(horizonS * 1e9)) : AnnouncedMoves.None;
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

        double energyWh = socPct / 100 * _energyWh;
        double terminalWh = TerminalEnergyWh(energyWh, socTargetPct / 100 * _energyWh, ExplainedWh(gridTargetW, socPct < socTargetPct), horizonS, _socRecoveryS);
        // The grid's present curvature: its slope's change since the last round, when that round was about one step ago
        // (a missed or late round, or the first: none known, taken as 0).
        double elapsedS = _lastRoundNs == long.MinValue ? 0 : (nowNs - _lastRoundNs) * 1e-9;
        double curvatureWPerS2 = elapsedS >= 0.5 * _stepS && elapsedS <= 1.5 * _stepS ? (gridSlopeWPerS - _lastRoundSlopeWPerS) / elapsedS : 0;
        _lastRoundNs = nowNs;
        _lastRoundSlopeWPerS = gridSlopeWPerS;
        long started = Stopwatch.GetTimestamp();
        bool ok = _lp.Solve(_coarse, gridTargetW, gridSlopeWPerS, curvatureWPerS2, energyWh, terminalWh);
        SolveTimes.Record((long)Stopwatch.GetElapsedTime(started).TotalNanoseconds);
        Rounds++;
        if (ok)
        {
            referenceW = _lp.GridW(0);
            slopeWPerS = (_lp.GridW(1) - referenceW) / _stepS;
        }
        else
        {
            NotOptimal++;
        }

        LastRoundAllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        AllocatedBytes += LastRoundAllocatedBytes;
        return ok && double.IsFinite(referenceW) && double.IsFinite(slopeWPerS);
    }

    /// <summary>
    /// The energy the plan should end its horizon with, Wh (docs/planner.md §3, "SoC return"). SoC drifts towards
    /// <paramref name="targetWh"/> at the controller's recovery rate (1/<paramref name="socRecoveryS"/>): far below
    /// the band, and slow enough to leave alone a gap that the load itself will undo. The part of the gap that nothing
    /// known will undo — beyond <paramref name="explainedWh"/> — returns twice as fast.
    /// </summary>
    internal static double TerminalEnergyWh(double energyWh, double targetWh, double explainedWh, double horizonS, double socRecoveryS)
    {
        double gapWh = targetWh - energyWh;
        double driftWh = Math.Abs(gapWh) * Math.Min(1, horizonS / socRecoveryS);
        double unexplainedWh = (Math.Abs(gapWh) - explainedWh) * Math.Min(1, 2 * horizonS / socRecoveryS);
        return energyWh + (Math.Sign(gapWh) * Math.Max(driftWh, unexplainedWh));
    }

    /// <summary>
    /// How much of a SoC gap the load will undo by itself, Wh: the battery's swing through the load just seen and the
    /// load forecast (each over one horizon, <see cref="SwingWh"/>), and, when SoC is below its target, the energy a
    /// drop from the grid target now to the lowest load of the last hour puts back (the job's end refills what its
    /// start took; a surplus has no such promise — a load's start is never expected).
    /// </summary>
    private double ExplainedWh(double gridTargetW, bool belowTarget)
    {
        PhasePredictor phases = Forecast.Phases!;
        long newest = phases.Bins;
        for (int i = 0; i < _past.Length; i++)
        {
            _past[i] = phases.BinW(newest - _past.Length + 1 + i);
        }

        double swingWh = Math.Max(SwingWh(_coarse, _stepS), SwingWh(_past, 1));
        if (!belowTarget || !_loadRange.Known)
        {
            return swingWh;
        }

        double floorW = _loadRange.MinWith(_expectedLoadMinW);
        return swingWh + (LoadRange.SwingEnergyJ(gridTargetW - floorW, _maxChargeW, _rampDownWPerS) * _chargeEfficiency / 3600);
    }

    /// <summary>
    /// The energy a battery moves to hold the grid flat at the mean of <paramref name="loadW"/> (steps of
    /// <paramref name="stepS"/>), Wh: the range of the load's cumulative deviation from its mean. NaN values are skipped.
    /// </summary>
    internal static double SwingWh(ReadOnlySpan<double> loadW, double stepS)
    {
        double mean = 0;
        int count = 0;
        foreach (double w in loadW)
        {
            if (!double.IsNaN(w))
            {
                mean += w;
                count++;
            }
        }

        if (count == 0)
        {
            return 0;
        }

        mean /= count;
        double sum = 0, lowest = 0, highest = 0;
        foreach (double w in loadW)
        {
            if (!double.IsNaN(w))
            {
                sum += (w - mean) * stepS / 3600;
                lowest = Math.Min(lowest, sum);
                highest = Math.Max(highest, sum);
            }
        }

        return highest - lowest;
    }

    /// <inheritdoc />
    public void Dispose() => _lp.Dispose();
}
