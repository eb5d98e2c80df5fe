using System.Globalization;
using System.Text.Json;
using Edge.Mqtt.Client;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Sparkplug;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Sparkplug;

/// <summary>
/// The Sparkplug B node on real mosquitto, decoded by an independent decoder: Debian's protoc generating Python from the
/// same sparkplug_b.proto, python3-protobuf, paho. Checks bdSeq/seq rules across a reconnect, a rebirth and a clean stop.
/// </summary>
public sealed class SparkplugTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-spb-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private sealed record Message(string Topic, int Qos, bool Retain, bool HasSeq, long? Seq, List<JsonElement> Metrics)
    {
        public string Kind => Topic.Split('/')[2];

        public JsonElement? Metric(string name) => Metrics.Cast<JsonElement?>().FirstOrDefault(m => m!.Value.GetProperty("name").ValueKind == JsonValueKind.String && m.Value.GetProperty("name").GetString() == name);

        public long BdSeq => Metric("bdSeq")!.Value.GetProperty("value").GetInt64();
    }

    private static List<Message> Decode(IReadOnlyList<string> lines)
    {
        var list = new List<Message>();
        foreach (string l in lines.Where(l => l.StartsWith('{')))
        {
            JsonElement e = JsonDocument.Parse(l).RootElement;
            Assert.False(e.TryGetProperty("error", out JsonElement err), "undecodable payload: " + err);
            list.Add(new Message(e.GetProperty("topic").GetString()!, e.GetProperty("qos").GetInt32(), e.GetProperty("retain").GetBoolean(), e.GetProperty("has_seq").GetBoolean(),
                e.GetProperty("seq").ValueKind == JsonValueKind.Null ? null : e.GetProperty("seq").GetInt64(), [.. e.GetProperty("metrics").EnumerateArray()]));
        }

        return list;
    }

    [Fact]
    public async Task Sparkplug_payloads_decode_independently_and_follow_the_bdseq_and_seq_rules()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.Protoc) || !Peers.PythonModules(output, "paho.mqtt.client", "google.protobuf"))
        {
            return;
        }

        Directory.CreateDirectory(_dir);
        string protoDir = Path.Combine(AppContext.BaseDirectory, "Scripts");
        ProcessRunner.Result protoc = ProcessRunner.Run(Peers.Protoc, [$"--proto_path={protoDir}", $"--python_out={_dir}", Path.Combine(protoDir, "sparkplug_b.proto")], Wait);
        Assert.True(protoc.ExitCode == 0, protoc.Stderr);

        using var broker = MosquittoBroker.Start();
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        string script = Path.Combine(protoDir, "sparkplug_peer.py");
        using var decoder = ProcessRunner.StartRaw(Peers.Python, [script, "subscribe", "--port", port, "--proto-dir", _dir, "--timeout", "60"]);
        var lines = new LineCollector(decoder);
        try
        {
            Assert.True(lines.WaitFor(l => l.Contains("#subscribed"), Wait));

            var store = new MemoryBdSeqStore();
            store.Save(254); // the next CONNECT uses 255, the one after wraps to 0
            var rig = new SimulatedRig(periodMs: 1);
            using var jsonClient = new MqttClient(new TestLogger(output));
            using var spbClient = new MqttClient(new TestLogger(output));
            using var node = new SparkplugNode(new SparkplugOptions { Enabled = true, GroupId = "plant", EdgeNodeId = "edge1", DataRateHz = 100 }, spbClient, store, new TestLogger(output));
            using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "s", Node = "edge1", StateRateHz = 100 }, jsonClient, rig.Ring, rig) { StateSink = node };
            MqttClientOptions Options(string id) => new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId(id)
                .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(50); r.MaxDelay = TimeSpan.FromMilliseconds(200); }).Build();
            node.Start(Options("edge1-spb"));
            publisher.Start(Options("edge1-json"));
            await node.CommandSubscription!.WaitAsync(Wait);
            var driver = new LoopDriver(rig);

            // 1. First birth and more than 256 NDATA (seq wraps 255 → 0).
            Assert.True(lines.WaitFor(l => Decode(l).Count(m => m.Kind == "NDATA") >= 300, TimeSpan.FromSeconds(30)), "not enough NDATA");

            // 2. The connection dies: the broker publishes the NDEATH Will; the node reconnects with the next bdSeq.
            spbClient.AbortConnection("test: cable pulled");
            Assert.True(lines.WaitFor(l => Decode(l).Count(m => m.Kind == "NBIRTH") >= 2 && Decode(l).Any(m => m.Kind == "NDEATH"), Wait), "no NDEATH/rebirth after the reconnect");
            Assert.True(lines.WaitFor(l => Decode(l).SkipWhile(m => m.Kind != "NDEATH").Count(m => m.Kind == "NDATA") >= 5, Wait));

            // 3. A host asks for a rebirth over NCMD.
            ProcessRunner.Result ncmd = ProcessRunner.Run(Peers.Python, [script, "rebirth", "--port", port, "--proto-dir", _dir, "--topic", node.CommandTopic], Wait);
            Assert.True(ncmd.ExitCode == 0, ncmd.Stderr);
            Assert.True(lines.WaitFor(l => Decode(l).Count(m => m.Kind == "NBIRTH") >= 3, Wait), "no NBIRTH after the rebirth request");
            Assert.True(lines.WaitFor(l => Decode(l).SkipWhile(m => m.Kind != "NBIRTH").Skip(1).SkipWhile(m => m.Kind != "NBIRTH").Skip(1).SkipWhile(m => m.Kind != "NBIRTH").Count(m => m.Kind == "NDATA") >= 3, Wait));

            // 4. Clean stop: the node publishes its own NDEATH before DISCONNECT.
            driver.Stop();
            await node.StopAsync(TimeSpan.FromSeconds(5));
            await publisher.StopAsync(TimeSpan.FromSeconds(2));
            Assert.True(lines.WaitFor(l => Decode(l).Count(m => m.Kind == "NDEATH") >= 2, Wait), "no NDEATH on clean stop");

            List<Message> all = Decode(lines.Snapshot()).Where(m => m.Kind != "NCMD").ToList(); // the decoder also sees the host's NCMD
            output.WriteLine($"{all.Count} Sparkplug messages: {string.Join(", ", all.GroupBy(m => m.Kind).Select(g => $"{g.Key} {g.Count()}"))}; counters {node.Counters}");
            Assert.All(all, m => Assert.StartsWith("spBv1.0/plant/", m.Topic));
            Assert.All(all, m => Assert.EndsWith("/edge1", m.Topic));
            Assert.All(all, m => Assert.False(m.Retain));

            var births = all.Where(m => m.Kind == "NBIRTH").ToList();
            var deaths = all.Where(m => m.Kind == "NDEATH").ToList();
            Assert.Equal(3, births.Count);
            Assert.Equal(2, deaths.Count);
            Assert.Equal([255L, 0L, 0L], births.Select(b => b.BdSeq).ToArray()); // bdSeq per CONNECT, wrapping 255 → 0; a rebirth keeps it
            Assert.Equal([255L, 0L], deaths.Select(d => d.BdSeq).ToArray()); // each NDEATH carries its NBIRTH's bdSeq
            Assert.All(deaths, d => Assert.False(d.HasSeq));
            Assert.All(deaths, d => Assert.Equal(1, d.Qos));
            Assert.Equal(0, store.Load());

            foreach (Message b in births)
            {
                Assert.Equal(0L, b.Seq);
                Assert.Equal(0, b.Qos);
                JsonElement bd = b.Metric("bdSeq")!.Value;
                Assert.Equal(4, bd.GetProperty("datatype").GetInt32()); // Int64
                JsonElement rebirth = b.Metric(SparkplugNode.RebirthMetric)!.Value;
                Assert.Equal(11, rebirth.GetProperty("datatype").GetInt32());
                Assert.False(rebirth.GetProperty("value").GetBoolean());
                JsonElement load = b.Metric("Load/Power W")!.Value;
                Assert.Equal(1, load.GetProperty("alias").GetInt32());
                Assert.Equal(10, load.GetProperty("datatype").GetInt32());
                Assert.Equal(7, b.Metric("Control/Mode")!.Value.GetProperty("alias").GetInt32());
                Assert.Equal(12, b.Metric("Control/Mode")!.Value.GetProperty("datatype").GetInt32());
            }

            // seq: every message after an NBIRTH is the previous + 1 (mod 256) until the next NBIRTH or NDEATH.
            long? expected = null;
            int wraps = 0;
            foreach (Message m in all)
            {
                switch (m.Kind)
                {
                    case "NBIRTH":
                        expected = 1;
                        break;
                    case "NDEATH":
                        expected = null;
                        break;
                    case "NDATA":
                        Assert.True(expected is not null, "NDATA outside a birth");
                        Assert.Equal(expected, m.Seq);
                        Assert.All(m.Metrics, x => Assert.Equal(JsonValueKind.Null, x.GetProperty("name").ValueKind)); // alias only
                        Assert.All(m.Metrics, x => Assert.Equal(JsonValueKind.Number, x.GetProperty("alias").ValueKind));
                        if (m.Seq == 255)
                        {
                            wraps++;
                        }

                        expected = (m.Seq + 1) % 256;
                        break;
                    default:
                        Assert.Fail("unexpected message kind " + m.Kind);
                        break;
                }
            }

            Assert.True(wraps >= 1, "seq never wrapped");
            Message data = all.First(m => m.Kind == "NDATA");
            double loadW = data.Metrics.Single(x => x.GetProperty("alias").GetInt32() == 1).GetProperty("value").GetDouble();
            Assert.InRange(loadW, 40_000, 50_000);
        }
        finally
        {
            decoder.Kill();
            decoder.WaitForExit();
        }
    }

    [Fact]
    public void Unset_group_and_node_are_the_daemons_site_and_node_and_a_node_refuses_to_start_without_them()
    {
        var unset = new SparkplugOptions { Enabled = true };
        Assert.Empty(unset.Validate());
        SparkplugOptions named = unset.Named("hall-b", "edge7");
        Assert.Equal(("hall-b", "edge7"), (named.GroupId, named.EdgeNodeId));
        Assert.Null(unset.GroupId); // a copy: the configured options keep saying "unset"
        SparkplugOptions given = new SparkplugOptions { Enabled = true, GroupId = "plant", EdgeNodeId = "n1" }.Named("hall-b", "edge7");
        Assert.Equal(("plant", "n1"), (given.GroupId, given.EdgeNodeId));

        using var client = new MqttClient(new TestLogger(output));
        var e = Assert.Throws<ArgumentException>(() => new SparkplugNode(unset, client, new MemoryBdSeqStore()));
        Assert.Contains("GroupId and EdgeNodeId must be set", e.Message, StringComparison.Ordinal);
        using var node = new SparkplugNode(named, client, new MemoryBdSeqStore());
        Assert.Equal("spBv1.0/hall-b/NBIRTH/edge7", node.BirthTopic);
    }

    [Fact]
    public void bdSeq_advances_for_every_connect_packet_and_persists_in_a_file()
    {
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, "bdseq");
        var store = new FileBdSeqStore(path);
        Assert.Equal(-1, store.Load());
        using var broker = new FakeBroker();
        using var client = new MqttClient(new TestLogger(output));
        using var node = new SparkplugNode(new SparkplugOptions { Enabled = true, GroupId = "g", EdgeNodeId = "n" }, client, store);
        node.Start(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("n-spb")
            .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(10); r.MaxDelay = TimeSpan.FromMilliseconds(20); }).Build());

        var willBdSeqs = new List<ulong>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            using FakeConnection c = broker.Accept(Wait);
            FakePacket connect = c.Read(Wait)!;
            Assert.Equal(0x0E, connect.Body[7] & 0x3E); // will flag 0x04, will QoS 1 (0x08), will retain 0, clean session 0x02
            Assert.Equal(0x02, connect.Body[7] & 0x02);
            int o = 10;
            o += 2 + ((connect.Body[o] << 8) | connect.Body[o + 1]); // client id
            int topicLength = (connect.Body[o] << 8) | connect.Body[o + 1];
            Assert.Equal("spBv1.0/g/NDEATH/n", System.Text.Encoding.UTF8.GetString(connect.Body, o + 2, topicLength));
            o += 2 + topicLength;
            int payloadLength = (connect.Body[o] << 8) | connect.Body[o + 1];
            var death = Edge.Mqtt.Sparkplug.Protobuf.Payload.Parser.ParseFrom(connect.Body, o + 2, payloadLength);
            Assert.False(death.HasSeq);
            willBdSeqs.Add(death.Metrics.Single(m => m.Name == "bdSeq").LongValue);
            c.Send(FakeBroker.ConnAck(code: 5)); // refused: the next attempt is a new CONNECT with the next bdSeq
        }

        Assert.Equal([0UL, 1UL, 2UL], willBdSeqs);
        Assert.True(new FileBdSeqStore(path).Load() >= 2);
    }

    [Fact]
    public void Ndata_reuses_its_payload_and_allocation_per_message_is_measured()
    {
        // Google.Protobuf keeps oneof values as object: a double value is boxed per message. Measured, bounded, reported.
        using var client = new MqttClient(new TestLogger());
        using var node = new SparkplugNode(new SparkplugOptions { Enabled = true, GroupId = "g", EdgeNodeId = "n", DataRateHz = 100 }, client);
        client.Start(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", MosquittoBroker.FreePort()).WithClientId("alloc-spb").WithOutboxCapacity(64, 0).Build());
        typeof(SparkplugNode).GetField("_born", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.SetValue(node, true);
        var window = new StateWindow();
        long ns = 0;
        void Tick()
        {
            window.Reset();
            window.Add(new CycleRecord { TimestampNs = ns, LoadW = 1000 + ns % 7, GridW = 900, BatteryW = 100, SocPct = 50 });
            node.OnState(window, 1_767_225_600_000 + (ns / 1_000_000)); // one NDATA per 10 ms of loop time
            ns += 10_000_000;
        }

        for (int i = 0; i < 2000; i++)
        {
            Tick();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Tick();
        }

        double perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;
        output.WriteLine($"Sparkplug NDATA: {perMessage:F0} bytes allocated per message (oneof boxing)");
        Assert.True(node.Counters.Data >= 3000);
        Assert.True(perMessage < 1024, $"{perMessage} bytes per NDATA");
    }

    [Fact]
    public void Ddata_reuses_its_payloads_and_allocation_per_device_message_is_measured()
    {
        // Publisher thread, report by exception: per detail snapshot a DDATA per device whose values changed.
        var rig = new SimulatedRig(periodMs: 1);
        using var client = new MqttClient(new TestLogger());
        using var node = new SparkplugNode(new SparkplugOptions { Enabled = true, GroupId = "g", EdgeNodeId = "n", DataRateHz = 100 }, client, devices: rig);
        client.Start(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", MosquittoBroker.FreePort()).WithClientId("alloc-spb-dev").WithOutboxCapacity(64, 0).Build());
        typeof(SparkplugNode).GetField("_born", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.SetValue(node, true);
        var snapshot = new Edge.Core.Devices.RackSnapshot(2, 1);
        long ns = 0;
        void Tick()
        {
            double w = 1000 + (ns / 10_000_000 % 50);
            snapshot.Sensors[0] = new Edge.Core.Devices.PowerReading(ns, w * 0.6, 400, 1, (uint)ns, Edge.Core.Devices.SensorHealth.Ok);
            snapshot.Sensors[1] = new Edge.Core.Devices.PowerReading(ns, w * 0.4, 400, 1, (uint)ns, Edge.Core.Devices.SensorHealth.Ok);
            snapshot.Inverters[0] = new Edge.Core.Devices.InverterState(ns, w / 10, 50 + (w / 1e4), 5000, 5000, 500, w / 10, Edge.Core.Devices.InverterHealth.Ok);
            node.OnDetail(snapshot, ns, 1_767_225_600_000 + (ns / 1_000_000)); // one detail per 10 ms of loop time
            ns += 10_000_000;
        }

        for (int i = 0; i < 2000; i++)
        {
            Tick();
        }

        long data = node.Counters.DeviceData;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Tick();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long messages = node.Counters.DeviceData - data;
        double perMessage = allocated / (double)messages;
        output.WriteLine($"Sparkplug DDATA: {messages} messages, {perMessage:F0} bytes allocated per message (oneof boxing of the changed doubles)");
        Assert.Equal(3, node.Counters.DeviceBirths); // each device born once, no death
        Assert.Equal(3000, messages); // every value changed every tick: three DDATA per detail snapshot
        Assert.True(perMessage < 256, $"{perMessage} bytes per DDATA");
    }

    [Theory]
    [InlineData("""{"online":true,"timestamp":1668114759262}""", true, 1668114759262L)]
    [InlineData("""{"timestamp":5,"online":false}""", false, 5L)]
    [InlineData("""{"online":true,"timestamp":0,"host":"ignition"}""", true, 0L)] // other keys are the host's business
    public void A_sparkplug_3_state_payload_is_read(string json, bool online, long timestamp)
    {
        Assert.True(SparkplugNode.TryParseHostState(System.Text.Encoding.UTF8.GetBytes(json), out bool o, out long t, out string? error), error);
        Assert.Equal(online, o);
        Assert.Equal(timestamp, t);
    }

    [Theory]
    [InlineData("ONLINE")] // Sparkplug 2.2's text form
    [InlineData("OFFLINE")]
    [InlineData("")]
    [InlineData("""{"online":"true","timestamp":1}""")]
    [InlineData("""{"online":1,"timestamp":1}""")]
    [InlineData("""{"online":true}""")]
    [InlineData("""{"timestamp":1}""")]
    [InlineData("""{"online":true,"timestamp":-1}""")]
    [InlineData("""{"online":true,"timestamp":1.5}""")]
    [InlineData("""{"online":true,"timestamp":"1"}""")]
    [InlineData("""{"online":true,"online":false,"timestamp":1}""")]
    [InlineData("""{"online":true,"timestamp":1} {}""")]
    [InlineData("""[{"online":true,"timestamp":1}]""")]
    [InlineData("""{"online":true,"timestamp":1""")]
    public void A_state_payload_that_is_not_sparkplug_3_is_refused(string json)
    {
        Assert.False(SparkplugNode.TryParseHostState(System.Text.Encoding.UTF8.GetBytes(json), out _, out _, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
