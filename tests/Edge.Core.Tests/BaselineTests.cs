using Edge.Core.Baselines;
using Edge.Core.Control;

namespace Edge.Core.Tests;

public class BaselineTests
{
    private static ControllerOptions Options() => new() { PeriodMs = 10, MaxChargeW = 1e6, MaxDischargeW = 1e6, EnergyWh = 1e6 };

    private static TickInput Input(long k, double loadW) =>
        new() { NowNs = k * 10_000_000L, LoadW = loadW, SocPct = 50, AllowedChargeW = 1e6, AllowedDischargeW = 1e6 };

    [Fact]
    public void Moving_average_spans_exactly_sixty_seconds()
    {
        var c = new MovingAverageController(Options());
        for (long k = 0; k < 6000; k++)
        {
            c.Decide(Input(k, 1000));
        }

        // After a step to 4000 W, the target is the 60 s mean: linear in time, full after 60 s.
        Decision d = default;
        for (long k = 6000; k < 9000; k++)
        {
            d = c.Decide(Input(k, 4000));
        }

        Assert.Equal(1000 + (3000 * 3000 / 6000.0), d.GridTargetW, 6);
        for (long k = 9000; k < 12_000; k++)
        {
            d = c.Decide(Input(k, 4000));
        }

        Assert.Equal(4000, d.GridTargetW, 6);
    }

    [Fact]
    public void Low_pass_reaches_63_percent_after_thirty_seconds()
    {
        var c = new LowPassController(Options());
        c.Decide(Input(0, 0));
        Decision d = default;
        for (long k = 1; k <= 3000; k++)
        {
            d = c.Decide(Input(k, 1000));
        }

        Assert.Equal(1000 * (1 - Math.Exp(-1)), d.GridTargetW, 3);
    }

    [Fact]
    public void Peak_shave_discharges_above_80_and_recharges_below_50_percent_of_peak()
    {
        var c = new PeakShaveController(Options(), 10_000);
        Assert.Equal(1000, c.Decide(Input(0, 9000)).BatterySetpointW, 9);
        Assert.Equal(0, c.Decide(Input(1, 6000)).BatterySetpointW, 9);
        Assert.Equal(-2000, c.Decide(Input(2, 3000)).BatterySetpointW, 9);
    }

    [Fact]
    public void Baselines_respect_battery_limits()
    {
        ControllerOptions o = Options();
        o.MaxDischargeW = 500;
        var c = new NoBatteryController(o);
        Assert.Equal(0, c.Decide(Input(0, 9000)).BatterySetpointW);
        var p = new PeakShaveController(o, 10_000);
        Decision d = p.Decide(Input(0, 9500));
        Assert.Equal(500, d.BatterySetpointW, 9);
        Assert.True(d.IsSaturated);
    }

    [Fact]
    public void Factory_knows_every_name_and_rejects_others()
    {
        foreach (string name in Controllers.Names)
        {
            Assert.Equal(name, Controllers.Create(name, Options(), 1000).Name);
        }

        Assert.Throws<ArgumentException>(() => Controllers.Create("pid", Options(), 1000));
    }
}
