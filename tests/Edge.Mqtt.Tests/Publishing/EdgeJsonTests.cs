using System.Text.Json;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Mqtt.Publishing;

namespace Edge.Mqtt.Tests.Publishing;

public class EdgeJsonTests
{
    [Fact]
    public void State_has_every_field_of_the_design_with_window_statistics()
    {
        var w = new StateWindow();
        double[] loads = [100, 300, 200];
        for (int i = 0; i < loads.Length; i++)
        {
            w.Add(new CycleRecord
            {
                Seq = 10 + i,
                TimestampNs = i * 1_000_000,
                LoadW = loads[i],
                GridW = loads[i] - 50,
                BatteryW = 50,
                GridTargetW = 150,
                BatterySetpointW = 55.55,
                SocPct = 61.234,
                Mode = ControlMode.Hold,
                Flags = i == 1 ? ControlFlags.RampLimitedUp : ControlFlags.AtGridCap,
                LatenessNs = (i + 1) * 10_000,
                ComputeNs = (i + 1) * 3_000,
                Overruns = 4,
                RingDrops = 2,
            });
        }

        using var json = new EdgeJson();
        using JsonDocument doc = JsonDocument.Parse(json.WriteState(w, 1_767_225_600_123, outboxDrops: 9).ToArray());
        JsonElement s = doc.RootElement;
        Assert.Equal("2026-01-01T00:00:00.123Z", s.GetProperty("ts").GetString());
        Assert.Equal(12, s.GetProperty("seq").GetInt64());
        Assert.Equal(200, s.GetProperty("load_w").GetProperty("mean").GetDouble());
        Assert.Equal(100, s.GetProperty("load_w").GetProperty("min").GetDouble());
        Assert.Equal(300, s.GetProperty("load_w").GetProperty("max").GetDouble());
        Assert.Equal(150, s.GetProperty("grid_w").GetProperty("mean").GetDouble());
        Assert.Equal(50, s.GetProperty("battery_w").GetProperty("max").GetDouble());
        Assert.Equal(150, s.GetProperty("grid_target_w").GetDouble());
        Assert.Equal(55.6, s.GetProperty("battery_setpoint_w").GetDouble());
        Assert.Equal(61.23, s.GetProperty("soc_pct").GetDouble());
        Assert.Equal("hold", s.GetProperty("mode").GetString());
        Assert.Equal((int)(ControlFlags.RampLimitedUp | ControlFlags.AtGridCap), s.GetProperty("flags").GetInt32());
        Assert.Equal(["ramp_limited_up", "at_grid_cap"], s.GetProperty("flag_names").EnumerateArray().Select(e => e.GetString()!).ToArray());
        JsonElement loop = s.GetProperty("loop");
        Assert.Equal(3, loop.GetProperty("cycles").GetInt32());
        Assert.Equal(20, loop.GetProperty("lateness_us").GetProperty("mean").GetDouble());
        Assert.Equal(30, loop.GetProperty("lateness_us").GetProperty("max").GetDouble());
        Assert.Equal(9, loop.GetProperty("compute_us").GetProperty("max").GetDouble());
        Assert.Equal(4, loop.GetProperty("overruns").GetInt64());
        Assert.Equal(2, s.GetProperty("dropped").GetProperty("handoff").GetInt64());
        Assert.Equal(9, s.GetProperty("dropped").GetProperty("outbox").GetInt64());
    }

    [Fact]
    public void Non_finite_numbers_become_null_and_ids_are_escaped()
    {
        var w = new StateWindow();
        w.Add(new CycleRecord { LoadW = double.NaN, GridW = double.PositiveInfinity, SocPct = double.NaN, GridTargetW = double.NegativeInfinity });
        using var json = new EdgeJson();
        using (JsonDocument doc = JsonDocument.Parse(json.WriteState(w, 0, 0).ToArray()))
        {
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("load_w").GetProperty("mean").ValueKind);
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("soc_pct").ValueKind);
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("grid_target_w").ValueKind);
        }

        var reading = new PowerReading(1, double.NaN, 400, double.NaN, 1, SensorHealth.StuckAt);
        using JsonDocument sensor = JsonDocument.Parse(json.WriteSensor(JsonEncodedText.Encode("rack\"1"), reading, 0, 2_000_001).ToArray());
        Assert.Equal("rack\"1", sensor.RootElement.GetProperty("id").GetString());
        Assert.Equal("stuck_at", sensor.RootElement.GetProperty("health").GetString());
        Assert.Equal(2.0, sensor.RootElement.GetProperty("age_ms").GetDouble());
        Assert.Equal(JsonValueKind.Null, sensor.RootElement.GetProperty("power_w").ValueKind);
    }

    [Fact]
    public void A_misconfigured_inverters_values_are_not_published_as_facts()
    {
        // The HIL rig (2026-12-04): 701 W read 20000 on a 2 kW inverter and was published as "power_w":20000, "health":"ok".
        // Now the health says misconfigured, and the values it made untrustworthy are null (as Sparkplug's metrics are).
        using var json = new EdgeJson();
        var bogus = new InverterState(1, 20_000, 60, 2000, 2000, 53, 0, InverterHealth.Misconfigured);
        using (JsonDocument doc = JsonDocument.Parse(json.WriteInverter(JsonEncodedText.Encode("pcs2"), bogus, 0, 1).ToArray()))
        {
            Assert.Equal("misconfigured", doc.RootElement.GetProperty("health").GetString());
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("power_w").ValueKind);
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("soc_pct").ValueKind);
            Assert.Equal(0, doc.RootElement.GetProperty("setpoint_w").GetDouble()); // what Edge commands is a fact
        }

        using (JsonDocument doc = JsonDocument.Parse(json.WriteInverter(JsonEncodedText.Encode("pcs2"), bogus with { MeasuredPowerW = 440, Health = InverterHealth.Ok }, 0, 1).ToArray()))
        {
            Assert.Equal("ok", doc.RootElement.GetProperty("health").GetString());
            Assert.Equal(440, doc.RootElement.GetProperty("power_w").GetDouble());
            Assert.Equal(60, doc.RootElement.GetProperty("soc_pct").GetDouble());
        }
    }

    [Fact]
    public void Reply_has_id_ok_error()
    {
        using var json = new EdgeJson();
        using JsonDocument ok = JsonDocument.Parse(json.WriteReply("a-1", true, null).ToArray());
        Assert.Equal("a-1", ok.RootElement.GetProperty("id").GetString());
        Assert.True(ok.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, ok.RootElement.GetProperty("error").ValueKind);
        using JsonDocument bad = JsonDocument.Parse(json.WriteReply(null, false, "why \"not\"").ToArray());
        Assert.Equal(JsonValueKind.Null, bad.RootElement.GetProperty("id").ValueKind);
        Assert.Equal("why \"not\"", bad.RootElement.GetProperty("error").GetString());
    }
}
