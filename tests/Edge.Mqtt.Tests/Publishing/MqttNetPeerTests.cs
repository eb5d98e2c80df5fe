using System.Text.Json;
using Edge.Core.Control;
using Edge.Mqtt.Client;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Sparkplug;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Publishing;

/// <summary>
/// Edge's MQTT output (state, alarms, status, Will, Sparkplug) on real mosquitto, read by MQTTnet 5.2's client — an
/// independent implementation, not Edge's own client.
/// </summary>
public class MqttNetPeerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static MqttClientOptions EdgeOptions(int port, string id) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port)
        .WithClientId(id)
        .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
        .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(50); r.MaxDelay = TimeSpan.FromMilliseconds(300); })
        .Build();

    [Fact]
    public async Task MqttNet_reads_state_retained_status_alarms_and_the_will_when_the_client_dies()
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        using var broker = MosquittoBroker.Start();
        var rig = new SimulatedRig(periodMs: 1);
        using var client = new MqttClient(new TestLogger(output));
        using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "lab", Node = "n1", AlarmClearDelayS = 0.2, AlarmStartupGraceS = 0, AlarmMinActiveS = 0 }, client, rig.Ring, rig);
        publisher.Start(EdgeOptions(broker.Port, "edge-mqttnet"));
        using var driver = new LoopDriver(rig);
        await using MqttNetSubscriber peer = await MqttNetSubscriber.StartAsync(broker.Port, "edge/lab/n1/#");

        // Online status. The peer may have subscribed before or after Edge published it (live delivery carries no retain
        // flag), so the retained copy is checked by a second subscriber that arrives once the broker is known to hold it.
        Assert.True(peer.WaitFor(m => m.Any(x => x.Topic == "edge/lab/n1/status" && x.Text.Contains("\"online\"", StringComparison.Ordinal)), Wait),
            "no online status");
        await using (MqttNetSubscriber late = await MqttNetSubscriber.StartAsync(broker.Port, "edge/lab/n1/status", "mqttnet-late"))
        {
            Assert.True(late.WaitFor(m => m.Count > 0, Wait), "no retained status for a later subscriber");
            ReceivedMessage status = late.Snapshot()[0];
            Assert.True(status.Retain);
            Assert.Contains("\"online\"", status.Text, StringComparison.Ordinal);
        }

        // State at 10 Hz with increasing seq and grid = load − battery.
        Assert.True(peer.WaitFor(m => m.Count(x => x.Topic == "edge/lab/n1/state") >= 5, Wait), "no state");
        long previous = -1;
        foreach (ReceivedMessage s in peer.Snapshot().Where(x => x.Topic == "edge/lab/n1/state"))
        {
            using JsonDocument doc = JsonDocument.Parse(s.Payload);
            long seq = doc.RootElement.GetProperty("seq").GetInt64();
            Assert.True(seq > previous);
            previous = seq;
            double load = doc.RootElement.GetProperty("load_w").GetProperty("mean").GetDouble();
            double grid = doc.RootElement.GetProperty("grid_w").GetProperty("mean").GetDouble();
            double battery = doc.RootElement.GetProperty("battery_w").GetProperty("mean").GetDouble();
            Assert.Equal(load, grid + battery, 0.5);
        }

        // An alarm raised and cleared by the loop, at QoS 1 (one that clears by itself: the E-stop's latches until acked).
        lock (rig)
        {
            rig.ExtraFlags = ControlFlags.BatteryUnavailable;
        }

        Assert.True(peer.WaitFor(m => m.Any(x => x.Topic == "edge/lab/n1/alarm"), Wait), "no alarm");
        lock (rig)
        {
            rig.ExtraFlags = ControlFlags.None;
        }

        Assert.True(peer.WaitFor(m => m.Count(x => x.Topic == "edge/lab/n1/alarm") >= 2, Wait), "no alarm clear");
        var alarms = peer.Snapshot().Where(x => x.Topic == "edge/lab/n1/alarm").ToList();
        Assert.All(alarms, a => Assert.Equal(1, a.Qos));
        using (JsonDocument raise = JsonDocument.Parse(alarms[0].Payload))
        {
            Assert.Equal("battery_unavailable", raise.RootElement.GetProperty("id").GetString());
            Assert.Equal("raise", raise.RootElement.GetProperty("event").GetString());
        }

        using (JsonDocument clear = JsonDocument.Parse(alarms[1].Payload))
        {
            Assert.Equal("clear", clear.RootElement.GetProperty("event").GetString());
        }

        // The process "dies": socket closed without DISCONNECT, the broker publishes the Will.
        driver.Stop();
        client.AbortConnection("simulated crash");
        publisher.Dispose();
        client.Dispose();
        Assert.True(peer.WaitFor(m => m.Any(x => x.Topic == "edge/lab/n1/status" && x.Text.StartsWith("""{"state":"offline",""", StringComparison.Ordinal)), Wait),
            "the Will did not arrive");
        using JsonDocument will = JsonDocument.Parse(peer.Snapshot().Last(x => x.Topic == "edge/lab/n1/status").Payload);
        Assert.Equal("lab", will.RootElement.GetProperty("site").GetString());
        Assert.Equal("n1", will.RootElement.GetProperty("node").GetString());
        Assert.True(will.RootElement.TryGetProperty("started", out _), "the Will has no started");
    }

    /// <summary>A thermometer whose reading a test sets from its thread while the publisher reads it from another.</summary>
    private sealed class Thermometer(string id) : Edge.Core.Devices.ITemperatureSensor
    {
        private readonly object _gate = new();
        private Edge.Core.Devices.TemperatureReading _reading = new(1, 25, Edge.Core.Devices.SensorHealth.Ok, false, false, 1);

        public string Id => id;

        public void Set(double celsius, bool high)
        {
            lock (_gate)
            {
                _reading = _reading with { TemperatureC = celsius, High = high, Sequence = _reading.Sequence + 1 };
            }
        }

        public bool TryRead(out Edge.Core.Devices.TemperatureReading reading)
        {
            lock (_gate)
            {
                reading = _reading;
            }

            return true;
        }
    }

    [Fact]
    public async Task MqttNet_reads_the_cabinet_temperature_alarm_raised_and_cleared()
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        using var broker = MosquittoBroker.Start();
        var cabinet = new Thermometer("cabinet");
        var rig = new SimulatedRig(periodMs: 1) { TemperatureSensors = [cabinet] };
        using var client = new MqttClient(new TestLogger(output));
        using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "lab", Node = "n1", AlarmClearDelayS = 0.2, AlarmStartupGraceS = 0, AlarmMinActiveS = 0 }, client, rig.Ring, rig);
        publisher.Start(EdgeOptions(broker.Port, "edge-mqttnet-cabinet"));
        using var driver = new LoopDriver(rig);
        await using MqttNetSubscriber peer = await MqttNetSubscriber.StartAsync(broker.Port, "edge/lab/n1/alarm");

        static bool Is(ReceivedMessage m, string evt) =>
            m.Text.Contains("\"id\":\"cabinet_temperature_high\"", StringComparison.Ordinal) && m.Text.Contains($"\"event\":\"{evt}\"", StringComparison.Ordinal);

        cabinet.Set(46, high: true);
        Assert.True(peer.WaitFor(m => m.Any(x => Is(x, "raise")), Wait), "no cabinet_temperature_high raise");
        cabinet.Set(41, high: false);
        Assert.True(peer.WaitFor(m => m.Any(x => Is(x, "clear")), Wait), "no cabinet_temperature_high clear");
        ReceivedMessage raise = peer.Snapshot().First(x => Is(x, "raise"));
        Assert.Equal(1, raise.Qos);
        using JsonDocument doc = JsonDocument.Parse(raise.Payload);
        Assert.Equal("cabinet", doc.RootElement.GetProperty("source").GetString());
        Assert.Equal("critical", doc.RootElement.GetProperty("severity").GetString());
        Assert.DoesNotContain(peer.Snapshot(), x => x.Text.Contains("\"source\":\"cabinet\"", StringComparison.Ordinal) && x.Text.Contains("sensor_unhealthy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MqttNet_sees_sparkplug_births_data_and_the_death_will_with_the_specified_qos_and_retain()
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        using var broker = MosquittoBroker.Start();
        await using MqttNetSubscriber peer = await MqttNetSubscriber.StartAsync(broker.Port, "spBv1.0/#");
        var rig = new SimulatedRig(periodMs: 1);
        using var jsonClient = new MqttClient(new TestLogger(output));
        using var spbClient = new MqttClient(new TestLogger(output));
        using var node = new SparkplugNode(new SparkplugOptions { Enabled = true, GroupId = "plant", EdgeNodeId = "edge1", DataRateHz = 50 },
            spbClient, new MemoryBdSeqStore(), new TestLogger(output));
        using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "s", Node = "edge1", StateRateHz = 50 }, jsonClient, rig.Ring, rig) { StateSink = node };
        node.Start(EdgeOptions(broker.Port, "edge1-spb"));
        publisher.Start(EdgeOptions(broker.Port, "edge1-json"));
        using var driver = new LoopDriver(rig);

        Assert.True(peer.WaitFor(m => m.Count(x => x.Topic == "spBv1.0/plant/NDATA/edge1") >= 10, Wait), "no NDATA");
        spbClient.AbortConnection("test: cable pulled");
        Assert.True(peer.WaitFor(m => m.Any(x => x.Topic == "spBv1.0/plant/NDEATH/edge1"), Wait), "no NDEATH Will");
        Assert.True(peer.WaitFor(m => m.Count(x => x.Topic == "spBv1.0/plant/NBIRTH/edge1") >= 2, Wait), "no rebirth");

        List<ReceivedMessage> all = peer.Snapshot();
        output.WriteLine(string.Join(", ", all.GroupBy(x => x.Topic).Select(g => $"{g.Key} ×{g.Count()}")));
        Assert.All(all, m => Assert.False(m.Retain)); // Sparkplug 3.0: NBIRTH/NDATA/NDEATH are never retained
        Assert.All(all.Where(m => m.Topic.Contains("/NBIRTH/", StringComparison.Ordinal) || m.Topic.Contains("/NDATA/", StringComparison.Ordinal)),
            m => Assert.Equal(0, m.Qos));
        Assert.All(all.Where(m => m.Topic.Contains("/NDEATH/", StringComparison.Ordinal)), m => Assert.Equal(1, m.Qos));
        Assert.Equal("spBv1.0/plant/NBIRTH/edge1", all.First().Topic); // a birth before any data
        Assert.All(all, m => Assert.NotEmpty(m.Payload));
        driver.Stop();
    }
}
