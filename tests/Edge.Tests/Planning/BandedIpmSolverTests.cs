using System.Diagnostics;
using Edge.Planning;
using Xunit.Abstractions;

namespace Edge.Tests.Planning;

/// <summary>
/// The purpose-written interior-point solver against GLOP (an independent solver of the same programme): on random
/// forecasts — quiet, periodic, with steps beyond the battery, from a grid moving at its ramp — both reach the same
/// optimum; and a solve allocates nothing.
/// </summary>
public sealed class BandedIpmSolverTests(ITestOutputHelper output)
{
    private const int Steps = 60;

    private static (GridPlanLp Glop, BandedIpmSolver Ipm) Pair(double powerW, double energyWh, double rampWPerS) =>
        (new GridPlanLp(Steps, 1, rampWPerS, rampWPerS, 0.1, powerW, powerW, energyWh, 10, 90, 0.95, 0.95),
         new BandedIpmSolver(Steps, 1, rampWPerS, rampWPerS, 0.1, powerW, powerW, energyWh, 10, 90, 0.95, 0.95));

    public static TheoryData<int> Seeds() => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Reaches_glops_optimum_on_random_forecasts(int seed)
    {
        var random = new Random(seed);
        double peakW = random.Next(2, 2000) * 1000.0;
        double powerW = peakW * (0.3 + random.NextDouble());
        double energyWh = powerW * (60 + (random.NextDouble() * 300)) / 3600;
        double rampWPerS = peakW * 0.01 * (0.5 + random.NextDouble());
        (GridPlanLp glop, BandedIpmSolver ipm) = Pair(powerW, energyWh, rampWPerS);
        using (glop)
        using (ipm)
        {
            var load = new double[Steps];
            int solved = 0, slackUsed = 0;
            for (int round = 0; round < 10; round++)
            {
                double periodS = 2 + (random.NextDouble() * 20);
                double baseW = peakW * (0.2 + (0.3 * random.NextDouble()));
                double swingW = peakW * random.NextDouble() * 0.8;
                int stepAt = random.Next(0, Steps);
                double stepW = (random.NextDouble() - 0.5) * peakW;
                for (int k = 0; k < Steps; k++)
                {
                    load[k] = Math.Max(0, baseW + (swingW * (k % periodS < periodS / 2 ? 1 : 0)) + (k >= stepAt ? stepW : 0) + (peakW * 0.02 * random.NextDouble()));
                }

                double gridW = load[0] + ((random.NextDouble() - 0.5) * 0.6 * powerW); // within the battery's reach: feasible
                double slopeWPerS = (random.NextDouble() - 0.5) * rampWPerS;
                double energyNowWh = energyWh * (0.15 + (0.7 * random.NextDouble()));
                double terminalWh = energyWh * 0.5;
                double curvatureWPerS2 = (random.NextDouble() - 0.5) * rampWPerS * 0.1; // the grid turning now
                bool glopSolved = glop.Solve(load, gridW, slopeWPerS, curvatureWPerS2, energyNowWh, terminalWh);
                bool ipmSolved = ipm.Solve(load, gridW, slopeWPerS, curvatureWPerS2, energyNowWh, terminalWh);
                // Every programme is feasible: a step beyond the battery that the bounded second difference cannot
                // follow is paid for with the (costly) slack, and both solvers must find the same least-bad plan.
                Assert.True(glopSolved, $"seed {seed} round {round}: GLOP found no solution");
                Assert.True(ipmSolved, $"seed {seed} round {round}: the interior point did not converge ({ipm.Iterations} iterations)");
                solved++;
                slackUsed += glop.ObjectiveValue - glop.ThroughputWh > 1 ? 1 : 0;
                double scale = Math.Max(1, Math.Abs(glop.ObjectiveValue));
                Assert.True(Math.Abs(ipm.ObjectiveValue - glop.ObjectiveValue) <= 1e-5 * scale,
                    $"seed {seed} round {round}: objective {ipm.ObjectiveValue:R} vs GLOP {glop.ObjectiveValue:R}");
                Assert.Equal(gridW, ipm.GridW(0));
            }

            output.WriteLine($"seed {seed}: {solved} optima equal to GLOP's, {slackUsed} of them paying ramp or curvature slack");
        }
    }

    [Fact]
    public void A_programme_the_ramp_and_curvature_cannot_follow_gets_the_least_bad_plan_from_both_solvers()
    {
        // The grid 3 battery-powers away from the load and the first step must continue its slope: no plan within the
        // ramp and curvature bounds exists (before the curvature had its slack, both solvers refused it, and the
        // controller fell back to its own reference in the middle of a job start). Now both find the same plan: the
        // battery's power is a hard limit, so the grid comes within reach of the load at once, paying slack for it.
        (GridPlanLp glop, BandedIpmSolver ipm) = Pair(10_000, 333, 100);
        using (glop)
        using (ipm)
        {
            double[] load = [.. Enumerable.Repeat(5_000.0, Steps)];
            Assert.True(glop.Solve(load, 35_000, 0, 0, 166, 166));
            Assert.True(ipm.Solve(load, 35_000, 0, 0, 166, 166));
            Assert.Equal(glop.ObjectiveValue, ipm.ObjectiveValue, 1e-5 * glop.ObjectiveValue);
            for (int k = 1; k <= Steps; k++)
            {
                Assert.InRange(ipm.GridW(k), 5_000 - 10_000 - 1, 5_000 + 10_000 + 1);
            }

            Assert.True(glop.ObjectiveValue - glop.ThroughputWh > 1_000, $"objective {glop.ObjectiveValue} Wh: no slack paid");
        }
    }

    [Fact]
    public void The_first_step_continues_the_grids_turn_within_the_third_difference_bound()
    {
        // The grid is turning upwards at the curvature bound and the load falls far below it: the plan would turn down
        // at once, but the executed grid is the chain of every plan's first step, so its third difference — the change
        // of the turn — is bounded from one plan to the next too (the band's proxy: a turn that starts and stops
        // gradually has far less energy at the band's low edge than a bang-bang one).
        const double RampWPerS = 1_000;
        // The load 4 kW below the grid: with 8 kW the slack shared by the ramp, curvature and third-difference rows is
        // worth buying at τj = 3/(2π·BandLowHz) (its cost is linear in the excess; what a faster turn saves grows with
        // the cube of the horizon), so the bound is checked where the programme keeps it.
        const double LoadW = 6_000;
        (GridPlanLp glop, BandedIpmSolver ipm) = Pair(20_000, 20_000.0 * 300 / 3600, RampWPerS);
        GridPlanLp.Bounds(1, RampWPerS, RampWPerS, 0.1, ProgrammeLimits.Planner, out _, out _, out double curvatureW, out double jerkW);
        Assert.True(jerkW > 0 && jerkW < curvatureW);
        using (glop)
        using (ipm)
        {
            double[] load = [.. Enumerable.Repeat(LoadW, Steps)];
            const double GridW = 10_000;
            const double SlopeWPerS = 100;
            foreach (IGridPlanSolver solver in new IGridPlanSolver[] { glop, ipm })
            {
                Assert.True(solver.Solve(load, GridW, SlopeWPerS, curvatureW, 700, 700));
                double gm1 = GridW - SlopeWPerS;
                double gm2 = gm1 - (SlopeWPerS - curvatureW);
                double third = solver.GridW(1) - (3 * GridW) + (3 * gm1) - gm2;
                Assert.True(Math.Abs(third) <= jerkW * 1.0001, $"{solver.GetType().Name}: third difference {third:F2} W, bound {jerkW:F2}");
                // It does turn down as fast as that allows.
                Assert.True(third < -0.99 * jerkW, $"{solver.GetType().Name}: third difference {third:F2} W");
            }

            Assert.Equal(glop.ObjectiveValue, ipm.ObjectiveValue, 1e-5 * glop.ObjectiveValue);
        }
    }

    /// <summary>Programmes found by replaying an inference trace (a100x4 llama2-70b): load, grid, slope, energy now and at the end, battery W and Wh, ramp W/s.</summary>
    public static TheoryData<double, double, double, double, double, double, double, double> ConstantLoadsBesideTheGrid() => new()
    {
        // ×250, default sizing: the grid 471 W below the load and falling; 1 round in 1 301 was dropped.
        { 161_834.5, 161_363.12476553605, -274.4297773053404, 4302.2094709458515, 4302.105190517933, 258_070, 8602.333333333334, 2580.7000000000003 },
        // ×1, a battery of 20 % of the peak (206 W): 2 rounds in 1 301.
        { 213.48999999999995, 211.7090624986892, -2.0542942264029307, 17.215303045792666, 17.214239407880065, 206, 34.40933333333333, 10.322799999999999 },
        { 232.63599999999997, 236.24826577628568, 0.6938858214880383, 17.196850756381057, 17.197632347409616, 206, 34.40933333333333, 10.322799999999999 },
    };

    [Theory]
    [MemberData(nameof(ConstantLoadsBesideTheGrid))]
    public void A_constant_load_beside_the_grid_is_solved_like_glop_solves_it(double loadW, double gridW, double slopeWPerS,
        double nowWh, double terminalWh, double powerW, double energyWh, double rampWPerS)
    {
        // The forecast is persistence (a constant load) a little away from the grid, the SoC on its target: the battery
        // has almost nothing to do, the optimum is degenerate (throughput ≈ 0), and the interior point used to stall on
        // it, so the loop fell back to its own reference for that second.
        (GridPlanLp glop, BandedIpmSolver ipm) = Pair(powerW, energyWh, rampWPerS);
        using var glopSolver = glop;
        using var ipmSolver = ipm;
        double[] load = [.. Enumerable.Repeat(loadW, Steps)];
        Assert.True(glop.Solve(load, gridW, slopeWPerS, 0, nowWh, terminalWh));
        Assert.True(ipm.Solve(load, gridW, slopeWPerS, 0, nowWh, terminalWh), $"the interior point gave up after {ipm.Iterations} iterations");
        output.WriteLine($"objective: interior point {ipm.ObjectiveValue:R} Wh in {ipm.Iterations} iterations, GLOP {glop.ObjectiveValue:R} Wh");
        // The optimum is a fraction of a Wh (0.5 % of the horizon's full-power throughput or less: the bounded third
        // difference makes the grid turn towards the load a little later): the two agree to the solvers' tolerances —
        // 1e-4 of that throughput — not to 1e-5 of the optimum itself.
        double fullPowerWh = powerW * Steps / 3600;
        Assert.True(glop.ObjectiveValue < 5e-3 * fullPowerWh, $"GLOP's optimum {glop.ObjectiveValue} Wh: not a degenerate programme");
        Assert.Equal(glop.ObjectiveValue, ipm.ObjectiveValue, 1e-4 * fullPowerWh);
        Assert.Equal(gridW, ipm.GridW(0));
        for (int k = 1; k <= Steps; k++)
        {
            Assert.InRange(ipm.GridW(k) - ipm.GridW(k - 1), -GridPlanLp.RampDerate * rampWPerS * 1.001, GridPlanLp.RampDerate * rampWPerS * 1.001);
        }
    }

    [Fact]
    public void A_solve_allocates_nothing_and_is_fast()
    {
        (GridPlanLp glop, BandedIpmSolver ipm) = Pair(695_000, 19_298, 11_579);
        using (glop)
        using (ipm)
        {
            var load = new double[Steps];
            for (int k = 0; k < Steps; k++)
            {
                load[k] = k % 23 < 17 ? 1_080_000 : 310_000;
            }

            ipm.Solve(load, 700_000, 0, 0, 9_600, 9_649);
            var ipmTimes = new List<double>(50);
            var glopTimes = new List<double>(50);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Assert.True(ipm.Solve(load, 700_000 + i, 0, 0, 9_600, 9_649));
                ipmTimes.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            for (int i = 0; i < 50; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Assert.True(glop.Solve(load, 700_000 + i, 0, 0, 9_600, 9_649));
                glopTimes.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            ipmTimes.Sort();
            glopTimes.Sort();
            output.WriteLine($"median solve: interior point {ipmTimes[25]:F3} ms ({ipm.Iterations} iterations), GLOP {glopTimes[25]:F3} ms, ratio {ipmTimes[25] / glopTimes[25]:F2}");
            Assert.Equal(0, allocated);
        }
    }
}
