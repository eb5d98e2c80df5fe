using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Metrics;
using Edge.Tests.Shared;
using Xunit;

namespace Edge.Core.Tests;

/// <summary>
/// Latency compensation (issue 16 item 4, docs/planner.md "Latency compensation"), on virtual time: a battery that acts
/// 50 ms late, driven by the smoothing controller with and without <see cref="ControllerOptions.LatencyCompensationMs"/>.
/// The figure of merit is the replay's dyn_range_W (the dynamic range that would bring the ramp violation to 0),
/// measured after the predictor's learning time.
/// </summary>
public sealed class LatencyCompensationTests
{
    private const double PeriodS = 0.01;
    private const double LatencyMs = 50;
    private const double WarmupS = 20;
    private const double RampWPerS = 50;

    [Fact]
    public void PeriodicSquareWaveNeedsAtMostHalfTheLoadStepAsDynamicRange()
    {
        // 5 kW compute / 1.5 kW all-reduce, 2 s iterations: every edge is a 3.5 kW step within one period.
        static double Load(long k) => k % 200 < 120 ? 5000 : 1500;
        double stepW = MaxChangeOverLatency(Load, 120);
        Assert.Equal(3500, stepW);

        double offW = DynamicRangeNeeded(Load, 0, 120);
        double onW = DynamicRangeNeeded(Load, LatencyMs, 120);
        Assert.True(offW >= stepW, $"without compensation every edge should leak (needed {offW:F0} W)");
        Assert.True(onW <= 0.5 * stepW, $"compensated: needed {onW:F1} W, more than half of {stepW} W");
    }

    [Fact]
    public void PeriodNotAMultipleOfTheControlPeriodStillHalvesTheDynamicRange()
    {
        // 1.234 s iterations: the edges fall between samples, so the period is 123 or 124 samples (exact integer
        // arithmetic, in ms: a floating-point phase would jitter single edges by a sample, which no predictor can know).
        static double Load(long k) => k * 10 % 1234 < 800 ? 5000 : 1500;
        double stepW = MaxChangeOverLatency(Load, 120);
        double onW = DynamicRangeNeeded(Load, LatencyMs, 120);
        Assert.True(onW <= 0.5 * stepW, $"compensated: needed {onW:F1} W, more than half of {stepW} W");
    }

    [Fact]
    public void AperiodicLoadIsNoWorseThanWithoutCompensationBeyondASmallBound()
    {
        // Random levels held for random (exponential, mean 0.7 s) times: nothing to predict.
        double[] series = RandomSteps(seed: 7, seconds: 300);
        double Load(long k) => series[k];
        double offW = DynamicRangeNeeded(Load, 0, 300);
        double onW = DynamicRangeNeeded(Load, LatencyMs, 300);
        Assert.True(onW <= 1.05 * offW, $"compensated {onW:F0} W vs {offW:F0} W without");
    }

    [Fact]
    public void OffByDefaultAndZeroBytesPerPeriodWhenOn()
    {
        Assert.Null(new SmoothingController(Options(0)).Compensator);
        var controller = new SmoothingController(Options(LatencyMs));
        Assert.NotNull(controller.Compensator);
        var input = new TickInput { SocPct = 50, AllowedChargeW = 10_000, AllowedDischargeW = 10_000 };
        long k = 0;
        void Run(long periods)
        {
            for (long end = k + periods; k < end; k++)
            {
                input.NowNs = k * 10_000_000;
                input.LoadW = k % 200 < 120 ? 5000 : 1500;
                _ = controller.Decide(input);
            }
        }

        Run(3000);
        Action pass = () => Run(10_000);
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        long bytes = SteadyAllocations.PerPassMinimum(pass, passes: 3);
        double us = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMicroseconds / (3 * 10_000);
        Assert.Equal(0, bytes);
        if (Environment.GetEnvironmentVariable("LC_DEBUG") is not null)
        {
            Console.Error.WriteLine($"Decide with compensation ({controller.Compensator!.MaxLagPeriods} lags): {us:F2} µs per period (wall clock, this machine)");
        }
        Assert.Equal(200, controller.Compensator!.BestLagPeriods);
        Assert.Equal(1, controller.Compensator.Weight);
    }

    [Theory]
    [InlineData(-1, 10, "Controller:LatencyCompensationMs")]
    [InlineData(double.NaN, 10, "Controller:LatencyCompensationMs")]
    [InlineData(50, 0, "Controller:LatencyCompensationMaxPeriodS")]
    [InlineData(50, 1e6, "Controller:LatencyCompensationMaxPeriodS")]
    public void BadOptionsAreRefusedWithTheirPath(double compensationMs, double maxPeriodS, string path)
    {
        ControllerOptions o = Options(compensationMs);
        o.LatencyCompensationMaxPeriodS = maxPeriodS;
        IReadOnlyList<OptionError> errors = o.Validate();
        Assert.Contains(errors, e => e.ToString().Contains(path, StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new SmoothingController(o));
    }

    private static ControllerOptions Options(double compensationMs) => new()
    {
        PeriodMs = PeriodS * 1000,
        RampUpWPerS = RampWPerS,
        RampDownWPerS = RampWPerS,
        MaxChargeW = 10_000,
        MaxDischargeW = 10_000,
        EnergyWh = 1_000,
        LatencyCompensationMs = compensationMs,
    };

    /// <summary>dyn_range_W after <see cref="WarmupS"/>, battery acting <see cref="LatencyMs"/> late.</summary>
    private static double DynamicRangeNeeded(Func<long, double> load, double compensationMs, double seconds)
    {
        ControllerOptions o = Options(compensationMs);
        var controller = new SmoothingController(o);
        var battery = new BatteryModel(new BatteryModelOptions
        {
            LatencyMs = LatencyMs, TimeConstantMs = 0, EnergyWh = o.EnergyWh, MaxChargeW = o.MaxChargeW,
            MaxDischargeW = o.MaxDischargeW, InitialSocPct = 50,
        }, PeriodS);
        var ramp = new RampTracker(new MetricsOptions(PeriodS, RampWPerS, RampWPerS));
        var input = new TickInput();
        long periods = (long)Math.Round(seconds / PeriodS);
        long warmup = (long)Math.Round(WarmupS / PeriodS);
        for (long k = 0; k < periods; k++)
        {
            input.NowNs = k * 10_000_000;
            input.LoadW = load(k);
            input.BatteryMeasuredW = battery.PowerW;
            input.SocPct = battery.SocPct;
            input.AllowedChargeW = battery.AllowedChargeW;
            input.AllowedDischargeW = battery.AllowedDischargeW;
            Decision d = controller.Decide(input);
            double actualW = battery.Step(d.BatterySetpointW, PeriodS);
            if (k >= warmup)
            {
                ramp.Add(input.LoadW - actualW);
                if (Environment.GetEnvironmentVariable("LC_DEBUG") is not null && Math.Abs(input.LoadW - actualW - d.GridTargetW) > 500)
                {
                    Console.Error.WriteLine($"k={k} load={input.LoadW} grid={input.LoadW - actualW:F0} target={d.GridTargetW:F0} lag={controller.Compensator?.BestLagPeriods} w={controller.Compensator?.Weight:F2}");
                }
            }
        }

        if (Environment.GetEnvironmentVariable("LC_DEBUG") is not null)
        {
            Console.Error.WriteLine($"compensation {compensationMs} ms: dyn range needed after {WarmupS} s {ramp.DynamicRangeNeededW:F1} W, violating periods {ramp.ViolatingPeriods}");
        }

        return ramp.DynamicRangeNeededW;
    }

    private static double MaxChangeOverLatency(Func<long, double> load, double seconds)
    {
        int d = (int)Math.Round(LatencyMs * 1e-3 / PeriodS);
        double maxW = 0;
        for (long k = d; k < seconds / PeriodS; k++)
        {
            maxW = Math.Max(maxW, Math.Abs(load(k) - load(k - d)));
        }

        return maxW;
    }

    private static double[] RandomSteps(ulong seed, double seconds)
    {
        var rng = new Random((int)seed);
        var series = new double[(int)Math.Round(seconds / PeriodS)];
        double levelW = 3000;
        long next = 0;
        for (int k = 0; k < series.Length; k++)
        {
            if (k >= next)
            {
                levelW = 1000 + 4000 * rng.NextDouble();
                next = k + 1 + (long)(-Math.Log(1 - rng.NextDouble()) * 0.7 / PeriodS);
            }

            series[k] = levelW;
        }

        return series;
    }
}
