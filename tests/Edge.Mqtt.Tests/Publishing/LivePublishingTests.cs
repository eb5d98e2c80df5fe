using System.Text.Json;
using Edge.Core.Control;
using Edge.Mqtt.Client;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Publishing;

/// <summary>
/// The publisher driven by a simulated loop (SmoothingController + BatteryModel + square-wave load) on real mosquitto,
/// read by independent subscribers: mosquitto_sub (the "done when" check) and paho-mqtt.
/// </summary>
public class LivePublishingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static MqttClientOptions ClientOptions(int port, string id, bool clean = true) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port)
        .WithClientId(id)
        .WithCleanSession(clean)
        .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
        .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(50); r.MaxDelay = TimeSpan.FromMilliseconds(300); })
        .Build();

    [Fact]
    public async Task Mosquitto_sub_sees_live_json_state_from_a_simulated_loop()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        using var broker = MosquittoBroker.Start();
        using var sub = ProcessRunner.StartRaw(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "edge/#", "-v", "-q", "1"]);
        var lines = new LineCollector(sub);
        try
        {
            var rig = new SimulatedRig(periodMs: 1);
            using var client = new MqttClient(new TestLogger(output));
            using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "lab", Node = "rack-a" }, client, rig.Ring, rig);
            publisher.Start(ClientOptions(broker.Port, "edge-live"));
            using (new LoopDriver(rig))
            {
                Assert.True(lines.WaitFor(l => l.Count(x => x.StartsWith("edge/lab/rack-a/state ", StringComparison.Ordinal)) >= 15
                                               && l.Any(x => x.StartsWith("edge/lab/rack-a/inverters/inv1 ", StringComparison.Ordinal)), Wait),
                    "mosquitto_sub did not see live state: " + string.Join("\n", lines.Snapshot().Take(5)));
            }

            await publisher.StopAsync(TimeSpan.FromSeconds(5));
            Assert.True(lines.WaitFor(l => l.Any(x => x.StartsWith("edge/lab/rack-a/status ", StringComparison.Ordinal) && x.Contains("\"offline\"", StringComparison.Ordinal)), Wait));

            List<string> all = lines.Snapshot();
            output.WriteLine(string.Join("\n", all.Take(4)));
            string online = all.First(x => x.StartsWith("edge/lab/rack-a/status ", StringComparison.Ordinal));
            Assert.Contains("\"state\":\"online\"", online);

            var states = all.Where(x => x.StartsWith("edge/lab/rack-a/state ", StringComparison.Ordinal))
                .Select(x => JsonDocument.Parse(x["edge/lab/rack-a/state ".Length..]).RootElement).ToList();
            long previousSeq = -1;
            foreach (JsonElement s in states)
            {
                long seq = s.GetProperty("seq").GetInt64();
                Assert.True(seq > previousSeq);
                previousSeq = seq;
                Assert.Equal(99, seq % 100); // 10 Hz windows of 1 ms periods, aligned on loop time
                Assert.Equal(100, s.GetProperty("loop").GetProperty("cycles").GetInt32());
                JsonElement load = s.GetProperty("load_w");
                Assert.InRange(load.GetProperty("min").GetDouble(), 40_000, 50_000);
                Assert.True(load.GetProperty("min").GetDouble() <= load.GetProperty("mean").GetDouble());
                Assert.True(load.GetProperty("mean").GetDouble() <= load.GetProperty("max").GetDouble());
                Assert.Equal("auto", s.GetProperty("mode").GetString());
                Assert.InRange(s.GetProperty("soc_pct").GetDouble(), 0, 100);
                double grid = s.GetProperty("grid_w").GetProperty("mean").GetDouble();
                double battery = s.GetProperty("battery_w").GetProperty("mean").GetDouble();
                Assert.Equal(load.GetProperty("mean").GetDouble(), grid + battery, 0.5); // grid = load − battery
            }

            string sensor = all.First(x => x.StartsWith("edge/lab/rack-a/sensors/rack1 ", StringComparison.Ordinal));
            using JsonDocument sensorDoc = JsonDocument.Parse(sensor["edge/lab/rack-a/sensors/rack1 ".Length..]);
            Assert.Equal("ok", sensorDoc.RootElement.GetProperty("health").GetString());
            Assert.Equal(400, sensorDoc.RootElement.GetProperty("voltage_v").GetDouble());
        }
        finally
        {
            sub.Kill();
            sub.WaitForExit();
        }
    }

    [Fact]
    public async Task Paho_reads_retained_status_state_alarms_and_the_will_when_the_client_dies()
    {
        if (!Peers.Available(output, Peers.Mosquitto) || !Peers.PythonModules(output, "paho.mqtt.client"))
        {
            return;
        }

        using var broker = MosquittoBroker.Start();
        var rig = new SimulatedRig(periodMs: 1);
        using var client = new MqttClient(new TestLogger(output));
        using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "lab", Node = "n1", AlarmClearDelayS = 0.2, AlarmStartupGraceS = 0, AlarmMinActiveS = 0 }, client, rig.Ring, rig);
        publisher.Start(ClientOptions(broker.Port, "edge-paho"));
        var driver = new LoopDriver(rig);

        string script = Path.Combine(AppContext.BaseDirectory, "Scripts", "paho_subscribe.py");
        using var paho = ProcessRunner.StartRaw(Peers.Python, [script, "--port", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--topic", "edge/lab/n1/#", "--timeout", "60"]);
        var lines = new LineCollector(paho);
        try
        {
            Assert.True(lines.WaitFor(l => l.Any(x => x.StartsWith("#subscribed", StringComparison.Ordinal)), Wait));
            List<JsonElement> Messages(IReadOnlyList<string> l) => l.Where(x => x.StartsWith('{')).Select(x => JsonDocument.Parse(x).RootElement).ToList();

            // Retained online status arrives first on subscription.
            Assert.True(lines.WaitFor(l => Messages(l).Any(m => m.GetProperty("topic").GetString() == "edge/lab/n1/status"), Wait));
            JsonElement status = Messages(lines.Snapshot()).First(m => m.GetProperty("topic").GetString() == "edge/lab/n1/status");
            Assert.True(status.GetProperty("retain").GetBoolean());
            Assert.Contains("\"online\"", status.GetProperty("payload").GetString());

            // An alarm raised by the loop arrives at QoS 1; and its clear when the condition goes away.
            lock (rig)
            {
                rig.ExtraFlags = ControlFlags.BatteryUnavailable;
            }

            Assert.True(lines.WaitFor(l => Messages(l).Any(m => m.GetProperty("topic").GetString() == "edge/lab/n1/alarm"), Wait));
            lock (rig)
            {
                rig.ExtraFlags = ControlFlags.None;
            }

            Assert.True(lines.WaitFor(l => Messages(l).Count(m => m.GetProperty("topic").GetString() == "edge/lab/n1/alarm") >= 2, Wait));
            var alarms = Messages(lines.Snapshot()).Where(m => m.GetProperty("topic").GetString() == "edge/lab/n1/alarm").ToList();
            Assert.All(alarms, a => Assert.Equal(1, a.GetProperty("qos").GetInt32()));
            using JsonDocument raise = JsonDocument.Parse(alarms[0].GetProperty("payload").GetString()!);
            Assert.Equal("battery_unavailable", raise.RootElement.GetProperty("id").GetString());
            Assert.Equal("raise", raise.RootElement.GetProperty("event").GetString());
            Assert.Equal("critical", raise.RootElement.GetProperty("severity").GetString());
            using JsonDocument clear = JsonDocument.Parse(alarms[1].GetProperty("payload").GetString()!);
            Assert.Equal("clear", clear.RootElement.GetProperty("event").GetString());

            Assert.True(lines.WaitFor(l => Messages(l).Count(m => m.GetProperty("topic").GetString() == "edge/lab/n1/state") > 3, Wait));

            // The Edge process "dies": the socket closes without DISCONNECT, the broker publishes the Will.
            driver.Stop();
            client.AbortConnection("simulated crash");
            publisher.Dispose();
            client.Dispose();
            Assert.True(lines.WaitFor(l => Messages(l).Any(m => m.GetProperty("topic").GetString() == "edge/lab/n1/status" && m.GetProperty("payload").GetString()!.StartsWith("""{"state":"offline",""", StringComparison.Ordinal)), Wait),
                "the Will did not arrive");
            JsonElement will = Messages(lines.Snapshot()).Last(m => m.GetProperty("topic").GetString() == "edge/lab/n1/status");
            using JsonDocument willStatus = JsonDocument.Parse(will.GetProperty("payload").GetString()!);
            Assert.Equal(["state", "ts", "site", "node", "version", "started"], willStatus.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        }
        finally
        {
            driver.Dispose();
            paho.Kill();
            paho.WaitForExit();
        }

        await Task.CompletedTask;
    }
}
