using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Mqtt.Publishing;

namespace Edge.Mqtt.Tests.Publishing;

public class AlarmTrackerTests
{
    private static List<(string Id, string? Source, AlarmEventKind Kind)> Take(AlarmTracker t)
    {
        var list = new List<(string, string?, AlarmEventKind)>();
        while (t.TryTakeEvent(out AlarmEvent e))
        {
            list.Add((e.Alarm.Id, e.Alarm.Source, e.Kind));
        }

        return list;
    }

    [Fact]
    public void Raised_on_the_first_period_cleared_after_the_delay_without_chattering()
    {
        var t = new AlarmTracker([], [], clearDelayS: 1);
        long ns = 0;
        void Tick(ControlFlags f)
        {
            t.Observe(new CycleRecord { TimestampNs = ns, Flags = f }, 1000);
            ns += 10_000_000;
        }

        Tick(ControlFlags.None);
        Tick(ControlFlags.BatteryUnavailable);
        Assert.Equal([("battery_unavailable", null, AlarmEventKind.Raise)], Take(t));
        for (int i = 0; i < 50; i++)
        {
            Tick(i % 2 == 0 ? ControlFlags.None : ControlFlags.BatteryUnavailable); // flapping: stays raised
        }

        Assert.Empty(Take(t));
        for (int i = 0; i < 99; i++)
        {
            Tick(ControlFlags.None);
        }

        Assert.Empty(Take(t)); // 0.99 s absent
        Tick(ControlFlags.None);
        Tick(ControlFlags.None);
        Assert.Equal([("battery_unavailable", null, AlarmEventKind.Clear)], Take(t));
    }

    [Fact]
    public void Fault_mode_overruns_and_device_health_raise_alarms()
    {
        var t = new AlarmTracker(["rack1"], ["inv1"], clearDelayS: 0);
        t.Observe(new CycleRecord { TimestampNs = 0, Overruns = 5 }, 0);
        t.Observe(new CycleRecord { TimestampNs = 1, Overruns = 6, Mode = ControlMode.Fault }, 0);
        var snapshot = new RackSnapshot(1, 1);
        snapshot.Sensors[0] = new PowerReading(0, 1, 1, 1, 1, SensorHealth.Stale);
        snapshot.Inverters[0] = InverterState.Missing;
        t.ObserveDetail(snapshot, 2, 0);
        var events = Take(t);
        Assert.Contains(("fault_mode", null, AlarmEventKind.Raise), events);
        Assert.Contains(("loop_overrun", null, AlarmEventKind.Raise), events);
        Assert.Contains(("sensor_unhealthy", "rack1", AlarmEventKind.Raise), events);
        Assert.Contains(("inverter_unhealthy", "inv1", AlarmEventKind.Raise), events);
    }

    [Fact]
    public void Acknowledge_active_alarms_by_id_source_or_all()
    {
        var t = new AlarmTracker(["rack1", "rack2"], [], clearDelayS: 10);
        var snapshot = new RackSnapshot(2, 0);
        snapshot.Sensors[0] = new PowerReading(0, 1, 1, 1, 1, SensorHealth.BusError);
        snapshot.Sensors[1] = new PowerReading(0, 1, 1, 1, 1, SensorHealth.BusError);
        t.ObserveDetail(snapshot, 0, 0);
        Take(t);
        Assert.Contains("unknown alarm", t.TryAcknowledge("no_such_alarm", null, 0));
        Assert.Contains("not active", t.TryAcknowledge("load_missing", null, 0));
        Assert.Null(t.TryAcknowledge("sensor_unhealthy", "rack2", 0));
        Assert.Equal([("sensor_unhealthy", "rack2", AlarmEventKind.Ack)], Take(t));
        Assert.Contains("already acknowledged", t.TryAcknowledge("sensor_unhealthy", "rack2", 0));
        Assert.Null(t.TryAcknowledge("all", null, 0));
        Assert.Equal([("sensor_unhealthy", "rack1", AlarmEventKind.Ack)], Take(t));
    }
}
