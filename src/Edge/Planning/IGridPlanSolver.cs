using Edge.Core.Control;

namespace Edge.Planning;

/// <summary>
/// A solver of the grid planner's linear programme (docs/planner.md §4): <see cref="GridPlanLp"/> (Google OR-Tools'
/// GLOP) or <see cref="BandedIpmSolver"/> (purpose-written). Both take the same limits at construction and the same
/// figures per solve. Not thread-safe.
/// </summary>
public interface IGridPlanSolver : IDisposable
{
    /// <summary>
    /// The programme over <paramref name="horizonSteps"/> steps of <paramref name="stepS"/> with the limits of
    /// <paramref name="options"/> (ramps, band, battery power and energy, SoC limits, efficiencies), solved by
    /// <paramref name="solver"/>, under the planner's margins or the site's own <paramref name="limits"/>.
    /// </summary>
    static IGridPlanSolver Create(PlannerSolver solver, int horizonSteps, double stepS, ControllerOptions options,
        ProgrammeLimits limits = ProgrammeLimits.Planner)
    {
        ArgumentNullException.ThrowIfNull(options);
        return solver == PlannerSolver.Glop
            ? new GridPlanLp(horizonSteps, stepS, options.RampUpWPerS, options.RampDownWPerS, options.BandLowHz,
                options.MaxChargeW, options.MaxDischargeW, options.EnergyWh, options.SocMinPct, options.SocMaxPct,
                options.ChargeEfficiency, options.DischargeEfficiency, limits)
            : new BandedIpmSolver(horizonSteps, stepS, options.RampUpWPerS, options.RampDownWPerS, options.BandLowHz,
                options.MaxChargeW, options.MaxDischargeW, options.EnergyWh, options.SocMinPct, options.SocMaxPct,
                options.ChargeEfficiency, options.DischargeEfficiency, limits);
    }

    /// <summary>Horizon steps N.</summary>
    int HorizonSteps { get; }

    /// <summary>
    /// Solves for the load forecast <paramref name="loadW"/> (N values, the mean load of each step), from the grid
    /// target <paramref name="gridW"/> moving at <paramref name="gridSlopeWPerS"/>, its slope changing by
    /// <paramref name="gridCurvatureWPerS2"/> (the plan's first steps continue both within the curvature and third-difference
    /// bounds), with <paramref name="energyWh"/> stored, ending near <paramref name="terminalEnergyWh"/>. True when solved
    /// to optimality.
    /// </summary>
    bool Solve(ReadOnlySpan<double> loadW, double gridW, double gridSlopeWPerS, double gridCurvatureWPerS2, double energyWh, double terminalEnergyWh);

    /// <summary>The planned grid g_k after the last successful solve (k = 0 … N), W.</summary>
    double GridW(int k);

    /// <summary>Battery throughput of the last solution, Wh (the objective without its penalties).</summary>
    double ThroughputWh { get; }

    /// <summary>Objective of the last solve: throughput Wh plus the penalties (ramp slack, SoC return).</summary>
    double ObjectiveValue { get; }
}
