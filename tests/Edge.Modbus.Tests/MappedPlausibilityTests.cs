using System.Net;
using Edge.Core.Devices;
using Edge.Modbus.Inverter;
using Edge.Modbus.Server;
using Edge.Simulation.Inverter;
using Edge.Tests.Shared;

namespace Edge.Modbus.Tests;

/// <summary>
/// The ±1.5 × rated-power rule is not SunSpec's alone: a device described by a register map (<see cref="MappedProfile"/>)
/// whose power register reads beyond the margin is <see cref="InverterHealth.Misconfigured"/> exactly like a SunSpec
/// one — the health the publishers turn into null power and SoC — not a healthy inverter at 20 kW on a 10 kW device.
/// The simulated inverter (rated 10 kW, reported through the map's allowed charge/discharge points) is served through
/// a handler that overrides the power register on every read.
/// </summary>
public sealed class MappedPlausibilityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData((short)20_000, "= 20000")]
    [InlineData((short)-20_000, "= -20000")]
    [InlineData((short)15_001, "= 15001")] // just beyond ±1.5 × the 10 kW rating
    public void A_mapped_inverter_reading_beyond_the_margin_is_misconfigured_naming_the_register(short powerW, string expected)
    {
        using var rig = new MappedRig();
        (InverterMap map, PokedRegisters poked) = (rig.Map, rig.Poked);
        using var driver = new ModbusInverter(InverterDriverTests.DriverOptions(rig.Server.Port, "mapped"), new MappedProfile(map));
        Wait.For(() => driver.IsOperating && Health(driver) == InverterHealth.Ok, Timeout, () => $"control: {Health(driver)} {driver.LastError}");

        poked.Set(map.Power.Address, unchecked((ushort)powerW));
        Wait.For(() => Health(driver) == InverterHealth.Misconfigured, Timeout, () => $"{powerW} W: {Health(driver)} {driver.LastError}");
        Assert.Contains($"register {map.Power.Address}", driver.LastError, StringComparison.Ordinal);
        Assert.Contains(expected, driver.LastError, StringComparison.Ordinal);
        Assert.Contains("beyond ±15000", driver.LastError, StringComparison.Ordinal);
        Assert.Contains("1.5 × its rated power", driver.LastError, StringComparison.Ordinal);
        Assert.False(driver.TryReadState(out InverterState s) && s.IsUsable, "a misconfigured inverter must not be usable");

        // Fixed on the device → healthy again.
        poked.Clear();
        Wait.For(() => Health(driver) == InverterHealth.Ok, Timeout, () => $"after the fix: {Health(driver)} {driver.LastError}");
    }

    [Fact]
    public void A_mapped_inverter_reading_within_the_margin_stays_ok()
    {
        using var rig = new MappedRig();
        (InverterMap map, PokedRegisters poked) = (rig.Map, rig.Poked);
        using var driver = new ModbusInverter(InverterDriverTests.DriverOptions(rig.Server.Port, "mapped"), new MappedProfile(map));
        Wait.For(() => driver.IsOperating && Health(driver) == InverterHealth.Ok, Timeout, () => $"control: {Health(driver)} {driver.LastError}");

        foreach (short value in new short[] { 15_000, -15_000 })
        {
            poked.Set(map.Power.Address, unchecked((ushort)value));
            Wait.For(() => driver.TryReadState(out InverterState s) && s.MeasuredPowerW == value, Timeout, () => $"{value} W not read: {driver.LastError}");
            Assert.Equal(InverterHealth.Ok, Health(driver));
        }
    }

    [Fact]
    public void A_configured_rating_bounds_a_mapped_inverters_power_too()
    {
        using var rig = new MappedRig();
        (InverterMap map, PokedRegisters poked) = (rig.Map, rig.Poked);
        SunSpecInverterOptions options = InverterDriverTests.DriverOptions(rig.Server.Port, "mapped");
        options.RatedPowerW = 2000;
        using var driver = new ModbusInverter(options, new MappedProfile(map));
        Wait.For(() => driver.IsOperating && Health(driver) == InverterHealth.Ok, Timeout, () => $"control: {Health(driver)} {driver.LastError}");

        poked.Set(map.Power.Address, 3001);
        Wait.For(() => Health(driver) == InverterHealth.Misconfigured, Timeout, () => $"{Health(driver)} {driver.LastError}");
        Assert.Contains("= 3001", driver.LastError, StringComparison.Ordinal);
        Assert.Contains("beyond ±3000", driver.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapped_inverter_implausible_from_the_start_is_misconfigured_and_never_enabled()
    {
        using var rig = new MappedRig();
        (InverterMap map, PokedRegisters poked) = (rig.Map, rig.Poked);
        poked.Set(map.Power.Address, 20_000); // before the driver's first read
        SunSpecInverterOptions options = InverterDriverTests.DriverOptions(rig.Server.Port, "mapped");
        options.LeaseObserveMs = 150;
        using var driver = new ModbusInverter(options, new MappedProfile(map));
        Wait.For(() => Health(driver) == InverterHealth.Misconfigured, Timeout, () => $"{Health(driver)} {driver.LastError}");
        Assert.Contains("= 20000", driver.LastError, StringComparison.Ordinal);

        // The map's points span more than 125 registers: ~10 reads per poll every 20 ms, so 500 transactions are ≈ 50
        // polls — over six times the lease observation that precedes enabling.
        long polled = driver.LinkCounters.Transactions;
        Wait.For(() => driver.LinkCounters.Transactions > polled + 500, Timeout, () => "the driver stopped polling");
        Assert.False(driver.IsOperating, driver.LastError);
        Assert.Equal(InverterHealth.Misconfigured, Health(driver));
        Assert.False(rig.Host.Simulator.Snapshot().SetpointEnabled);

        poked.Clear();
        Wait.For(() => driver.IsOperating && Health(driver) == InverterHealth.Ok, Timeout, () => $"after the fix: {Health(driver)} {driver.LastError}");
    }

    private static InverterHealth Health(ModbusInverter d) => d.TryReadState(out InverterState s) ? s.Health : InverterHealth.Missing;

    /// <summary>The simulated inverter behind the edge-sim-704 map, served through <see cref="PokedRegisters"/>.</summary>
    private sealed class MappedRig : IDisposable
    {
        public InverterMap Map { get; } = InverterMap.LoadBuiltIn("inverter-edge-sim-704");

        public SimulatedInverterHost Host { get; } = new(new SimulatedPcsOptions(), IPAddress.Loopback, 0);

        public PokedRegisters Poked { get; }

        public ModbusTcpServer Server { get; }

        public MappedRig()
        {
            Poked = new PokedRegisters(Host.Simulator);
            Server = new ModbusTcpServer(Poked, IPAddress.Loopback, 0);
        }

        public void Dispose()
        {
            Server.Dispose();
            Host.Dispose();
        }
    }
}
