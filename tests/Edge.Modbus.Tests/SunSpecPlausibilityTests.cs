using System.Net;
using Edge.Core.Devices;
using Edge.Modbus.Inverter;
using Edge.Modbus.Server;
using Edge.Simulation.Inverter;
using Edge.Tests.Shared;

namespace Edge.Modbus.Tests;

/// <summary>
/// Issue 13: implausible device values are faults, not facts. The simulated SunSpec inverter is served through a
/// handler that overrides chosen registers on every read (as a misconfigured device would report them); the real
/// driver must report the inverter <see cref="InverterHealth.Misconfigured"/> and name the point in its last error —
/// and a plausible device (the control case) stays <see cref="InverterHealth.Ok"/>.
/// </summary>
public sealed class SunSpecPlausibilityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Model, point, raw register value poked, then the words the driver's error must contain.</summary>
    public static TheoryData<int, string, ushort, string> Implausible { get; } = new()
    {
        { 802, "SoCMax", 0, "802 SoCMax = 0" },                       // read today as "full": never charges
        { 802, "SoCMin", 10_000, "802 SoCMin = 100" },                 // SoC_SF −2: 100 % → never discharges
        { 802, "WChaRteMax", 0, "802 WChaRteMax = 0" },
        { 802, "WDisChaRteMax", 0, "802 WDisChaRteMax = 0" },
        { 802, "WHRtg", 0, "802 WHRtg = 0" },
        { 802, "SoC", 15_000, "802 SoC = 150" },
        { 802, "SoC", 0xFFFF, "802 SoC is not implemented" },
        { 802, "SoC_SF", 0x8000, "SoC_SF is not implemented" },
        { 802, "SoC_SF", 11, "SoC_SF = 11" },
        { 701, "W", 0x8000, "701 W is not implemented" },
        { 701, "W_SF", unchecked((ushort)(short)-11), "W_SF = -11" },
        { 701, "W", 20_000, "701 W = 20000" },                         // 2× the 10 kW the device is rated for (hil rig, 2026-12-04)
        { 701, "W", unchecked((ushort)(short)-20_000), "701 W = -20000" }, // charging just as implausibly
        { 701, "W", 15_001, "701 W = 15001" },                         // just beyond the ±1.5 × rated margin
    };

    [Theory]
    [MemberData(nameof(Implausible))]
    public void An_implausible_point_makes_the_inverter_misconfigured_naming_the_point(int model, string point, ushort raw, string expected)
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        var poked = new PokedRegisters(host.Simulator);
        using var server = new ModbusTcpServer(poked, IPAddress.Loopback, 0);
        using var driver = new SunSpecInverter(InverterDriverTests.DriverOptions(server.Port));
        Wait.For(() => driver.IsOperating && Health(driver) == InverterHealth.Ok, Timeout, () => $"control: {Health(driver)} {driver.LastError}");

        poked.Set(host.Simulator.Models.First(m => m.Id == model).AddressOf(point), raw);
        Wait.For(() => Health(driver) == InverterHealth.Misconfigured, Timeout, () => $"{point}: {Health(driver)} {driver.LastError}");
        Assert.Contains(expected, driver.LastError, StringComparison.Ordinal);
        Assert.False(driver.TryReadState(out InverterState s) && s.IsUsable, "a misconfigured inverter must not be usable");

        // Fixed on the device → healthy again.
        poked.Clear();
        Wait.For(() => Health(driver) == InverterHealth.Ok, Timeout, () => $"after the fix: {Health(driver)} {driver.LastError}");
    }

    [Fact]
    public void Inverted_soc_limits_are_misconfigured()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        var poked = new PokedRegisters(host.Simulator);
        using var server = new ModbusTcpServer(poked, IPAddress.Loopback, 0);
        using var driver = new SunSpecInverter(InverterDriverTests.DriverOptions(server.Port));
        var battery = host.Simulator.Models.First(m => m.Id == 802);
        poked.Set(battery.AddressOf("SoCMin"), 6000);
        poked.Set(battery.AddressOf("SoCMax"), 4000);
        Wait.For(() => Health(driver) == InverterHealth.Misconfigured, Timeout, () => $"{Health(driver)} {driver.LastError}");
        Assert.Contains("802 SoCMin = 60", driver.LastError, StringComparison.Ordinal);
        Assert.Contains("inverted", driver.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_measured_power_within_the_margin_of_the_rating_is_plausible()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        var poked = new PokedRegisters(host.Simulator);
        using var server = new ModbusTcpServer(poked, IPAddress.Loopback, 0);
        using var driver = new SunSpecInverter(InverterDriverTests.DriverOptions(server.Port));
        Wait.For(() => driver.IsOperating && Health(driver) == InverterHealth.Ok, Timeout, () => $"control: {Health(driver)} {driver.LastError}");

        // 1.5 × the 10 kW rating, either way: a device may run above its nameplate for a while; still a fact.
        ushort w = host.Simulator.Models.First(m => m.Id == 701).AddressOf("W");
        foreach (short value in new short[] { 15_000, -15_000 })
        {
            poked.Set(w, unchecked((ushort)value));
            Wait.For(() => driver.TryReadState(out InverterState s) && s.MeasuredPowerW == value, Timeout, () => $"{value} W not read: {driver.LastError}");
            Assert.Equal(InverterHealth.Ok, Health(driver));
        }
    }

    [Fact]
    public void A_configured_rating_bounds_the_measured_power_too()
    {
        // The device says 10 kW; the operator configured 2 kW (RatedPowerW takes precedence, as for every clamp).
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        var poked = new PokedRegisters(host.Simulator);
        using var server = new ModbusTcpServer(poked, IPAddress.Loopback, 0);
        SunSpecInverterOptions options = InverterDriverTests.DriverOptions(server.Port);
        options.RatedPowerW = 2000;
        using var driver = new SunSpecInverter(options);
        Wait.For(() => driver.IsOperating && Health(driver) == InverterHealth.Ok, Timeout, () => $"control: {Health(driver)} {driver.LastError}");

        poked.Set(host.Simulator.Models.First(m => m.Id == 701).AddressOf("W"), 3001);
        Wait.For(() => Health(driver) == InverterHealth.Misconfigured, Timeout, () => $"{Health(driver)} {driver.LastError}");
        Assert.Contains("701 W = 3001", driver.LastError, StringComparison.Ordinal);
        Assert.Contains("±3000", driver.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_driver_does_not_enable_a_device_whose_power_reading_is_implausible()
    {
        // Bumpless start enables the device at its measured power: from 20 kW (clamped to the 10 kW rating) that was a
        // step to full power. Until the device reports plausible values the driver writes no control register.
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        var poked = new PokedRegisters(host.Simulator);
        ushort w = host.Simulator.Models.First(m => m.Id == 701).AddressOf("W");
        poked.Set(w, 20_000);
        using var server = new ModbusTcpServer(poked, IPAddress.Loopback, 0);
        SunSpecInverterOptions options = InverterDriverTests.DriverOptions(server.Port);
        options.LeaseObserveMs = 150;
        using var driver = new SunSpecInverter(options);
        Wait.For(() => Health(driver) == InverterHealth.Misconfigured, Timeout, () => $"{Health(driver)} {driver.LastError}");

        // ≥ 100 polls of 3 reads (701, 713, 802) every 20 ms: over ten times the lease observation that precedes enabling.
        long polled = driver.LinkCounters.Transactions;
        Wait.For(() => driver.LinkCounters.Transactions > polled + 300, Timeout, () => "the driver stopped polling");
        Assert.False(driver.IsOperating, driver.LastError);
        Assert.Equal(0L, host.Simulator.Snapshot().ControlWrites);
        Assert.False(host.Simulator.Snapshot().SetpointEnabled);

        // Plausible again: it starts as usual, at the power the device delivers (0 W).
        poked.Clear();
        Wait.For(() => driver.IsOperating && Health(driver) == InverterHealth.Ok, Timeout, () => $"after the fix: {Health(driver)} {driver.LastError}");
        Assert.Equal(0, host.Simulator.Snapshot().SetpointW);
    }

    private static InverterHealth Health(SunSpecInverter d) => d.TryReadState(out InverterState s) ? s.Health : InverterHealth.Missing;
}
