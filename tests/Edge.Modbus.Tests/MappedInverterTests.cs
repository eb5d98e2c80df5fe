using System.Net;
using Edge.Core.Devices;
using Edge.Modbus.Inverter;
using Edge.Modbus.SunSpec;
using Edge.Simulation.Inverter;

namespace Edge.Modbus.Tests;

/// <summary>A vendor register map described as data drives the same worker as SunSpec.</summary>
public sealed class MappedInverterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_example_map_points_where_the_simulator_keeps_those_registers()
    {
        var sim = new SunSpecInverterSimulator(new SimulatedPcsOptions());
        SunSpecModelInstance Model(int id) => sim.Models.First(m => m.Id == id);
        InverterMap map = InverterMap.LoadBuiltIn("inverter-edge-sim-704");
        Assert.Contains("inverter-edge-sim-704", InverterMap.BuiltIn);
        Assert.Equal(Model(704).AddressOf("WSet"), map.Setpoint.Address);
        Assert.Equal(Model(704).AddressOf("WSetEna"), map.Enable!.Value.Address);
        Assert.Equal(Model(704).AddressOf("WSetRvrt"), map.RevertSetpoint!.Address);
        Assert.Equal(Model(704).AddressOf("WSetEnaRvrt"), map.RevertEnable!.Value.Address);
        Assert.Equal(Model(704).AddressOf("WSetRvrtTms"), map.RevertTimeout!.Address);
        Assert.Equal(Model(704).AddressOf("WRmp"), map.Ramp!.Value.Point.Address);
        Assert.Equal(Model(701).AddressOf("W"), map.Power.Address);
        Assert.Equal(Model(701).AddressOf("Alrm"), map.Fault!.Value.Point.Address);
        Assert.Equal(Model(713).AddressOf("SoC"), map.Soc!.Address);
        Assert.Equal(Model(713).AddressOf("WHRtg"), map.Capacity!.Address);
        Assert.Equal(Model(802).AddressOf("WChaRteMax"), map.AllowedCharge!.Address);
        Assert.Equal(Model(802).AddressOf("WDisChaRteMax"), map.AllowedDischarge!.Address);
        Assert.Equal(Model(802).AddressOf("Hb"), map.DeviceHeartbeat);
        Assert.Equal(Model(802).AddressOf("CtrlHb"), map.ControllerHeartbeat);
    }

    [Fact]
    public void A_mapped_inverter_is_configured_commanded_and_reverts()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions { LatencyMs = 0, TimeConstantMs = 10, DefaultRampPctPerS = 1000 }, IPAddress.Loopback, 0);
        SunSpecInverterOptions options = InverterDriverTests.DriverOptions(host.Port, "mapped");
        options.RampPctPerS = 200;
        using var driver = new ModbusInverter(options, new MappedProfile(InverterMap.LoadBuiltIn("inverter-edge-sim-704")));
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);
        PcsSnapshot s = host.Simulator.Snapshot();
        Assert.Equal(200, s.RampPctPerS);
        Assert.Equal(1, s.RevertTimeS);
        Assert.True(s.SetpointEnabled);
        Assert.NotEqual(0, s.ControllerHeartbeat); // the lease register is in use

        Wait.For(() =>
        {
            driver.PostSetpoint(-3000, 0);
            return driver.TryReadState(out InverterState st) && st.MeasuredPowerW < -2990 && st.Health == InverterHealth.Ok;
        }, Timeout, () => host.Simulator.Snapshot().ToString());
        Assert.True(driver.TryReadState(out InverterState state));
        Assert.Equal(50, state.SocPct, 0);
        Assert.Equal(5000, state.CapacityWh, 0);
        Assert.Equal(10_000, state.AllowedChargeW, 0);

        var posting = System.Diagnostics.Stopwatch.StartNew();
        while (posting.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            driver.PostSetpoint(-3000, 0); // long enough for the reversion setpoint to track it (≤ 1 Hz)
            Thread.Sleep(10);
        }

        int reverts = host.Simulator.Snapshot().RevertCount;
        Wait.For(() => host.Simulator.Snapshot().RevertCount > reverts, Timeout, () => "no revert");
        Assert.Equal(-3000, host.Simulator.Snapshot().PowerW, 0); // the device holds its tracked reversion setpoint: no step

        host.SetFaults(PcsFaults.Trip);
        Wait.For(() => driver.TryReadState(out InverterState st) && st.Health == InverterHealth.Fault, Timeout, () => "trip not seen");
    }

    [Theory]
    [InlineData("{\"power\":{\"address\":1,\"type\":\"int16\"}}", "\"setpoint\" is missing")]
    [InlineData("{\"setpoint\":{\"address\":1,\"type\":\"int16\"},\"power\":{\"address\":2,\"type\":\"int16\"},\"ramp\":{\"address\":3,\"type\":\"uint16\",\"unit\":\"pct\"}}", "ramp.unit = pct is invalid")]
    [InlineData("{\"setpoint\":{\"address\":1,\"type\":\"int16\"},\"power\":{\"address\":2,\"type\":\"int16\"},\"enable\":{\"address\":3}}", "enable.value = missing is invalid")]
    [InlineData("{\"setpoint\":{\"address\":1,\"type\":\"int16\"},\"power\":{\"address\":2,\"type\":\"int16\"},\"fault\":{\"address\":3,\"type\":\"uint16\",\"mask\":-1}}", "fault.mask = -1 is invalid")]
    [InlineData("{\"setpoint\":{\"address\":1,\"type\":\"int16\"},\"power\":{\"address\":2,\"type\":\"real\"}}", "power.type = real is invalid")]
    public void Bad_inverter_maps_get_a_clear_error(string json, string expected)
    {
        FormatException e = Assert.Throws<FormatException>(() => InverterMap.Parse(json, "pcs.json"));
        Assert.StartsWith("inverter map pcs.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
