using Google.OrTools.LinearSolver;

namespace Edge.Planning;

/// <summary>
/// The grid planner's linear programme (docs/planner.md), built once and re-solved with new bounds: over a horizon of
/// N steps of Δ, choose the grid g₁…g_N (g₀ = where the grid target is now) to minimise battery throughput
/// Σ (charge + discharge)·Δ subject to: battery power within its limits (b = L̂ − g = discharge − charge), stored energy
/// within the SoC limits, the grid's step |g_k − g_{k−1}| ≤ 0.9·R·Δ (derated: LP optima sit on their bounds, and the
/// inner loop needs margin to track), its second difference |g_{k+1} − 2g_k + g_{k−1}| ≤ A·Δ² with A = 0.9·R / τs
/// (τs = 1/(2π·BandLowHz), the time constant of the smoothing controller's own slope low-pass: a corner is broadband,
/// so a bounded second difference is the linear proxy for keeping the plan out of the band), its third difference
/// |g_{k+2} − 3g_{k+1} + 3g_k − g_{k−1}| ≤ A·Δ³/τj with τj = 3/(2π·BandLowHz) — from the grid's present slope and
/// curvature on, so the chain of every plan's first step, which is what the grid executes, is bounded too (a turn
/// that starts and ends gradually puts far less energy at the band's low edge than a bang-bang one) — and the energy at the end
/// brought towards the SoC target (a penalised soft constraint). Ramp and curvature excess are one slack per step with a
/// large cost, so the programme is always feasible — a battery too small for the swing, or a grid already moving away
/// from a rise it must meet, gets the least-bad plan instead of none.
/// Solved with GLOP (Google OR-Tools); the decision and its figures: docs/planner.md. Not thread-safe.
/// </summary>
public sealed class GridPlanLp : IGridPlanSolver
{
    /// <summary>The ramp the plan may use, as a fraction of the limit.</summary>
    internal const double RampDerate = 0.9;

    /// <summary>Cost of 1 W of ramp beyond the derated limit, Wh.</summary>
    internal const double RampSlackCostWhPerW = 1.0;

    /// <summary>Cost of 1 Wh of final energy away from the SoC-return target, Wh.</summary>
    internal const double TerminalCostPerWh = 3.0;

    /// <summary>The third difference's time constant in units of 1/(2π·BandLowHz).</summary>
    internal const double JerkTimeFactor = 3.0;

    /// <summary>
    /// The third difference J_m = g_{m+2} − 3g_{m+1} + 3g_m − g_{m−1} as (step offset from m, coefficient): the one
    /// definition both solvers build their rows from.
    /// </summary>
    internal static readonly (int Offset, double Coef)[] ThirdDifference = [(2, 1), (1, -3), (0, 3), (-1, -1)];

    /// <summary>The programme's per-step bounds, W: derated ramp up and down, and the second difference's bound.</summary>
    internal static void Bounds(double stepS, double rampUpWPerS, double rampDownWPerS, double bandLowHz, ProgrammeLimits limits,
        out double upW, out double downW, out double curvatureW, out double jerkW)
    {
        if (limits == ProgrammeLimits.Physical)
        {
            // The ramp limit itself; a second difference of a series within it never exceeds up + down, so a curvature
            // bound of four times that stays slack even where the (costly) ramp slack is used.
            upW = rampUpWPerS * stepS;
            downW = rampDownWPerS * stepS;
            curvatureW = 4 * (upW + downW);
            jerkW = 0;
            return;
        }

        double tauS = 4 / (2 * Math.PI * bandLowHz);
        curvatureW = RampDerate * Math.Min(rampUpWPerS, rampDownWPerS) / tauS * stepS * stepS;
        upW = RampDerate * rampUpWPerS * stepS;
        downW = RampDerate * rampDownWPerS * stepS;
        double jerkTimeS = JerkTimeFactor / (2 * Math.PI * bandLowHz);
        jerkW = curvatureW * stepS / jerkTimeS;
    }

    private readonly Solver _solver;
    private readonly int _n;
    private readonly double _stepS;
    private readonly Variable[] _g;
    private readonly Variable[] _e;
    private readonly Variable[] _charge;
    private readonly Variable[] _discharge;
    private readonly Constraint[] _balance;
    private readonly Constraint _firstUp;
    private readonly Constraint _firstDown;
    private readonly Constraint _terminal;
    private readonly double _curvatureW;
    private readonly double _energyMinWh;
    private readonly double _energyMaxWh;
    private readonly double _jerkW;
    private readonly Variable _gm1;
    private readonly Variable _gm2;

    /// <summary>Builds the programme.</summary>
    /// <param name="horizonSteps">Horizon steps N.</param>
    /// <param name="stepS">Step Δ, s.</param>
    /// <param name="rampUpWPerS">Grid ramp limit up, W/s (derated inside).</param>
    /// <param name="rampDownWPerS">Grid ramp limit down, W/s.</param>
    /// <param name="bandLowHz">Lower band edge, Hz (sets the curvature bound).</param>
    /// <param name="maxChargeW">Battery charge limit, W.</param>
    /// <param name="maxDischargeW">Battery discharge limit, W.</param>
    /// <param name="energyWh">Battery energy, Wh.</param>
    /// <param name="socMinPct">Lowest SoC, %.</param>
    /// <param name="socMaxPct">Highest SoC, %.</param>
    /// <param name="chargeEfficiency">Charge efficiency.</param>
    /// <param name="dischargeEfficiency">Discharge efficiency.</param>
    /// <param name="limits">The planner's margins or the site's own limits only.</param>
    public GridPlanLp(int horizonSteps, double stepS, double rampUpWPerS, double rampDownWPerS, double bandLowHz, double maxChargeW,
        double maxDischargeW, double energyWh, double socMinPct, double socMaxPct, double chargeEfficiency, double dischargeEfficiency,
        ProgrammeLimits limits = ProgrammeLimits.Planner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizonSteps, 2);
        _n = horizonSteps;
        _stepS = stepS;
        _solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("GLOP is not available in this OR-Tools build.");
        _energyMinWh = energyWh * socMinPct / 100;
        _energyMaxWh = energyWh * socMaxPct / 100;
        Bounds(stepS, rampUpWPerS, rampDownWPerS, bandLowHz, limits, out double upW, out double downW, out _curvatureW, out _jerkW);
        double hours = stepS / 3600;

        _g = new Variable[_n + 1];
        _e = new Variable[_n + 1];
        for (int k = 0; k <= _n; k++)
        {
            _g[k] = _solver.MakeNumVar(double.NegativeInfinity, double.PositiveInfinity, $"g{k}");
            _e[k] = _solver.MakeNumVar(_energyMinWh, _energyMaxWh, $"e{k}");
        }

        Objective objective = _solver.Objective();
        objective.SetMinimization();
        _balance = new Constraint[_n + 1];
        _charge = new Variable[_n + 1];
        _discharge = new Variable[_n + 1];
        Variable? firstSlack = null;
        var slacks = new Variable[_n + 1];
        for (int k = 1; k <= _n; k++)
        {
            Variable charge = _solver.MakeNumVar(0, maxChargeW, $"c{k}");
            Variable discharge = _solver.MakeNumVar(0, maxDischargeW, $"d{k}");
            _charge[k] = charge;
            _discharge[k] = discharge;
            objective.SetCoefficient(charge, hours);
            objective.SetCoefficient(discharge, hours);

            // g + discharge − charge = L̂ (bounds set per solve).
            Constraint balance = _solver.MakeConstraint(0, 0, $"bal{k}");
            balance.SetCoefficient(_g[k], 1);
            balance.SetCoefficient(discharge, 1);
            balance.SetCoefficient(charge, -1);
            _balance[k] = balance;

            // e_k = e_{k−1} − (discharge/ηd − charge·ηc)·Δ.
            Constraint energy = _solver.MakeConstraint(0, 0, $"en{k}");
            energy.SetCoefficient(_e[k], 1);
            energy.SetCoefficient(_e[k - 1], -1);
            energy.SetCoefficient(discharge, hours / dischargeEfficiency);
            energy.SetCoefficient(charge, -hours * chargeEfficiency);

            // −down ≤ g_k − g_{k−1} ± slack ≤ up.
            Variable slack = _solver.MakeNumVar(0, double.PositiveInfinity, $"v{k}");
            objective.SetCoefficient(slack, RampSlackCostWhPerW);
            Constraint rise = _solver.MakeConstraint(double.NegativeInfinity, upW, $"up{k}");
            rise.SetCoefficient(_g[k], 1);
            rise.SetCoefficient(_g[k - 1], -1);
            rise.SetCoefficient(slack, -1);
            Constraint fall = _solver.MakeConstraint(-downW, double.PositiveInfinity, $"dn{k}");
            fall.SetCoefficient(_g[k], 1);
            fall.SetCoefficient(_g[k - 1], -1);
            fall.SetCoefficient(slack, 1);

            // |g_{k+1} − 2g_k + g_{k−1}| ≤ curvature + the same slack (as BandedIpmSolver: step k's slack).
            if (k < _n)
            {
                Constraint bendUp = _solver.MakeConstraint(double.NegativeInfinity, _curvatureW, $"cvu{k}");
                Constraint bendDown = _solver.MakeConstraint(-_curvatureW, double.PositiveInfinity, $"cvd{k}");
                foreach ((Constraint c, double sign) in new[] { (bendUp, -1.0), (bendDown, 1.0) })
                {
                    c.SetCoefficient(_g[k - 1], 1);
                    c.SetCoefficient(_g[k], -2);
                    c.SetCoefficient(_g[k + 1], 1);
                    c.SetCoefficient(slack, sign);
                }
            }

            if (k == 1)
            {
                firstSlack = slack;
            }

            slacks[k] = slack;
        }

        // Third differences g_{m+2} − 3g_{m+1} + 3g_m − g_{m−1}, m = −1 … N−2, within ±jerk + a slack (as
        // BandedIpmSolver: step max(1, m)'s); g₋₁ and g₋₂ from the present slope and curvature (fixed per solve).
        _gm1 = _solver.MakeNumVar(double.NegativeInfinity, double.PositiveInfinity, "gm1");
        _gm2 = _solver.MakeNumVar(double.NegativeInfinity, double.PositiveInfinity, "gm2");
        if (_jerkW > 0)
        {
            for (int m = -1; m <= _n - 2; m++)
            {
                Variable slack = slacks[Math.Max(1, m + 1)];
                foreach ((double lower, double upper, double sign) in new[] { (double.NegativeInfinity, _jerkW, -1.0), (-_jerkW, double.PositiveInfinity, 1.0) })
                {
                    Constraint c = _solver.MakeConstraint(lower, upper, $"j{m}{sign}");
                    foreach ((int offset, double a) in ThirdDifference)
                    {
                        int plan = m + offset;
                        c.SetCoefficient(plan >= 0 ? _g[plan] : plan == -1 ? _gm1 : _gm2, a);
                    }

                    c.SetCoefficient(slack, sign);
                }
            }
        }

        // The first step continues the slope the grid has now (g₋₁ = g₀ − slope·Δ), within the curvature bound plus
        // the first step's slack: bounds set per solve.
        _firstUp = _solver.MakeConstraint(double.NegativeInfinity, 0, "cv0u");
        _firstUp.SetCoefficient(_g[1], 1);
        _firstUp.SetCoefficient(_g[0], -1);
        _firstUp.SetCoefficient(firstSlack!, -1);
        _firstDown = _solver.MakeConstraint(0, double.PositiveInfinity, "cv0d");
        _firstDown.SetCoefficient(_g[1], 1);
        _firstDown.SetCoefficient(_g[0], -1);
        _firstDown.SetCoefficient(firstSlack!, 1);

        // e_N − over + under = target (bounds per solve), |deviation| penalised.
        Variable over = _solver.MakeNumVar(0, double.PositiveInfinity, "over");
        Variable under = _solver.MakeNumVar(0, double.PositiveInfinity, "under");
        objective.SetCoefficient(over, TerminalCostPerWh);
        objective.SetCoefficient(under, TerminalCostPerWh);
        _terminal = _solver.MakeConstraint(0, 0, "terminal");
        _terminal.SetCoefficient(_e[_n], 1);
        _terminal.SetCoefficient(over, -1);
        _terminal.SetCoefficient(under, 1);
    }

    /// <summary>Horizon steps.</summary>
    public int HorizonSteps => _n;

    /// <summary>Step, s.</summary>
    public double StepS => _stepS;

    /// <summary>The planned grid g_k after the last successful <see cref="Solve"/>, W.</summary>
    public double GridW(int k) => _g[k].SolutionValue();

    /// <summary>Battery throughput of the last solution, Wh (the objective without its penalties).</summary>
    public double ThroughputWh
    {
        get
        {
            double sumW = 0;
            for (int k = 1; k <= _n; k++)
            {
                sumW += _charge[k].SolutionValue() + _discharge[k].SolutionValue();
            }

            return sumW * _stepS / 3600;
        }
    }

    /// <summary>Objective of the last solve (throughput Wh plus penalties).</summary>
    public double ObjectiveValue => _solver.Objective().Value();

    /// <summary>
    /// Solves for the load forecast <paramref name="loadW"/> (N values, the mean load of each step), from the grid
    /// target <paramref name="gridW"/> moving at <paramref name="gridSlopeWPerS"/>, with <paramref name="energyWh"/>
    /// stored, ending near <paramref name="terminalEnergyWh"/>. True when optimal.
    /// </summary>
    public bool Solve(ReadOnlySpan<double> loadW, double gridW, double gridSlopeWPerS, double gridCurvatureWPerS2, double energyWh, double terminalEnergyWh)
    {
        for (int k = 1; k <= _n; k++)
        {
            _balance[k].SetBounds(loadW[k - 1], loadW[k - 1]);
        }

        _g[0].SetBounds(gridW, gridW);
        double e0 = Math.Clamp(energyWh, _energyMinWh, _energyMaxWh);
        _e[0].SetBounds(e0, e0);
        double stepW = gridSlopeWPerS * _stepS;
        _firstUp.SetBounds(double.NegativeInfinity, stepW + _curvatureW);
        _firstDown.SetBounds(stepW - _curvatureW, double.PositiveInfinity);
        double gm1 = gridW - stepW;
        double gm2 = gm1 - (stepW - (gridCurvatureWPerS2 * _stepS * _stepS));
        _gm1.SetBounds(gm1, gm1);
        _gm2.SetBounds(gm2, gm2);
        double target = Math.Clamp(terminalEnergyWh, _energyMinWh, _energyMaxWh);
        _terminal.SetBounds(target, target);
        return _solver.Solve() == Solver.ResultStatus.OPTIMAL;
    }

    /// <inheritdoc />
    public void Dispose() => _solver.Dispose();
}
