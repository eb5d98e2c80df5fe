using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Metrics;
using Edge.Core.Replay;

namespace Edge.Core.Tests;

/// <summary>The properties docs/DESIGN.md §4 requires of the smoothing controller, checked on many random seeded traces.</summary>
public class ControllerPropertyTests
{
    private const double PeriodS = 0.01;
    private const double PeakW = 10_000;

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 48; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    private static (ControllerOptions Options, BatteryModelOptions Battery) Setup(int seed)
    {
        var rng = new Random(seed * 7919);
        double powerW = PeakW * (0.6 + (0.6 * rng.NextDouble())); // sometimes undersized
        var o = new ControllerOptions
        {
            PeriodMs = PeriodS * 1000,
            MaxChargeW = powerW,
            MaxDischargeW = powerW,
            EnergyWh = PeakW * (30 + (120 * rng.NextDouble())) / 3600,
            RampUpWPerS = PeakW * (0.005 + (0.05 * rng.NextDouble())),
            RampDownWPerS = PeakW * (0.005 + (0.05 * rng.NextDouble())),
            GridCapW = rng.NextDouble() < 0.5 ? 0.9 * PeakW : double.PositiveInfinity,
            GridFloorW = rng.NextDouble() < 0.5 ? 0.2 * PeakW : double.NegativeInfinity,
        };
        var b = new BatteryModelOptions
        {
            EnergyWh = o.EnergyWh,
            MaxChargeW = o.MaxChargeW,
            MaxDischargeW = o.MaxDischargeW,
            ChargeEfficiency = o.ChargeEfficiency,
            DischargeEfficiency = o.DischargeEfficiency,
            InitialSocPct = o.SocTargetPct,
        };
        return (o, b);
    }

    private static ReplayRun Run(double[] load, ControllerOptions o, BatteryModelOptions b) =>
        ReplayEngine.Run(load, PeriodS, new SmoothingController(o), b, new MetricsOptions(PeriodS, o.RampUpWPerS, o.RampDownWPerS));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Battery_and_soc_limits_are_never_exceeded(int seed)
    {
        (ControllerOptions o, BatteryModelOptions b) = Setup(seed);
        double[] load = TestTraces.Random(seed, 300, PeriodS, PeakW);
        ReplayRun run = Run(load, o, b);
        for (int k = 0; k < load.Length; k++)
        {
            Assert.InRange(run.BatteryW[k], -o.MaxChargeW - 1e-6, o.MaxDischargeW + 1e-6);
            Assert.InRange(run.SocPct[k], o.SocMinPct - 1e-6, o.SocMaxPct + 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void While_not_saturated_the_grid_is_ramp_limited_and_within_cap_and_floor(int seed)
    {
        (ControllerOptions o, BatteryModelOptions b) = Setup(seed);
        double[] load = TestTraces.Random(seed, 300, PeriodS, PeakW);
        ReplayRun run = Run(load, o, b);
        double[] g = run.GridW;
        int w = (int)Math.Round(o.RampWindowS / PeriodS);
        double riseAllowed = o.RampUpWPerS * o.RampWindowS * 1.001;
        double fallAllowed = o.RampDownWPerS * o.RampWindowS * 1.001;
        // Rolling rise/fall per window (checked against a brute-force definition in RampMetricsTests).
        var rise = new double[g.Length];
        var fall = new double[g.Length];
        RampMetrics.Rolling(g, w, rise, fall);
        int lastSaturated = -1_000_000;
        int checkedWindows = 0;
        for (int j = 1; j < g.Length; j++)
        {
            if (run.Saturated[j])
            {
                lastSaturated = j;
            }

            if (j - lastSaturated <= w)
            {
                continue; // the window touches a saturated period: the battery could not do more
            }

            checkedWindows++;
            Assert.InRange(g[j], o.GridFloorW - 1e-6, o.GridCapW + 1e-6);
            Assert.True(rise[j] <= riseAllowed, $"seed {seed}: rise {rise[j]:F2} W in window ending {j * PeriodS:F2} s > {riseAllowed:F2}");
            Assert.True(fall[j] <= fallAllowed, $"seed {seed}: fall {fall[j]:F2} W in window ending {j * PeriodS:F2} s > {fallAllowed:F2}");
        }

        Assert.True(checkedWindows > g.Length / 4, $"seed {seed}: only {checkedWindows} unsaturated windows checked");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Soc_returns_to_target_without_breaking_the_ramp_limit(int seed)
    {
        (ControllerOptions o, BatteryModelOptions b) = Setup(seed);
        o.MaxChargeW = o.MaxDischargeW = PeakW * 1.2;
        o.GridCapW = double.PositiveInfinity;
        o.GridFloorW = double.NegativeInfinity;
        b.MaxChargeW = b.MaxDischargeW = o.MaxChargeW;
        b.InitialSocPct = 20 + (seed * 10); // 30 … 80 %
        double[] load = Enumerable.Repeat(0.5 * PeakW, (int)(4000 / PeriodS)).ToArray();
        ReplayRun run = Run(load, o, b);
        Assert.True(Math.Abs(run.SocPct[^1] - o.SocTargetPct) < 0.5, $"SoC ended at {run.SocPct[^1]:F2} %");
        Assert.Equal(0, run.Metrics.RampViolationS);
        Assert.Equal(0, run.Metrics.SaturatedS);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(33)]
    public void The_same_inputs_give_the_same_outputs(int seed)
    {
        (ControllerOptions o, BatteryModelOptions b) = Setup(seed);
        double[] load = TestTraces.Random(seed, 120, PeriodS, PeakW);
        ReplayRun a = Run(load, o, b);
        ReplayRun c = Run(load, o, b);
        Assert.Equal(a.GridW, c.GridW);
        Assert.Equal(a.BatteryW, c.BatteryW);
        Assert.Equal(a.SocPct, c.SocPct);
    }

    [Fact]
    public void In_band_oscillation_is_suppressed_by_four_orders_of_magnitude()
    {
        // All-reduce-like square wave at 0.5 Hz between 25 % and 95 % of peak, battery sized as replay does.
        double[] load = TestTraces.Square(0.25 * PeakW, 0.95 * PeakW, 0.5, 600, PeriodS);
        var o = new ControllerOptions
        {
            PeriodMs = 10,
            MaxChargeW = PeakW,
            MaxDischargeW = PeakW,
            EnergyWh = PeakW * 120 / 3600,
            RampUpWPerS = 0.01 * PeakW,
            RampDownWPerS = 0.01 * PeakW,
        };
        var b = new BatteryModelOptions { EnergyWh = o.EnergyWh, MaxChargeW = PeakW, MaxDischargeW = PeakW };
        ReplayRun run = Run(load, o, b);
        Assert.True(run.Metrics.BandEnergyRatio < 1e-4, $"band energy ratio {run.Metrics.BandEnergyRatio:E3}");
        Assert.Equal(0, run.Metrics.RampViolationS);
    }
}
