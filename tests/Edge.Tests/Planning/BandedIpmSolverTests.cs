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
            int solved = 0, infeasible = 0;
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
                bool glopSolved = glop.Solve(load, gridW, slopeWPerS, energyNowWh, terminalWh);
                bool ipmSolved = ipm.Solve(load, gridW, slopeWPerS, energyNowWh, terminalWh);
                if (!glopSolved)
                {
                    // A step beyond the battery the bounded second difference cannot follow: infeasible for both.
                    Assert.False(ipmSolved, $"seed {seed} round {round}: GLOP found no solution, the interior point claims one");
                    infeasible++;
                    continue;
                }

                Assert.True(ipmSolved, $"seed {seed} round {round}: the interior point did not converge ({ipm.Iterations} iterations)");
                solved++;
                double scale = Math.Max(1, Math.Abs(glop.ObjectiveValue));
                Assert.True(Math.Abs(ipm.ObjectiveValue - glop.ObjectiveValue) <= 1e-5 * scale,
                    $"seed {seed} round {round}: objective {ipm.ObjectiveValue:R} vs GLOP {glop.ObjectiveValue:R}");
                Assert.Equal(gridW, ipm.GridW(0));
            }

            output.WriteLine($"seed {seed}: {solved} optima equal to GLOP's, {infeasible} infeasible for both");
            Assert.True(solved >= 3, $"only {solved} of 10 random programmes were feasible: the test would prove little");
        }
    }

    [Fact]
    public void An_infeasible_programme_is_reported_as_not_solved()
    {
        // The grid 3 battery-powers away from the load, and the first step must continue its slope: no battery can
        // close that. GLOP says infeasible; the interior point must not claim an optimum.
        (GridPlanLp glop, BandedIpmSolver ipm) = Pair(10_000, 333, 100);
        using (glop)
        using (ipm)
        {
            double[] load = [.. Enumerable.Repeat(5_000.0, Steps)];
            Assert.False(glop.Solve(load, 35_000, 0, 166, 166));
            Assert.False(ipm.Solve(load, 35_000, 0, 166, 166));
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

            ipm.Solve(load, 700_000, 0, 9_600, 9_649);
            var ipmTimes = new List<double>(50);
            var glopTimes = new List<double>(50);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Assert.True(ipm.Solve(load, 700_000 + i, 0, 9_600, 9_649));
                ipmTimes.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            for (int i = 0; i < 50; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Assert.True(glop.Solve(load, 700_000 + i, 0, 9_600, 9_649));
                glopTimes.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            ipmTimes.Sort();
            glopTimes.Sort();
            output.WriteLine($"median solve: interior point {ipmTimes[25]:F3} ms ({ipm.Iterations} iterations), GLOP {glopTimes[25]:F3} ms, ratio {ipmTimes[25] / glopTimes[25]:F2}");
            Assert.Equal(0, allocated);
        }
    }
}
