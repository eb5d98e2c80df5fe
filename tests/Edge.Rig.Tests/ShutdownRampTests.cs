using System.Globalization;
using Edge.Core.Control;
using Edge.Rig.Tests.Infrastructure;
using Edge.Runtime.Recording;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 7, "SIGTERM ramps to 0 within the limit (grid ramp never exceeded during shutdown)": the daemon is stopped
/// the way SIGTERM stops it while the battery carries a large share of a swinging load; the flight recorder (every
/// period's decision) must show the setpoint walking to exactly 0 W with no period moving it by more than
/// ramp × the period's length — so the battery's own contribution never pushes the grid faster than its ramp limit.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ShutdownRampTests(ITestOutputHelper output)
{
    private const double MinimumStartW = 500;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Stop_ramps_the_battery_setpoint_to_zero_within_the_ramp_limit(bool withBroker)
    {
        if (withBroker && !Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        using Mosquitto? broker = withBroker ? new Mosquitto() : null;
        using var state = new TempDir();
        string[] mqtt = broker is null
            ? []
            : ["Mqtt:Enabled=true", "Mqtt:Host=127.0.0.1", $"Mqtt:Port={broker.Port}", "Edge:Site=rig", "Edge:Node=ramp"];
        using var run = InProcessDaemon.Start(state.Path, mqtt);
        var pump = run.Daemon.Pump!;

        // Stop while the battery is clearly working (the swinging load makes that a matter of a second or two).
        Wait.Until(() => Math.Abs(pump.LastSetpointW) > MinimumStartW && pump.LastSetpointW is var w && double.IsFinite(w),
            TimeSpan.FromSeconds(30), $"a battery setpoint beyond ±{MinimumStartW} W", () => run.Log.Text);
        run.Stop();

        FlightRecord[] records = pump.Recorder.Snapshot();
        int first = Array.FindIndex(records, r => r.Mode == ControlMode.Standby);
        Assert.True(first > 0, "no period in standby: the stop did not switch the controller to its ramp-out");
        double startW = records[first - 1].BatterySetpointW;
        output.WriteLine(FormattableString.Invariant(
            $"{records.Length} periods recorded; stop began at setpoint {startW:0.#} W, ramp limit {InProcessDaemon.RampWPerS} W/s; mqtt {withBroker}"));
        Assert.True(Math.Abs(startW) >= MinimumStartW * 0.8, $"the battery was not working when the stop began ({startW:0.#} W)");

        double rampWPerS = InProcessDaemon.RampWPerS;
        int zeroAt = -1;
        for (int i = first; i < records.Length; i++)
        {
            FlightRecord previous = records[i - 1], r = records[i];
            Assert.True(r.Mode is ControlMode.Standby, $"period {r.Sequence}: mode {r.Mode} during the shutdown ramp");
            double dtS = (r.TimestampNs - previous.TimestampNs) * 1e-9;
            double stepW = Math.Abs(r.BatterySetpointW - previous.BatterySetpointW);
            Assert.True(stepW <= (rampWPerS * dtS) + 1e-6,
                string.Create(CultureInfo.InvariantCulture, $"period {r.Sequence}: setpoint moved {stepW:0.###} W in {dtS * 1e3:0.###} ms, more than {rampWPerS} W/s allows"));
            Assert.True(Math.Abs(r.BatterySetpointW) <= Math.Abs(previous.BatterySetpointW) && r.BatterySetpointW * startW >= 0,
                $"period {r.Sequence}: setpoint {r.BatterySetpointW} W after {previous.BatterySetpointW} W is not a walk towards 0 W");
            if (zeroAt < 0 && r.BatterySetpointW == 0)
            {
                zeroAt = i;
            }
        }

        Assert.True(zeroAt > 0, $"the setpoint never reached 0 W (last {records[^1].BatterySetpointW} W)");
        Assert.All(records[zeroAt..], r => Assert.Equal(0, r.BatterySetpointW));
        double rampS = (records[zeroAt].TimestampNs - records[first - 1].TimestampNs) * 1e-9;
        double shortestS = Math.Abs(startW) / rampWPerS;
        output.WriteLine(FormattableString.Invariant($"0 W after {rampS:0.###} s (the ramp limit allows {shortestS:0.###} s at the fastest); {records.Length - zeroAt} periods at 0 W before the loop stopped"));
        Assert.True(rampS >= shortestS - 0.05, "faster than the ramp limit allows");
        Assert.True(rampS <= (shortestS * 1.5) + 0.5, "the ramp-out used far less than the ramp limit allowed");

        Assert.Equal(0, run.Status.ExitCode);
        Assert.True(run.Log.Contains("battery setpoint at 0 W after"), run.Log.Text);
        Assert.False(run.Log.Contains("ramp-down not finished"), run.Log.Text);
    }
}
