using Edge.Core.Control;

namespace Edge.Planning;

/// <summary>
/// The clairvoyant lower bound on battery throughput (edge replay --bound, docs/planner.md): the planner's programme
/// (<see cref="GridPlanLp"/>: the same power, energy, derated-ramp and second-difference limits) solved once over the
/// whole trace with the load known in advance, at 1 s steps of the load's mean, ending at the starting SoC. Over 1 s
/// means it is a lower bound on what the limits permit (|mean b| ≤ mean |b|; the ramp and power limits hold for
/// means when they hold pointwise), so it flatters the bound: swings inside a second cost real throughput that the
/// bound does not count. Holds one value per second of trace.
/// </summary>
public sealed class ClairvoyantBound(ControllerOptions options, double periodS)
{
    private readonly List<double> _secondMeansW = [];
    private readonly int _perSecond = Math.Max(1, (int)Math.Round(1 / periodS));
    private double _sumW;
    private int _count;

    /// <summary>Adds one period's load, W.</summary>
    public void Add(double loadW)
    {
        _sumW += loadW;
        if (++_count == _perSecond)
        {
            _secondMeansW.Add(_sumW / _count);
            _sumW = 0;
            _count = 0;
        }
    }

    /// <summary>Solves the programme; the bound in Wh (NaN when the trace is shorter than 3 s or GLOP fails).</summary>
    public double SolveWh()
    {
        int n = _secondMeansW.Count - 1;
        if (n < 2)
        {
            return double.NaN;
        }

        using IGridPlanSolver lp = IGridPlanSolver.Create(PlannerSolver.Glop, n, 1.0, options);
        double startWh = options.SocTargetPct / 100 * options.EnergyWh;
        // The grid starts where the load is (the replay starts there too) and at rest.
        bool ok = lp.Solve(_secondMeansW.ToArray().AsSpan(1), _secondMeansW[0], 0, startWh, startWh);
        return ok ? lp.ThroughputWh : double.NaN;
    }
}
