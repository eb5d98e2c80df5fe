using Edge.Core.Control;

namespace Edge.Planning;

/// <summary>
/// The clairvoyant lower bound on battery throughput (edge replay --bound, docs/planner.md §5): the grid programme
/// solved once over the whole trace with the load known in advance, under the site's own limits
/// (<see cref="ProgrammeLimits.Physical"/>: battery power and energy, SoC limits, efficiencies, the ramp limit itself —
/// not the planner's derated ramp or its curvature bound), at steps of the load's mean of <see cref="StepS"/>
/// (0.1 s, or whole multiples of it on traces longer than <see cref="DefaultMaxSteps"/> steps), ending at the starting SoC.
/// <para>
/// Why it is a lower bound: any grid within the ramp limit has step means within it too, and the battery's power over a
/// step averages to the load's step mean minus the grid's, so |mean b| ≤ mean |b| — no controller held to the same
/// limits cycles the battery less. Why 0.1 s and not 1 s: swings inside a step cost real throughput the bound cannot
/// see, and a hall whose jobs dip for fractions of a second swings the load inside every second (on the three-job hall
/// of docs/planner.md the 1 s bound is 31 % below the 0.1 s one; on the MW cluster 0.7 %).
/// </para>
/// Holds one value per step of trace; solved by <see cref="BandedIpmSolver"/> in O(steps) (GLOP selectable for
/// cross-checks: its simplex takes minutes beyond a few thousand steps).
/// </summary>
public sealed class ClairvoyantBound
{
    /// <summary>Most steps solved at once by default (≈ 1.8 KB of solver state each); a longer trace is solved at coarser steps.</summary>
    public const int DefaultMaxSteps = 100_000;

    private readonly ControllerOptions _options;
    private readonly PlannerSolver _solver;
    private readonly List<double> _stepMeansW = [];
    private readonly int _periodsPerStep;
    private readonly int _maxSteps;
    private readonly double _periodS;
    private double _sumW;
    private int _count;

    /// <summary>Collects the load of periods of <paramref name="periodS"/> into steps of about <paramref name="stepS"/>.</summary>
    /// <param name="options">The limits (ramps, battery power and energy, SoC limits, efficiencies, SoC target).</param>
    /// <param name="periodS">The replay's period, s.</param>
    /// <param name="stepS">The bound's step, s (rounded to whole periods; at least one period).</param>
    /// <param name="solver">The solver (the banded interior point by default).</param>
    /// <param name="maxSteps">Most steps solved at once; beyond, whole multiples of the step.</param>
    public ClairvoyantBound(ControllerOptions options, double periodS, double stepS = 0.1, PlannerSolver solver = PlannerSolver.Banded,
        int maxSteps = DefaultMaxSteps)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(periodS);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepS);
        _options = options;
        _solver = solver;
        _periodS = periodS;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 3);
        _periodsPerStep = Math.Max(1, (int)Math.Round(stepS / periodS));
        _maxSteps = maxSteps;
    }

    /// <summary>The step the bound is solved at after the last <see cref="SolveWh"/>, s.</summary>
    public double StepS { get; private set; }

    /// <summary>Steps in the programme after the last <see cref="SolveWh"/>.</summary>
    public int StepCount { get; private set; }

    /// <summary>Adds one period's load, W.</summary>
    public void Add(double loadW)
    {
        _sumW += loadW;
        if (++_count == _periodsPerStep)
        {
            _stepMeansW.Add(_sumW / _count);
            _sumW = 0;
            _count = 0;
        }
    }

    /// <summary>Solves the programme; the bound in Wh (NaN when the trace is shorter than 3 steps or the solve fails).</summary>
    public double SolveWh()
    {
        // Traces beyond maxSteps: whole multiples of the step, so that every coarse step is the mean of equal ones.
        int merge = Math.Max(1, (_stepMeansW.Count + _maxSteps - 1) / _maxSteps);
        var meansW = new double[_stepMeansW.Count / merge];
        for (int i = 0; i < meansW.Length; i++)
        {
            double sumW = 0;
            for (int j = 0; j < merge; j++)
            {
                sumW += _stepMeansW[(i * merge) + j];
            }

            meansW[i] = sumW / merge;
        }

        StepS = _periodsPerStep * merge * _periodS;
        int n = meansW.Length - 1;
        StepCount = Math.Max(0, n);
        if (n < 2)
        {
            return double.NaN;
        }

        using IGridPlanSolver lp = IGridPlanSolver.Create(_solver, n, StepS, _options, ProgrammeLimits.Physical);
        double startWh = _options.SocTargetPct / 100 * _options.EnergyWh;
        // The grid starts where the load is (the replay starts there too) and at rest.
        bool ok = lp.Solve(meansW.AsSpan(1), meansW[0], 0, 0, startWh, startWh);
        return ok ? lp.ThroughputWh : double.NaN;
    }
}
