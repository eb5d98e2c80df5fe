using System.Net;
using Edge.Core.Devices;
using Edge.Modbus.Inverter;
using Edge.Simulation.Inverter;

namespace Edge.Modbus.Tests;

/// <summary>Lease, link and device faults as the driver reports them, against the simulated inverter.</summary>
public sealed class InverterHealthTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static InverterHealth HealthOf(SunSpecInverter d) => d.TryReadState(out InverterState s) ? s.Health : InverterHealth.Missing;

    [Fact]
    public void A_second_controller_sees_LeaseLost_and_never_writes()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        using var first = new SunSpecInverter(InverterDriverTests.DriverOptions(host.Port, "first"));
        Wait.For(() => first.IsOperating, Timeout, () => first.LastError);
        first.PostSetpoint(1000, 0);
        Wait.For(() => host.Simulator.Snapshot().SetpointW == 1000, Timeout, () => host.Simulator.Snapshot().ToString());

        using var second = new SunSpecInverter(InverterDriverTests.DriverOptions(host.Port, "second"));
        Wait.For(() => HealthOf(second) == InverterHealth.LeaseLost, Timeout, () => $"second: {HealthOf(second)} {second.LastError}");
        for (int i = 0; i < 20; i++)
        {
            second.PostSetpoint(-5000, 0);
            first.PostSetpoint(1000, 0);
            Thread.Sleep(10);
        }

        Assert.False(second.IsOperating);
        Assert.Equal(0, second.SetpointWrites);
        Assert.Equal(1000, host.Simulator.Snapshot().SetpointW);
        Assert.True(first.IsOperating);
        Assert.Equal(InverterHealth.Ok, HealthOf(first));

        // When the first controller goes away, the second takes over after its observation window.
        first.Dispose();
        Wait.For(() => second.IsOperating, Timeout, () => $"second never took over: {second.LastError}");
        Wait.For(() =>
        {
            second.PostSetpoint(-500, 0);
            return host.Simulator.Snapshot().SetpointW == -500;
        }, Timeout, () => host.Simulator.Snapshot().ToString());
    }

    [Fact]
    public void A_writer_that_finds_CtrlHb_changed_stops_writing_at_once()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        using var driver = new SunSpecInverter(InverterDriverTests.DriverOptions(host.Port));
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);

        // An intruder writes CtrlHb directly (another controller that skipped the observation).
        var client = new Client.ModbusTcpClient(new Client.ModbusClientOptions { Port = host.Port });
        ushort ctrlHb = driver.Map!.Find(802)!.AddressOf("CtrlHb");
        Assert.True(client.WriteSingleRegister(1, ctrlHb, 60_000).IsOk);
        Wait.For(() => HealthOf(driver) == InverterHealth.LeaseLost, Timeout, () => HealthOf(driver).ToString());
        Assert.False(driver.IsOperating);
        client.Dispose();
    }

    [Fact]
    public void Dropped_links_are_reported_Offline_and_recovered()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        using var driver = new SunSpecInverter(InverterDriverTests.DriverOptions(host.Port));
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);

        host.SetFaults(PcsFaults.DropConnection);
        Wait.For(() => HealthOf(driver) == InverterHealth.Offline, Timeout, () => HealthOf(driver).ToString());
        Assert.True(driver.LinkCounters.ConnectFailures + driver.LinkCounters.Failures > 0);

        host.SetFaults(PcsFaults.None);
        Wait.For(() => driver.IsOperating && HealthOf(driver) == InverterHealth.Ok, Timeout, () => $"{HealthOf(driver)} {driver.LastError}");
    }

    [Fact]
    public void A_mute_device_times_out_and_goes_Offline()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        using var driver = new SunSpecInverter(InverterDriverTests.DriverOptions(host.Port));
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);
        host.SetFaults(PcsFaults.Mute);
        Wait.For(() => HealthOf(driver) == InverterHealth.Offline, Timeout, () => HealthOf(driver).ToString());
        Assert.True(driver.LinkCounters.Timeouts > 0);
    }

    [Fact]
    public void A_frozen_device_is_reported_Stale()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        SunSpecInverterOptions options = InverterDriverTests.DriverOptions(host.Port);
        options.StaleAfterMs = 1500; // the 802 battery heartbeat ticks once a second
        using var driver = new SunSpecInverter(options);
        Wait.For(() => driver.IsOperating && HealthOf(driver) == InverterHealth.Ok, Timeout, () => driver.LastError);
        host.SetFaults(PcsFaults.Freeze);
        Wait.For(() => HealthOf(driver) == InverterHealth.Stale, Timeout, () => HealthOf(driver).ToString());
    }

    [Fact]
    public void A_trip_is_reported_as_Fault_with_no_allowed_power()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        using var driver = new SunSpecInverter(InverterDriverTests.DriverOptions(host.Port));
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);
        host.SetFaults(PcsFaults.Trip);
        Wait.For(() => HealthOf(driver) == InverterHealth.Fault, Timeout, () => HealthOf(driver).ToString());
        Assert.True(driver.TryReadState(out InverterState s));
        Assert.False(s.IsUsable);
    }

    [Fact]
    public void Refused_writes_are_reported_as_Fault()
    {
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        using var driver = new SunSpecInverter(InverterDriverTests.DriverOptions(host.Port));
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);
        host.SetFaults(PcsFaults.RefuseWrites);
        Wait.For(() =>
        {
            driver.PostSetpoint(Random.Shared.Next(-1000, 1000), 0);
            return HealthOf(driver) == InverterHealth.Fault;
        }, Timeout, () => HealthOf(driver).ToString());
        Assert.Contains("refuses", driver.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_listening_is_Offline_without_a_state_ever_read()
    {
        int port = FreePort.Pick();
        using var driver = new SunSpecInverter(InverterDriverTests.DriverOptions(port));
        Wait.For(() => driver.LinkCounters.ConnectFailures >= 2, Timeout, () => "no connect attempts");
        Assert.False(driver.TryReadState(out InverterState s));
        Assert.Equal(InverterHealth.Offline, s.Health);
        Assert.False(driver.IsOperating);
    }
}
