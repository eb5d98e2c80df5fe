using System.Net;
using Edge.Core.Devices;
using Edge.Modbus.Inverter;
using Edge.Simulation.Inverter;

namespace Edge.Modbus.Tests;

/// <summary>A legacy model-124 PCS, and several inverters sharing one setpoint by headroom and SoC.</summary>
public sealed class FleetAndLegacyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Legacy_124_device_is_commanded_in_percent_with_Edge_sign_convention()
    {
        var pcs = new SimulatedPcsOptions { ControlModel = 124, RatedPowerW = 8000, LatencyMs = 0, TimeConstantMs = 10, DefaultRampPctPerS = 1000 };
        using var host = new SimulatedInverterHost(pcs, IPAddress.Loopback, 0);
        SunSpecInverterOptions options = InverterDriverTests.DriverOptions(host.Port);
        options.CapacityWh = 5000; // 124 does not report one
        using var driver = new SunSpecInverter(options);
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);
        Assert.Equal(124, driver.ControlModel);
        Assert.Equal(1, host.Simulator.Snapshot().RevertTimeS);

        Wait.For(() =>
        {
            driver.PostSetpoint(2000, 0); // discharge 2 kW = 25 % of WChaMax
            return host.Simulator.Snapshot().PowerW > 1990;
        }, Timeout, () => host.Simulator.Snapshot().ToString());
        Wait.For(() =>
        {
            driver.PostSetpoint(-4000, 0); // charge 4 kW
            return driver.TryReadState(out InverterState s) && s.MeasuredPowerW < -3990 && s.Health == InverterHealth.Ok;
        }, Timeout, () => host.Simulator.Snapshot().ToString());
        Assert.True(driver.TryReadState(out InverterState state));
        Assert.Equal(50, state.SocPct, 0);
        Assert.Equal(8000, state.AllowedDischargeW, 0);
        Assert.Equal(5000, state.CapacityWh, 0);
    }

    [Fact]
    public void Legacy_124_percentages_are_of_the_devices_WChaMax_not_of_a_configured_rating()
    {
        // OutWRte/InWRte are % of the device's WChaMax (8 kW here). A configured RatedPowerW of 4 kW only clamps: 2 kW
        // is 25 %, not 50 % (which the device turns into 4 kW).
        var pcs = new SimulatedPcsOptions { ControlModel = 124, RatedPowerW = 8000, LatencyMs = 0, TimeConstantMs = 10, DefaultRampPctPerS = 1000 };
        using var host = new SimulatedInverterHost(pcs, IPAddress.Loopback, 0);
        SunSpecInverterOptions options = InverterDriverTests.DriverOptions(host.Port);
        options.CapacityWh = 5000;
        options.RatedPowerW = 4000;
        using var driver = new SunSpecInverter(options);
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);
        Wait.For(() =>
        {
            driver.PostSetpoint(2000, 0);
            return host.Simulator.Snapshot().SetpointW > 0; // enabled at the measured 0 W, then the first setpoint written
        }, Timeout, () => host.Simulator.Snapshot().ToString());
        Assert.Equal(2000, host.Simulator.Snapshot().SetpointW, 0); // what the device made of OutWRte/InWRte × WChaMax
        Wait.For(() =>
        {
            driver.PostSetpoint(2000, 0);
            return host.Simulator.Snapshot().PowerW > 1990;
        }, Timeout, () => host.Simulator.Snapshot().ToString());
        Assert.InRange(host.Simulator.Snapshot().PowerW, 1990, 2010);
    }

    [Fact]
    public void A_fleet_shares_discharge_by_SoC_and_posts_every_share()
    {
        var opts = new SimulatedPcsOptions { RatedPowerW = 10_000, EnergyWh = 10_000, LatencyMs = 0, TimeConstantMs = 10, DefaultRampPctPerS = 1000 };
        using var fullHost = new SimulatedInverterHost(opts, IPAddress.Loopback, 0);
        using var lowHost = new SimulatedInverterHost(opts, IPAddress.Loopback, 0);
        fullHost.Simulator.SetSoc(85);
        lowHost.Simulator.SetSoc(25);
        using var full = new SunSpecInverter(InverterDriverTests.DriverOptions(fullHost.Port, "full"));
        using var low = new SunSpecInverter(InverterDriverTests.DriverOptions(lowHost.Port, "low"));
        var fleet = new InverterFleet([full, low], socMinPct: 5, socMaxPct: 95);
        Wait.For(() => full.IsOperating && low.IsOperating && fleet.Sample().UsableCount == 2, Timeout, () => $"{full.LastError} {low.LastError}");

        InverterAggregate aggregate = fleet.Sample();
        Assert.Equal(55, aggregate.SocPct, 0);
        Assert.Equal(20_000, aggregate.AllowedDischargeW, 0);

        // 6 kW discharge: weights are the energy above 5 % (80 vs 20) → 4.8 kW and 1.2 kW.
        Assert.Equal(6000, fleet.Actuate(6000, 0), 6);
        Assert.Equal(4800, fleet.Setpoints[0], 6);
        Assert.Equal(1200, fleet.Setpoints[1], 6);
        Wait.For(() =>
        {
            fleet.Sample();
            fleet.Actuate(6000, 0);
            return Math.Abs(fullHost.Simulator.Snapshot().PowerW - 4800) < 10 && Math.Abs(lowHost.Simulator.Snapshot().PowerW - 1200) < 10;
        }, Timeout, () => $"{fullHost.Simulator.Snapshot()} / {lowHost.Simulator.Snapshot()}");

        // Charge goes the other way: the emptier unit takes more (room below 95 %: 10 vs 70).
        fleet.Sample();
        fleet.Actuate(-4000, 0);
        Assert.Equal(-500, fleet.Setpoints[0], 0);
        Assert.Equal(-3500, fleet.Setpoints[1], 0);

        // An inverter that goes away gets nothing; the other takes what it can.
        fullHost.SetFaults(PcsFaults.Trip);
        Wait.For(() => fleet.Sample().UsableCount == 1, Timeout, () => "trip not seen");
        Assert.Equal(3000, fleet.Actuate(3000, 0), 6);
        Assert.Equal(0, fleet.Setpoints[0]);
        Assert.Equal(3000, fleet.Setpoints[1], 6);
    }
}
