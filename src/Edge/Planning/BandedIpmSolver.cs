namespace Edge.Planning;

/// <summary>
/// The grid planner's linear programme (the same as <see cref="GridPlanLp"/>: docs/planner.md §4) solved by a
/// purpose-written primal–dual interior-point method (Mehrotra's predictor–corrector), which uses what this programme
/// is: every constraint couples at most four neighbouring steps, so the Newton system, ordered step by step, is a
/// band matrix (half-bandwidth 16 for five unknowns per step; 11 without the third-difference rows, as for the
/// clairvoyant bound under the site's own limits) and is factored in O(N) — no library, no native code,
/// every buffer allocated in the constructor (0 B per solve).
/// <para>
/// Formulation: per step k the unknowns are charge c_k, discharge d_k, slack v_k (relaxing that step's ramp and
/// curvature rows, at a large cost, so the programme is always feasible) and stored energy e_k; the grid
/// is g_k = L̂_k − d_k + c_k (so it needs no unknown of its own), and t ≥ |e_N − target| is the SoC-return penalty. The
/// equalities are the energy balance e_k − e_{k−1} + Δ(d_k/η_d − c_k·η_c) = 0; everything else is an inequality row
/// (power and energy bounds, derated ramp with slack, bounded second and third differences, the first step's slope,
/// the terminal penalty). Powers are scaled by the battery's power and energies by its capacity, so the method sees
/// numbers near 1 at every site size. The quasi-definite Newton matrix [[GᵀWG + δ, Aᵀ], [A, −δ]] is factored as LDLᵀ
/// without pivoting (quasi-definite matrices allow any order), with small regularisation δ; a pivot that cancels to
/// rounding noise is perturbed to a small share of its diagonal (static pivoting).
/// </para>
/// </summary>
public sealed class BandedIpmSolver : IGridPlanSolver
{
    private const int PerStep = 5; // c, d, v, e, y (the energy row's dual)
    private const int BandCurvature = 11; // a second difference spans c, d of three steps: c_{k−1} … d_{k+1}
    private const int BandJerk = 16; // a third difference spans c, d of four steps: c_{k−2} … d_{k+1}
    private const int MaxIterations = 80;
    private const int StallIterations = 12; // iterations without a better iterate, once one is acceptable, before it is taken
    private const double Tolerance = 1e-8;

    // A stalled iterate is also good enough when its duality gap is within this share of one step of the battery at full
    // power, per step of the horizon (1e-5 of the horizon's full-power throughput): near a degenerate optimum
    // (throughput ≈ 0, nothing for the battery to do) the relative gap divides by ≈ 1 and the iterates can stall above
    // 1e3 × Tolerance with the objective already settled to a few mWh.
    private const double AbsoluteGapPerStep = 1e-5;
    private const double RegularisationPrimal = 1e-10;
    private const double RegularisationDual = 1e-10;
    private const double PivotFloor = 1e-13;

    private readonly int _n;
    private readonly double _stepS;
    private readonly double _powerScaleW;
    private readonly double _energyScaleWh;
    private readonly double _stepEnergyPerPower; // Δ·P/E: stored energy (scaled) moved by a scaled power over one step
    private readonly double _chargeEfficiency;
    private readonly double _dischargeEfficiency;
    private readonly double _chargeMax;
    private readonly double _dischargeMax;
    private readonly double _energyMin;
    private readonly double _energyMax;
    private readonly double _up;
    private readonly double _down;
    private readonly double _curvature;
    private readonly double _slackCost;
    private readonly double _terminalCost;

    // Unknowns: x (primal, 4N + 1: c, d, v, e per step, then t), y (N), inequality rows: s, z.
    private readonly int _nx;
    private readonly int _rows;
    private readonly int _size; // KKT: x and y interleaved, t last
    private readonly double[] _x;
    private readonly double[] _xBest;
    private readonly double[] _y;
    private readonly double[] _s;
    private readonly double[] _z;
    private readonly double[] _cost;
    private readonly double[] _h;
    private readonly double[] _eqRhs;

    // The inequality rows G (at most 6 non-zeros each), built once: the right-hand sides change per solve.
    private readonly int[] _rowStart;
    private readonly int[] _rowVar;
    private readonly int[] _rowPos; // each term's position in the Newton matrix
    private readonly double[] _rowCoef;

    // Work: residuals, directions, band matrix (row i holds columns i − half-bandwidth … i).
    private readonly double[] _rd;
    private readonly double[] _rp;
    private readonly double[] _rg;
    private readonly double[] _dx;
    private readonly double[] _dy;
    private readonly double[] _ds;
    private readonly double[] _dz;
    private readonly double[] _dsAff;
    private readonly double[] _dzAff;
    private readonly double[] _rc;
    private readonly double[] _w;
    private readonly double[] _band;
    private readonly double[] _diag;
    private readonly double[] _ld;
    private readonly int _halfBandwidth; // of the Newton matrix
    private readonly double _jerk;
    private readonly double[] _rhs;
    private readonly double[] _g;
    private double _throughputWh;
    private double _objective;

    /// <summary>Builds the programme's structure (the same limits as <see cref="GridPlanLp"/>).</summary>
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
    public BandedIpmSolver(int horizonSteps, double stepS, double rampUpWPerS, double rampDownWPerS, double bandLowHz, double maxChargeW,
        double maxDischargeW, double energyWh, double socMinPct, double socMaxPct, double chargeEfficiency, double dischargeEfficiency,
        ProgrammeLimits limits = ProgrammeLimits.Planner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizonSteps, 2);
        if (!(maxChargeW > 0) || !(maxDischargeW > 0) || !(energyWh > 0) || !(stepS > 0) || !(rampUpWPerS > 0) || !(rampDownWPerS > 0) || !(bandLowHz > 0))
        {
            throw new ArgumentException("Battery power, energy, step, ramp and band must be positive.");
        }

        _n = horizonSteps;
        _stepS = stepS;
        _powerScaleW = Math.Max(maxChargeW, maxDischargeW);
        _energyScaleWh = energyWh;
        double hours = stepS / 3600;
        _stepEnergyPerPower = hours * _powerScaleW / _energyScaleWh;
        _chargeEfficiency = chargeEfficiency;
        _dischargeEfficiency = dischargeEfficiency;
        _chargeMax = maxChargeW / _powerScaleW;
        _dischargeMax = maxDischargeW / _powerScaleW;
        _energyMin = socMinPct / 100;
        _energyMax = socMaxPct / 100;
        GridPlanLp.Bounds(stepS, rampUpWPerS, rampDownWPerS, bandLowHz, limits, out double upW, out double downW, out double curvatureW, out double jerkW);
        _up = upW / _powerScaleW;
        _down = downW / _powerScaleW;
        _curvature = curvatureW / _powerScaleW;
        _jerk = jerkW / _powerScaleW;
        _halfBandwidth = _jerk > 0 ? BandJerk : BandCurvature;
        _ld = new double[_halfBandwidth];

        // Objective in units of "throughput Wh / (Δ·P)": c + d costs 1 per scaled W and step; the penalties likewise.
        _slackCost = GridPlanLp.RampSlackCostWhPerW / hours;
        _terminalCost = GridPlanLp.TerminalCostPerWh * _energyScaleWh / (hours * _powerScaleW);

        _nx = (4 * _n) + 1;
        _size = (PerStep * _n) + 1;
        _x = new double[_nx];
        _xBest = new double[_nx];
        _y = new double[_n];
        _cost = new double[_nx];
        for (int k = 0; k < _n; k++)
        {
            _cost[C(k)] = 1;
            _cost[D(k)] = 1;
            _cost[V(k)] = _slackCost;
        }

        _cost[T] = _terminalCost;
        _eqRhs = new double[_n];

        // Rows per step: c ≤, −c ≤, d ≤, −d ≤, −v ≤, e ≤, −e ≤, ramp up, ramp down, curvature ±; plus first-slope ±, t rows.
        var start = new List<int>();
        var vars = new List<int>();
        var coefs = new List<double>();
        void Row(params (int Var, double Coef)[] terms)
        {
            start.Add(vars.Count);
            foreach ((int v, double a) in terms)
            {
                vars.Add(v);
                coefs.Add(a);
            }
        }

        for (int k = 0; k < _n; k++)
        {
            Row((C(k), 1));
            Row((C(k), -1));
            Row((D(k), 1));
            Row((D(k), -1));
            Row((V(k), -1));
            Row((E(k), 1));
            Row((E(k), -1));

            // g_k − g_{k−1} = (c_k − d_k) − (c_{k−1} − d_{k−1}) + (L_k − L_{k−1}); ramp up: that − v_k ≤ up.
            if (k == 0)
            {
                Row((C(0), 1), (D(0), -1), (V(0), -1));
                Row((C(0), -1), (D(0), 1), (V(0), -1));
            }
            else
            {
                Row((C(k), 1), (D(k), -1), (C(k - 1), -1), (D(k - 1), 1), (V(k), -1));
                Row((C(k), -1), (D(k), 1), (C(k - 1), 1), (D(k - 1), -1), (V(k), -1));
            }

            // Second difference g_{k+1} − 2g_k + g_{k−1} (k = 1 … N−1 in the LP's numbering: here steps k−1, k, k+1 with g₀ fixed).
            if (k < _n - 1)
            {
                // The step's slack relaxes the curvature too (a programme the bounded second difference cannot follow —
                // the grid already moving away from a rise it must meet — stays feasible and gets the least-bad plan).
                if (k == 0)
                {
                    Row((C(1), 1), (D(1), -1), (C(0), -2), (D(0), 2), (V(0), -1));
                    Row((C(1), -1), (D(1), 1), (C(0), 2), (D(0), -2), (V(0), -1));
                }
                else
                {
                    Row((C(k + 1), 1), (D(k + 1), -1), (C(k), -2), (D(k), 2), (C(k - 1), 1), (D(k - 1), -1), (V(k), -1));
                    Row((C(k + 1), -1), (D(k + 1), 1), (C(k), 2), (D(k), -2), (C(k - 1), -1), (D(k - 1), 1), (V(k), -1));
                }
            }
        }

        // The first step continues the present slope within the curvature bound: |g₁ − g₀ − slope·Δ| ≤ curvature + v₀.
        Row((C(0), 1), (D(0), -1), (V(0), -1));
        Row((C(0), -1), (D(0), 1), (V(0), -1));

        // Third differences J_m = g_{m+2} − 3g_{m+1} + 3g_m − g_{m−1} (the plan's numbering, g₀ the grid now, g₋₁ and g₋₂
        // from its present slope and curvature), m = −1 … N−2, each within ±jerk + a slack; with g = L + (c − d) every
        // row is ± Σ a_i (c − d)_i − v ≤ jerk ∓ (the load's and the known grid's part).
        if (_jerk > 0)
        {
            for (int m = -1; m <= _n - 2; m++)
            {
                int slack = Math.Max(0, m);
                for (int sign = 1; sign >= -1; sign -= 2)
                {
                    var terms = new List<(int, double)>();
                    foreach ((int step, double a) in JerkTerms(m))
                    {
                        terms.Add((C(step), sign * a));
                        terms.Add((D(step), -sign * a));
                    }

                    terms.Add((V(slack), -1));
                    Row([.. terms]);
                }
            }
        }

        // t ≥ ±(e_N − target), t ≥ 0.
        Row((E(_n - 1), 1), (T, -1));
        Row((E(_n - 1), -1), (T, -1));
        Row((T, -1));

        _rows = start.Count;
        _rowStart = [.. start, vars.Count];
        _rowVar = [.. vars];
        _rowCoef = [.. coefs];
        _rowPos = new int[_rowVar.Length];
        for (int j = 0; j < _rowVar.Length; j++)
        {
            _rowPos[j] = Pos(_rowVar[j]);
        }

        _h = new double[_rows];
        _s = new double[_rows];
        _z = new double[_rows];
        _rd = new double[_nx];
        _rp = new double[_n];
        _rg = new double[_rows];
        _dx = new double[_nx];
        _dy = new double[_n];
        _ds = new double[_rows];
        _dz = new double[_rows];
        _dsAff = new double[_rows];
        _dzAff = new double[_rows];
        _rc = new double[_rows];
        _w = new double[_rows];
        _band = new double[_size * (_halfBandwidth + 1)];
        _diag = new double[_size];
        _rhs = new double[_size];
        _g = new double[_n + 1];
    }

    /// <inheritdoc />
    public int HorizonSteps => _n;

    /// <summary>Interior-point iterations of the last solve.</summary>
    public int Iterations { get; private set; }

    /// <inheritdoc />
    public double ThroughputWh => _throughputWh;

    /// <inheritdoc />
    public double ObjectiveValue => _objective;

    /// <inheritdoc />
    public double GridW(int k) => _g[k];

    private static int C(int k) => 4 * k;

    private static int D(int k) => (4 * k) + 1;

    private static int V(int k) => (4 * k) + 2;

    private static int E(int k) => (4 * k) + 3;

    private int T => 4 * _n;

    /// <summary>
    /// The solver steps (plan step − 1) of third difference <paramref name="m"/> and their coefficients: the plan's
    /// g_{m+2}, g_{m+1}, g_m, g_{m−1} with +1, −3, +3, −1, those of g₀ and before left out (known).
    /// </summary>
    private static IEnumerable<(int Step, double Coef)> JerkTerms(int m)
    {
        foreach ((int offset, double a) in GridPlanLp.ThirdDifference)
        {
            int plan = m + offset;
            if (plan >= 1)
            {
                yield return (plan - 1, a);
            }
        }
    }

    /// <summary>
    /// The known part of third difference <paramref name="m"/>, scaled: the load's (g = L + (c − d)) and g₀, g₋₁, g₋₂'s
    /// (already scaled).
    /// </summary>
    private static double JerkKnownScaled(int m, ReadOnlySpan<double> loadW, double p, double g0, double gm1, double gm2)
    {
        double sum = 0;
        foreach ((int offset, double a) in GridPlanLp.ThirdDifference)
        {
            int plan = m + offset;
            sum += a * (plan >= 1 ? loadW[plan - 1] / p : plan == 0 ? g0 : plan == -1 ? gm1 : gm2);
        }

        return sum;
    }

    /// <summary>Position of primal unknown <paramref name="i"/> in the interleaved Newton matrix.</summary>
    private int Pos(int i) => i == T ? _size - 1 : ((i / 4) * PerStep) + (i % 4);

    private static int PosY(int k) => (k * PerStep) + 4;

    /// <inheritdoc />
    public bool Solve(ReadOnlySpan<double> loadW, double gridW, double gridSlopeWPerS, double gridCurvatureWPerS2, double energyWh, double terminalEnergyWh)
    {
        if (loadW.Length < _n)
        {
            throw new ArgumentException($"Need {_n} load values.", nameof(loadW));
        }

        double p = _powerScaleW;
        double e0 = Math.Clamp(energyWh / _energyScaleWh, _energyMin, _energyMax);
        double target = Math.Clamp(terminalEnergyWh / _energyScaleWh, _energyMin, _energyMax);
        double g0 = gridW / p;
        int r = 0;
        for (int k = 0; k < _n; k++)
        {
            double lk = loadW[k] / p;
            double lPrev = k == 0 ? double.NaN : loadW[k - 1] / p;
            _h[r++] = _chargeMax;
            _h[r++] = 0;
            _h[r++] = _dischargeMax;
            _h[r++] = 0;
            _h[r++] = 0;
            _h[r++] = _energyMax;
            _h[r++] = -_energyMin;

            // g_k − g_{k−1} − v ≤ up with g = L − d + c: (c − d)_k − (c − d)_{k−1} − v ≤ up − (L_k − L_{k−1}); k = 0: g₋ = g₀.
            double loadStep = k == 0 ? lk - g0 : lk - lPrev;
            _h[r++] = _up - loadStep;
            _h[r++] = _down + loadStep;
            if (k < _n - 1)
            {
                double lNext = loadW[k + 1] / p;
                double loadCurve = k == 0 ? lNext - (2 * lk) + g0 : lNext - (2 * lk) + lPrev;
                _h[r++] = _curvature - loadCurve;
                _h[r++] = _curvature + loadCurve;
            }

            _eqRhs[k] = k == 0 ? e0 : 0;
        }

        double firstStep = (gridSlopeWPerS * _stepS) / p;
        double l1 = loadW[0] / p;
        _h[r++] = _curvature + firstStep - (l1 - g0);
        _h[r++] = _curvature - firstStep + (l1 - g0);
        if (_jerk > 0)
        {
            // g₋₁ = g₀ − slope·Δ, g₋₂ = g₋₁ − (slope − curvature·Δ)·Δ.
            double gm1 = g0 - firstStep;
            double gm2 = gm1 - (firstStep - (gridCurvatureWPerS2 * _stepS * _stepS / p));
            for (int m = -1; m <= _n - 2; m++)
            {
                double known = JerkKnownScaled(m, loadW, p, g0, gm1, gm2);
                _h[r++] = _jerk - known;
                _h[r++] = _jerk + known;
            }
        }
        _h[r++] = target;
        _h[r++] = -target;
        _h[r++] = 0;

        bool ok = Run();
        for (int k = 0; k <= _n; k++)
        {
            _g[k] = k == 0 ? gridW : loadW[k - 1] - (p * (_x[D(k - 1)] - _x[C(k - 1)]));
        }

        double sum = 0;
        for (int k = 0; k < _n; k++)
        {
            sum += _x[C(k)] + _x[D(k)];
        }

        _throughputWh = sum * p * _stepS / 3600;
        double penalty = 0;
        for (int k = 0; k < _n; k++)
        {
            penalty += _x[V(k)];
        }

        _objective = _throughputWh + (GridPlanLp.RampSlackCostWhPerW * penalty * p) + (GridPlanLp.TerminalCostPerWh * _x[T] * _energyScaleWh);
        return ok;
    }

    private bool Run()
    {
        if (!Start())
        {
            return false;
        }

        double scale = 1;
        for (int i = 0; i < _rows; i++)
        {
            scale = Math.Max(scale, Math.Abs(_h[i]));
        }

        // The best iterate so far by its worst relative residual: near a degenerate optimum (a load the battery need not
        // touch, throughput ≈ 0) the scaling z/s spans many decades, and the iterates can lose the accuracy they had
        // reached; the best one is the answer when it came within 1e3 × the tolerance.
        double bestMerit = double.PositiveInfinity;
        int bestIteration = 0;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            Iterations = iteration + 1;
            double mu = Residuals();
            double primal = Norm(_rp) + Norm(_rg);
            double dual = Norm(_rd);
            double gap = Math.Abs(PrimalObjective() - DualObjective());
            bool feasible = primal <= Tolerance * (1 + scale) && dual <= Tolerance * _slackCost;
            double relativeGap = gap / (1 + Math.Abs(PrimalObjective()));
            if (feasible && relativeGap <= Tolerance)
            {
                return true;
            }

            // The gap's part of the merit: relative, or absolute (AbsoluteGapPerStep) where that is the more lenient,
            // both mapped so that 1e3 × Tolerance is the acceptance line.
            double gapMerit = Math.Min(relativeGap, gap / (AbsoluteGapPerStep * _n) * 1e3 * Tolerance);
            double merit = Math.Max(gapMerit, Math.Max(primal / (1 + scale), dual / _slackCost));
            if (merit < bestMerit)
            {
                bestMerit = merit;
                bestIteration = iteration;
                Array.Copy(_x, _xBest, _nx);
            }

            bool stalled = bestMerit <= 1e3 * Tolerance && iteration - bestIteration >= StallIterations;
            if (!double.IsFinite(mu) || stalled || !Factor())
            {
                // Broken down, or no progress for a while since an acceptable iterate: the best one, when close enough.
                break;
            }

            // Predictor (affine scaling): r_c = −s∘z.
            for (int i = 0; i < _rows; i++)
            {
                _rc[i] = -_s[i] * _z[i];
            }

            Direction();
            double alphaP = StepToBoundary(_s, _ds);
            double alphaD = StepToBoundary(_z, _dz);
            double muAff = 0;
            for (int i = 0; i < _rows; i++)
            {
                muAff += (_s[i] + (alphaP * _ds[i])) * (_z[i] + (alphaD * _dz[i]));
                _dsAff[i] = _ds[i];
                _dzAff[i] = _dz[i];
            }

            muAff /= _rows;
            double sigma = Math.Pow(muAff / mu, 3);

            // Corrector: r_c = −s∘z − ds_aff∘dz_aff + σμ.
            for (int i = 0; i < _rows; i++)
            {
                _rc[i] = (-_s[i] * _z[i]) - (_dsAff[i] * _dzAff[i]) + (sigma * mu);
            }

            Direction();
            alphaP = Math.Min(1, 0.995 * StepToBoundary(_s, _ds));
            alphaD = Math.Min(1, 0.995 * StepToBoundary(_z, _dz));
            for (int i = 0; i < _nx; i++)
            {
                _x[i] += alphaP * _dx[i];
            }

            for (int i = 0; i < _rows; i++)
            {
                _s[i] += alphaP * _ds[i];
                _z[i] += alphaD * _dz[i];
            }

            for (int k = 0; k < _n; k++)
            {
                _y[k] += alphaD * _dy[k];
            }
        }

        if (bestMerit > 1e3 * Tolerance)
        {
            return false;
        }

        Array.Copy(_xBest, _x, _nx);
        return true;
    }

    /// <summary>
    /// The starting point (as CVXOPT's LP solver chooses it): x the least-squares fit of Gx ≈ h subject to Ax = b, s = h −
    /// Gx; z the least-norm dual with Gᵀz + Aᵀy = −c; then s and z shifted to be positive.
    /// </summary>
    private bool Start()
    {
        Array.Fill(_s, 1.0);
        Array.Fill(_z, 1.0);
        if (!Factor())
        {
            return false;
        }

        // [GᵀG, Aᵀ; A, 0] [x; y] = [Gᵀh; b]
        Array.Clear(_rhs);
        for (int i = 0; i < _rows; i++)
        {
            for (int j = _rowStart[i]; j < _rowStart[i + 1]; j++)
            {
                _rhs[_rowPos[j]] += _rowCoef[j] * _h[i];
            }
        }

        for (int k = 0; k < _n; k++)
        {
            _rhs[PosY(k)] = _eqRhs[k];
        }

        BackSubstitute();
        Unpack(_x, null);
        double sMin = double.PositiveInfinity;
        for (int i = 0; i < _rows; i++)
        {
            _s[i] = _h[i] - RowTimes(i, _x);
            sMin = Math.Min(sMin, _s[i]);
        }

        // [GᵀG, Aᵀ; A, 0] [u; y] = [−c; 0], z = G u
        Array.Clear(_rhs);
        for (int i = 0; i < _nx; i++)
        {
            _rhs[Pos(i)] = -_cost[i];
        }

        BackSubstitute();
        Unpack(_dx, _y); // u, the least-norm dual's direction (work space)
        double zMin = double.PositiveInfinity;
        for (int i = 0; i < _rows; i++)
        {
            _z[i] = RowTimes(i, _dx);
            zMin = Math.Min(zMin, _z[i]);
        }

        double sShift = sMin >= 0 ? 0 : 1 - sMin;
        double zShift = zMin >= 0 ? 0 : 1 - zMin;
        for (int i = 0; i < _rows; i++)
        {
            _s[i] += sShift;
            _z[i] += zShift;
        }

        return true;
    }

    /// <summary>r_d = c + Aᵀy + Gᵀz, r_p = Ax − b, r_g = Gx + s − h; returns μ = sᵀz / m.</summary>
    private double Residuals()
    {
        Array.Copy(_cost, _rd, _nx);
        for (int k = 0; k < _n; k++)
        {
            // Energy row k: e_k − e_{k−1} + Δ(d_k/ηd − c_k·ηc) = b_k.
            double yk = _y[k];
            _rd[E(k)] += yk;
            if (k > 0)
            {
                _rd[E(k - 1)] -= yk;
            }

            _rd[D(k)] += yk * _stepEnergyPerPower / _dischargeEfficiency;
            _rd[C(k)] -= yk * _stepEnergyPerPower * _chargeEfficiency;
            _rp[k] = _x[E(k)] - (k > 0 ? _x[E(k - 1)] : 0) + (_stepEnergyPerPower * ((_x[D(k)] / _dischargeEfficiency) - (_x[C(k)] * _chargeEfficiency))) - _eqRhs[k];
        }

        double mu = 0;
        for (int i = 0; i < _rows; i++)
        {
            double gx = 0;
            for (int j = _rowStart[i]; j < _rowStart[i + 1]; j++)
            {
                gx += _rowCoef[j] * _x[_rowVar[j]];
                _rd[_rowVar[j]] += _rowCoef[j] * _z[i];
            }

            _rg[i] = gx + _s[i] - _h[i];
            mu += _s[i] * _z[i];
        }

        return mu / _rows;
    }

    private double PrimalObjective()
    {
        double sum = 0;
        for (int i = 0; i < _nx; i++)
        {
            sum += _cost[i] * _x[i];
        }

        return sum;
    }

    private double DualObjective()
    {
        // −bᵀy − hᵀz
        double sum = 0;
        for (int k = 0; k < _n; k++)
        {
            sum -= _eqRhs[k] * _y[k];
        }

        for (int i = 0; i < _rows; i++)
        {
            sum -= _h[i] * _z[i];
        }

        return sum;
    }

    /// <summary>Assembles [[GᵀWG + δ, Aᵀ], [A, −δ]] (W = z/s) in band storage and factors it as LDLᵀ.</summary>
    private bool Factor()
    {
        Array.Clear(_band);
        for (int i = 0; i < _rows; i++)
        {
            _w[i] = _z[i] / _s[i];
        }

        for (int i = 0; i < _nx; i++)
        {
            Add(Pos(i), Pos(i), RegularisationPrimal);
        }

        for (int i = 0; i < _rows; i++)
        {
            double w = _w[i];
            int end = _rowStart[i + 1];
            for (int a = _rowStart[i]; a < end; a++)
            {
                int pa = _rowPos[a];
                double wa = w * _rowCoef[a];
                int rowBase = pa * (_halfBandwidth + 1);
                for (int b = _rowStart[i]; b < end; b++)
                {
                    int pb = _rowPos[b];
                    if (pb <= pa)
                    {
                        _band[rowBase + (pa - pb)] += wa * _rowCoef[b];
                    }
                }
            }
        }

        for (int k = 0; k < _n; k++)
        {
            int py = PosY(k);
            Add(py, py, -RegularisationDual);
            AddSym(py, Pos(E(k)), 1);
            if (k > 0)
            {
                AddSym(py, Pos(E(k - 1)), -1);
            }

            AddSym(py, Pos(D(k)), _stepEnergyPerPower / _dischargeEfficiency);
            AddSym(py, Pos(C(k)), -_stepEnergyPerPower * _chargeEfficiency);
        }

        // LDLᵀ in place: band row i holds L[i, i − half-bandwidth … i−1] and D[i] on the diagonal. _ld[k − from] = L[j, k]·D[k].
        int width = _halfBandwidth + 1;
        for (int j = 0; j < _size; j++)
        {
            int rowJ = j * width;
            int from = Math.Max(0, j - _halfBandwidth);
            double d = _band[rowJ];
            double diagonal = d;
            for (int k = from; k < j; k++)
            {
                double l = _band[rowJ + (j - k)];
                double ld = l * _diag[k];
                _ld[k - from] = ld;
                d -= l * ld;
            }

            // Static pivoting: a primal pivot must be positive and a dual one negative (quasi-definite). Near the optimum
            // c and d meet in nearly every active row as c − d, so a pivot can cancel to rounding noise of the rows'
            // huge weights; it is then perturbed to a small share of its own diagonal, which the next iteration's exact
            // residuals correct.
            bool dualPivot = j != _size - 1 && j % PerStep == PerStep - 1;
            double floor = PivotFloor * Math.Abs(diagonal);
            if (!double.IsFinite(d))
            {
                return false;
            }

            if (dualPivot ? d > -floor : d < floor)
            {
                d = dualPivot ? -Math.Max(floor, RegularisationDual) : Math.Max(floor, RegularisationPrimal);
            }

            _diag[j] = d;
            int last = Math.Min(_size - 1, j + _halfBandwidth);
            for (int i = j + 1; i <= last; i++)
            {
                int rowI = i * width;
                double v = _band[rowI + (i - j)];
                for (int k = Math.Max(from, i - _halfBandwidth); k < j; k++)
                {
                    v -= _band[rowI + (i - k)] * _ld[k - from];
                }

                _band[rowI + (i - j)] = v / d;
            }
        }

        return true;
    }

    /// <summary>
    /// Newton direction for the current r_c: ds = −r_g − G dx, dz = (r_c − z∘ds)/s; the reduced system gives dx, dy.
    /// </summary>
    private void Direction()
    {
        Array.Clear(_rhs);
        for (int i = 0; i < _nx; i++)
        {
            _rhs[Pos(i)] = -_rd[i];
        }

        for (int i = 0; i < _rows; i++)
        {
            // −Gᵀ S⁻¹ (r_c + Z r_g)
            double f = (_rc[i] + (_z[i] * _rg[i])) / _s[i];
            for (int j = _rowStart[i]; j < _rowStart[i + 1]; j++)
            {
                _rhs[_rowPos[j]] -= _rowCoef[j] * f;
            }
        }

        for (int k = 0; k < _n; k++)
        {
            _rhs[PosY(k)] = -_rp[k];
        }

        BackSubstitute();
        Unpack(_dx, _dy);
        for (int i = 0; i < _rows; i++)
        {
            _ds[i] = -_rg[i] - RowTimes(i, _dx);
            _dz[i] = (_rc[i] - (_z[i] * _ds[i])) / _s[i];
        }
    }

    /// <summary>Row <paramref name="i"/> of G times <paramref name="x"/> (primal unknowns).</summary>
    private double RowTimes(int i, double[] x)
    {
        double sum = 0;
        for (int j = _rowStart[i]; j < _rowStart[i + 1]; j++)
        {
            sum += _rowCoef[j] * x[_rowVar[j]];
        }

        return sum;
    }

    /// <summary>Copies the solved <see cref="_rhs"/> (interleaved) into primal <paramref name="x"/> and, if given, the equality duals <paramref name="y"/>.</summary>
    private void Unpack(double[] x, double[]? y)
    {
        for (int i = 0; i < _nx; i++)
        {
            x[i] = _rhs[Pos(i)];
        }

        if (y is not null)
        {
            for (int k = 0; k < _n; k++)
            {
                y[k] = _rhs[PosY(k)];
            }
        }
    }

    /// <summary>Solves L D Lᵀ u = <see cref="_rhs"/> in place.</summary>
    private void BackSubstitute()
    {
        for (int i = 0; i < _size; i++)
        {
            double v = _rhs[i];
            for (int k = Math.Max(0, i - _halfBandwidth); k < i; k++)
            {
                v -= At(i, k) * _rhs[k];
            }

            _rhs[i] = v;
        }

        for (int i = 0; i < _size; i++)
        {
            _rhs[i] /= _diag[i];
        }

        for (int i = _size - 1; i >= 0; i--)
        {
            double v = _rhs[i];
            int last = Math.Min(_size - 1, i + _halfBandwidth);
            for (int k = i + 1; k <= last; k++)
            {
                v -= At(k, i) * _rhs[k];
            }

            _rhs[i] = v;
        }
    }

    private static double StepToBoundary(double[] v, double[] dv)
    {
        double alpha = 1;
        for (int i = 0; i < v.Length; i++)
        {
            if (dv[i] < 0)
            {
                alpha = Math.Min(alpha, -v[i] / dv[i]);
            }
        }

        return alpha;
    }

    private static double Norm(double[] v)
    {
        double m = 0;
        for (int i = 0; i < v.Length; i++)
        {
            m = Math.Max(m, Math.Abs(v[i]));
        }

        return m;
    }

    private double At(int i, int j) => _band[(i * (_halfBandwidth + 1)) + (i - j)];

    private void Add(int i, int j, double v)
    {
        if (i - j > _halfBandwidth || j > i)
        {
            throw new InvalidOperationException($"Outside the band: ({i}, {j}).");
        }

        _band[(i * (_halfBandwidth + 1)) + (i - j)] += v;
    }

    private void AddSym(int a, int b, double v)
    {
        if (a >= b)
        {
            Add(a, b, v);
        }
        else
        {
            Add(b, a, v);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
