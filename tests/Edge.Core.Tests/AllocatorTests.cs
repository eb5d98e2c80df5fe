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
    public void A_unit_that_answers_but_refuses_writes_keeps_its_power_counted_and_the_others_are_not_given_it_again()
    {
        // Found on the hil rig: pcs2 refused writes (health fault) while still delivering its 440 W; the allocator
        // gave pcs1 the whole 880 W at once (a +440 W step at the grid) and the state reported 880 W of battery.
        InverterState pcs1 = new(1_000_000_000, 440, 50, 2000, 2000, 100, 440, InverterHealth.Ok);
        InverterState pcs2 = new(1_000_000_000, 440, 50, 2000, 2000, 100, 440, InverterHealth.Fault);
        InverterState[] units = [pcs1, pcs2];
        InverterAggregate a = InverterAggregate.Of(units, 1_500_000_000, 2_000_000_000);
        Assert.Equal((880, 440, 1), (a.MeasuredPowerW, a.UncontrolledPowerW, a.UsableCount));
        var sp = new double[2];
        Assert.Equal(440, BatteryAllocator.Allocate(880, a.UncontrolledPowerW, units, 10, 90, sp), 9);
        Assert.Equal([440.0, 0.0], sp);

        // The ramp-out to 0 W does not make pcs1 charge against pcs2's discharge (no circulating power).
        Assert.Equal(0, BatteryAllocator.Allocate(300, 440, units, 10, 90, sp));
        Assert.Equal([0.0, 0.0], sp);
        Assert.Equal(0, BatteryAllocator.Allocate(0, 440, units, 10, 90, sp));

        // A reading older than the age, a unit offline or one whose values are not trusted counts nothing.
        Assert.Equal(0, InverterAggregate.Of(units, 3_500_000_000, 2_000_000_000).UncontrolledPowerW);
        Assert.Equal(0, InverterAggregate.Of([pcs1, pcs2 with { Health = InverterHealth.Offline }], 1_500_000_000, 2_000_000_000).UncontrolledPowerW);
        Assert.Equal(0, InverterAggregate.Of([pcs1, pcs2 with { Health = InverterHealth.Misconfigured }], 1_500_000_000, 2_000_000_000).UncontrolledPowerW);
        Assert.Equal(440, InverterAggregate.Of(units).MeasuredPowerW); // without an age: usable units only, as before
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
