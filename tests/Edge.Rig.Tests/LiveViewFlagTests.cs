using Edge.Core.Control;
using Edge.Daemon;

namespace Edge.Rig.Tests;

/// <summary>Issue 13 item 8: the live view names the flags as the MQTT state message does (<c>flag_names</c>).</summary>
public sealed class LiveViewFlagTests
{
    [Fact]
    public void The_live_view_uses_the_mqtt_flag_names()
    {
        // The names of EdgeJson's flag_names, bit by bit (docs/DESIGN.md §7).
        string[] mqtt =
        [
            "ramp_limited_up", "ramp_limited_down", "at_grid_cap", "at_grid_floor", "saturated_charge", "saturated_discharge",
            "soc_low", "soc_high", "headroom_short", "trim_active", "grid_meter_stale", "load_degraded", "load_missing",
            "battery_unavailable", "emergency_stop", "limit_ramping",
            "plan_tracked",
        ];
        for (int bit = 0; bit < mqtt.Length; bit++)
        {
            Assert.Equal(mqtt[bit], LiveView.FlagNames((ControlFlags)(1u << bit)));
        }

        Assert.Equal("ramp_limited_down trim_active", LiveView.FlagNames(ControlFlags.RampLimitedDown | ControlFlags.TrimActive));
    }
}
