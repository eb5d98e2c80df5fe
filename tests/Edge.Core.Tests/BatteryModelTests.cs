using Edge.Core.Battery;

namespace Edge.Core.Tests;

public class BatteryModelTests
{
    private static BatteryModelOptions Options() => new()
    {
        EnergyWh = 100,
        MaxChargeW = 1000,
        MaxDischargeW = 2000,
        ChargeEfficiency = 0.9,
        DischargeEfficiency = 0.8,
        InitialSocPct = 50,
    };

    [Fact]
    public void Discharge_draws_power_over_efficiency_from_the_cells()
    {
        var m = new BatteryModel(Options(), 0.01);
        for (int i = 0; i < 360; i++)
        {
            m.Step(1000, 0.1); // 36 s at 1 kW → 10 Wh AC → 12.5 Wh from cells
        }

        Assert.Equal(1000, m.PowerW, 9);
        Assert.Equal(50 - 12.5, m.SocPct, 6);
    }

    [Fact]
    public void Charge_stores_power_times_efficiency()
    {
        var m = new BatteryModel(Options(), 0.01);
        for (int i = 0; i < 360; i++)
        {
            m.Step(-500, 0.1); // 5 Wh AC → 4.5 Wh stored
        }

        Assert.Equal(-500, m.PowerW, 9);
        Assert.Equal(54.5, m.SocPct, 6);
    }

    [Fact]
    public void Power_limits_clip_and_say_so()
    {
        var m = new BatteryModel(Options(), 0.01);
        Assert.Equal(2000, m.Step(5000, 0.01));
        Assert.True(m.Clipped);
        Assert.Equal(-1000, m.Step(-5000, 0.01));
        Assert.True(m.Clipped);
        Assert.Equal(100, m.Step(100, 0.01));
        Assert.False(m.Clipped);
    }

    [Fact]
    public void An_empty_battery_cannot_discharge_and_a_full_one_cannot_charge()
    {
        var o = Options();
        o.InitialSocPct = 0.01; // 0.01 Wh in the cells
        var m = new BatteryModel(o, 0.01);
        double p = m.Step(2000, 1); // 0.01 Wh·3600 J·0.8 over 1 s = 28.8 W
        Assert.Equal(28.8, p, 6);
        Assert.Equal(0, m.SocPct, 9);
        Assert.Equal(0, m.Step(2000, 1));
        Assert.Equal(0, m.AllowedDischargeW);

        o.InitialSocPct = 100;
        var full = new BatteryModel(o, 0.01);
        Assert.Equal(0, full.Step(-1000, 1));
        Assert.Equal(100, full.SocPct, 9);
        Assert.Equal(0, full.AllowedChargeW);
    }

    [Fact]
    public void Latency_delays_the_setpoint_by_whole_periods()
    {
        var o = Options();
        o.LatencyMs = 50;
        var m = new BatteryModel(o, 0.01);
        var seen = new List<double>();
        for (int k = 0; k < 10; k++)
        {
            seen.Add(m.Step(k == 0 ? 0 : 100 * k, 0.01));
        }

        // Setpoint posted at step k is in force from step k + 5.
        Assert.Equal([0, 0, 0, 0, 0, 0, 100, 200, 300, 400], seen);
    }

    [Fact]
    public void First_order_response_reaches_63_percent_after_one_time_constant()
    {
        var o = Options();
        o.TimeConstantMs = 200;
        var m = new BatteryModel(o, 0.001);
        double p = 0;
        for (int k = 0; k < 200; k++)
        {
            p = m.Step(1000, 0.001);
        }

        Assert.Equal(1000 * (1 - Math.Exp(-1)), p, 6);
    }

    [Fact]
    public void The_devices_own_ramp_limit_holds()
    {
        var o = Options();
        o.RampWPerS = 500;
        var m = new BatteryModel(o, 0.01);
        double last = 0;
        for (int k = 0; k < 100; k++)
        {
            double p = m.Step(k < 50 ? 2000 : -1000, 0.01);
            Assert.True(Math.Abs(p - last) <= 5 + 1e-9, $"step {k}: {last} → {p}");
            last = p;
        }
    }

    [Fact]
    public void Bad_options_are_named()
    {
        var o = Options();
        o.EnergyWh = 0;
        o.DischargeEfficiency = 1.5;
        var errors = o.Validate();
        Assert.Contains(errors, e => e.Path == "Battery:EnergyWh");
        Assert.Contains(errors, e => e.Path == "Battery:DischargeEfficiency");
        Assert.Throws<ArgumentException>(() => new BatteryModel(o));
    }
}
