using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Tests.Shared;

namespace Edge.Core.Tests;

public class AllocatorTests
{
    private static InverterState Unit(double socPct, double limitW, InverterHealth health = InverterHealth.Ok, double capacityWh = 100) =>
        new(0, 0, socPct, limitW, limitW, capacityWh, 0, health);

    [Fact]
    public void Equal_units_share_equally_and_the_sum_is_the_total()
    {
        InverterState[] units = [Unit(50, 1000), Unit(50, 1000), Unit(50, 1000), Unit(50, 1000)];
        var sp = new double[4];
        Assert.Equal(2000, BatteryAllocator.Allocate(2000, units, 10, 90, sp), 9);
        Assert.All(sp, v => Assert.Equal(500, v, 9));
        Assert.Equal(-2000, BatteryAllocator.Allocate(-2000, units, 10, 90, sp), 9);
        Assert.All(sp, v => Assert.Equal(-500, v, 9));
    }

    [Fact]
    public void Fuller_units_discharge_more_and_emptier_units_charge_more()
    {
        InverterState[] units = [Unit(80, 5000), Unit(30, 5000)];
        var sp = new double[2];
        BatteryAllocator.Allocate(1000, units, 10, 90, sp);
        Assert.True(sp[0] > sp[1]);
        Assert.Equal(1000 * 70 / 90.0, sp[0], 6);
        BatteryAllocator.Allocate(-1000, units, 10, 90, sp);
        Assert.True(sp[1] < sp[0]);
        Assert.Equal(-1000 * 60 / 70.0, sp[1], 6);
    }

    [Fact]
    public void What_a_capped_unit_cannot_take_goes_to_the_others()
    {
        InverterState[] units = [Unit(50, 100), Unit(50, 1000), Unit(50, 1000)];
        var sp = new double[3];
        Assert.Equal(1500, BatteryAllocator.Allocate(1500, units, 10, 90, sp), 9);
        Assert.Equal(100, sp[0], 9);
        Assert.Equal(700, sp[1], 9);
        Assert.Equal(700, sp[2], 9);
    }

    [Fact]
    public void Unusable_units_get_nothing_and_overflow_is_reported()
    {
        InverterState[] units = [Unit(50, 1000, InverterHealth.Offline), Unit(50, 1000)];
        var sp = new double[2];
        Assert.Equal(1000, BatteryAllocator.Allocate(3000, units, 10, 90, sp), 9);
        Assert.Equal(0, sp[0]);
        Assert.Equal(1000, sp[1], 9);
    }

    [Fact]
    public void Allocation_is_allocation_free()
    {
        InverterState[] units = [Unit(50, 1000), Unit(60, 1000), Unit(70, 500), Unit(20, 1000)];
        var sp = new double[4];
        BatteryAllocator.Allocate(100, units, 10, 90, sp);
        Action pass = () =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                BatteryAllocator.Allocate((i % 7) * 500 - 1500, units, 10, 90, sp);
            }
        };
        Assert.Equal(0, SteadyAllocations.PerPassMinimum(pass));
    }

    [Fact]
    public void Aggregate_weights_soc_by_capacity_and_skips_unusable_units()
    {
        InverterState[] units = [Unit(20, 1000, capacityWh: 100), Unit(80, 2000, capacityWh: 300), Unit(50, 9999, InverterHealth.Fault)];
        InverterAggregate a = InverterAggregate.Of(units);
        Assert.Equal(2, a.UsableCount);
        Assert.Equal(65, a.SocPct, 9);
        Assert.Equal(3000, a.AllowedDischargeW, 9);
        Assert.Equal(400, a.CapacityWh, 9);
    }
}
