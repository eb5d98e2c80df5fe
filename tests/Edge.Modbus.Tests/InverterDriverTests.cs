using System.Net;
using Edge.Core.Devices;
using Edge.Modbus.Client;
using Edge.Modbus.Inverter;
using Edge.Simulation.Inverter;

namespace Edge.Modbus.Tests;

/// <summary>The SunSpec driver against the simulated inverter over loopback Modbus TCP (real sockets, real time).</summary>
public sealed class InverterDriverTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    internal static SunSpecInverterOptions DriverOptions(int port, string id = "inv1") => new()
    {
        Id = id,
        Modbus = new ModbusClientOptions { Host = "127.0.0.1", Port = port, RequestTimeoutMs = 500, ReconnectInitialMs = 20, ReconnectMaxMs = 200 },
        RevertTimeoutS = 1,
        RampPctPerS = 1000,
        PollPeriodMs = 20,
        HeartbeatPeriodMs = 100,
        LeaseObserveMs = 600, // 6 heartbeats: robust on a loaded machine
        StaleAfterMs = 2000,
    };

    [Fact]
    public void Discovers_commands_and_the_simulated_power_follows_with_the_configured_lag()
    {
        var pcs = new SimulatedPcsOptions { RatedPowerW = 10_000, EnergyWh = 5_000, LatencyMs = 20, TimeConstantMs = 50, DefaultRampPctPerS = 1000 };
        using var host = new SimulatedInverterHost(pcs, IPAddress.Loopback, 0);
        using var driver = new SunSpecInverter(DriverOptions(host.Port));

        Wait.For(() => driver.IsOperating, Timeout, () => $"driver not operating: {driver.LastError}");
        Assert.Equal(704, driver.ControlModel);
        Assert.NotNull(driver.Map);
        Assert.Equal((ushort)40000, driver.Map!.BaseAddress);

        // The device's own safety net was programmed: ramp, revert after 1 s to the present power, setpoint enabled (bumpless at ~0 W).
        PcsSnapshot s = host.Simulator.Snapshot();
        Assert.Equal(1000, s.RampPctPerS);
        Assert.Equal(1, s.RevertTimeS);
        Assert.True(s.SetpointEnabled);
        Assert.Equal(0, s.SetpointW, 1);

        var sw = System.Diagnostics.Stopwatch.StartNew();
        driver.PostSetpoint(4000, 0);
        Wait.For(() => host.Simulator.Snapshot().SetpointW == 4000, Timeout, () => $"setpoint not written: {host.Simulator.Snapshot()}");
        // The lag is real: 63 % of the step cannot be reached before latency + τ (20 + 50 ms) of wall time.
        Wait.For(() => host.Simulator.Snapshot().PowerW >= 4000 * 0.63, Timeout, () => host.Simulator.Snapshot().ToString());
        Assert.True(sw.Elapsed.TotalMilliseconds >= 65, $"63 % after {sw.Elapsed.TotalMilliseconds:F1} ms: faster than the configured lag");
        // Latency 20 ms + τ 50 ms: about 63 % after ~70 ms, > 99 % after ~0.3 s; keep posting so the revert timer never fires.
        Wait.For(() =>
        {
            driver.PostSetpoint(4000, 0);
            return host.Simulator.Snapshot().PowerW > 3960;
        }, Timeout, () => $"power did not follow: {host.Simulator.Snapshot()}");
        Wait.For(() => driver.TryReadState(out InverterState st) && st.MeasuredPowerW > 3900 && st.Health == InverterHealth.Ok, Timeout,
            () => driver.TryReadState(out InverterState st) ? st.ToString() : "no state");

        Assert.True(driver.TryReadState(out InverterState state));
        Assert.Equal(50, state.SocPct, 0);
        Assert.Equal(5000, state.CapacityWh, 0);
        Assert.Equal(10_000, state.AllowedChargeW, 0);
        Assert.Equal(10_000, state.AllowedDischargeW, 0);
        Assert.Equal(4000, state.LastSetpointW, 0);

        // Charging is negative in Edge's convention and in 704's: the measured power goes negative.
        Wait.For(() =>
        {
            driver.PostSetpoint(-2500, 0);
            return driver.TryReadState(out InverterState st) && st.MeasuredPowerW < -2400;
        }, Timeout, () => $"charge not followed: {host.Simulator.Snapshot()}");
    }

    [Fact]
    public void When_writes_stop_the_device_reverts_to_the_tracked_setpoint_and_holds_and_tracking_stays_at_1_Hz()
    {
        // SunSpec WRmp does not ramp decreases: a revert to 0 W would be a step. The driver keeps WSetRvrt tracking the
        // setpoint (≤ 1 Hz), so a device nobody writes to any more holds. Before issue 11 it programmed WSetRvrt = 0.
        var pcs = new SimulatedPcsOptions { RatedPowerW = 10_000, LatencyMs = 0, TimeConstantMs = 10, DefaultRampPctPerS = 1000 };
        using var host = new SimulatedInverterHost(pcs, IPAddress.Loopback, 0);
        SunSpecInverterOptions options = DriverOptions(host.Port);
        using var driver = new SunSpecInverter(options);
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);

        // 3 s of a setpoint that changes every 10 ms: the reversion setpoint is written at most once a second.
        var posting = System.Diagnostics.Stopwatch.StartNew();
        while (posting.Elapsed < TimeSpan.FromSeconds(3))
        {
            driver.PostSetpoint(3000 + (posting.ElapsedMilliseconds % 100), 0);
            Thread.Sleep(10);
        }

        long revertWrites = driver.RevertSetpointWrites;
        Assert.InRange(revertWrites, 2, 4);
        Assert.True(driver.SetpointWrites > 50, $"setpoint writes {driver.SetpointWrites}");
        while (posting.Elapsed < TimeSpan.FromSeconds(4.8))
        {
            driver.PostSetpoint(3000, 0); // hold: the last tracked value settles at 3000 W
            Thread.Sleep(10);
        }

        // Edge stops writing (the driver is alive, heartbeating, but gets no setpoints): the device reverts by itself.
        int revertsBefore = host.Simulator.Snapshot().RevertCount;
        Wait.For(() => host.Simulator.Snapshot().RevertCount > revertsBefore, Timeout, () => "revert timer never fired");
        PcsSnapshot justAfter = host.Simulator.Snapshot();
        Assert.Equal(3000, justAfter.SetpointW, 0);
        Thread.Sleep(500);
        Assert.Equal(3000, host.Simulator.Snapshot().PowerW, 0); // holds, no step
    }
}
