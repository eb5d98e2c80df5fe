using Edge.Core.Control;
using Edge.Rig.Tests.Infrastructure;
using Edge.Runtime.Recording;
using Edge.Runtime.Timing;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 7, "E-stop through a simulated GPIO line → 0 W command within one period": the E-stop contact of the sim rig
/// (hardware/rigs/sim-8x-ina226.json: active-low, 5 ms debounce) opens while the battery works; the first period that
/// starts after the debounced edge commands 0 W — the one deliberate step — and the inverter-enable relay opens.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class EmergencyStopTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_estop_line_commands_zero_watts_within_one_period_and_opens_the_enable_relay()
    {
        using var state = new TempDir();
        using var run = InProcessDaemon.Start(state.Path);
        var rig = run.Daemon.Rig!;
        var pump = run.Daemon.Pump!;
        var estop = rig.Simulation!.Line("estop");
        var enable = rig.Devices.InverterEnable!;
        var enableLine = rig.Simulation.Line("inverter-enable");
        long debounceNs = estop.Settings.DebounceUs * 1000L;
        long periodNs = run.Daemon.Executive!.PeriodNs;
        Assert.Equal(5_000_000, debounceNs); // as the rig file says; the bound below depends on it

        Wait.Until(() => enable.Level && Math.Abs(pump.LastSetpointW) > 500, Timeout,
            "the enable relay closed and the battery working", () => run.Log.Text);
        Assert.True(enableLine.ElectricalHigh, "the relay's line is not driven although the output says closed");

        long pressNs = MonotonicClock.Instance.NowNs;
        estop.SetLogical(true, pressNs);
        Wait.Until(() => !enable.Level, Timeout, "the enable relay to open", () => run.Log.Text);

        // The command left Edge and reached the inverters (SunSpec writes by their workers): 0 W on both.
        Wait.Until(() => rig.SimulatedInverters.All(h => h.Simulator.Snapshot() is { SetpointW: 0 } or { SetpointEnabled: false }),
            TimeSpan.FromSeconds(5), "0 W at the simulated inverters",
            () => string.Join("; ", rig.SimulatedInverters.Select(h => h.Simulator.Snapshot().ToString())));
        run.Stop();

        FlightRecord[] records = pump.Recorder.Snapshot();
        int firstStop = Array.FindIndex(records, r => (r.Flags & ControlFlags.EmergencyStop) != 0);
        Assert.True(firstStop > 0, "no period saw the E-stop");
        FlightRecord before = records[firstStop - 1], seen = records[firstStop];
        long releasedNs = seen.TimestampNs - seen.LatenessNs;
        output.WriteLine(FormattableString.Invariant(
            $"pressed at 0; debounced edge at {debounceNs / 1e6} ms; first period with the E-stop released at {(releasedNs - pressNs) / 1e6:0.###} ms, woke at {(seen.TimestampNs - pressNs) / 1e6:0.###} ms; setpoint {before.BatterySetpointW:0.#} W → {seen.BatterySetpointW} W"));

        Assert.All(records.Where(r => r.TimestampNs < pressNs), r => Assert.Equal(ControlFlags.None, r.Flags & ControlFlags.EmergencyStop));
        Assert.True(releasedNs <= pressNs + debounceNs + periodNs,
            $"the first period that saw the E-stop started {(releasedNs - pressNs - debounceNs) / 1e6:0.###} ms after the debounced edge (period {periodNs / 1e6} ms)");
        Assert.True(Math.Abs(before.BatterySetpointW) > 100, $"the battery was idle when the E-stop opened ({before.BatterySetpointW} W): nothing proven");
        for (int i = firstStop; i < records.Length; i++)
        {
            Assert.True((records[i].Flags & ControlFlags.EmergencyStop) != 0, $"period {records[i].Sequence}: E-stop flag lost while pressed");
            Assert.Equal(0, records[i].BatterySetpointW);
            Assert.Equal(ControlMode.Fault, records[i].Mode);
        }

        Assert.False(enable.Level);
        Assert.False(enableLine.ElectricalHigh, "the inverter-enable line is still driven");
    }
}
