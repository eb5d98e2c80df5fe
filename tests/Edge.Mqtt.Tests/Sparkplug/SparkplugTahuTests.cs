using System.Globalization;
using System.Text.Json;
using Edge.Core.Devices;
using Edge.Mqtt.Client;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Sparkplug;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Sparkplug;

/// <summary>
/// Sparkplug B as a SCADA host sees it, decoded by Eclipse Tahu's own payload codec (npm <c>sparkplug-payload</c>, pinned
/// in Scripts/tahu/package-lock.json) on real mosquitto: the primary host's STATE gates every birth, devices (two rack
/// sensors, one inverter) are born, report by exception, die when the inverter stops answering and are born again,
/// one seq runs across N* and D* messages, and every NDEATH carries its NBIRTH's bdSeq.
/// </summary>
public sealed class SparkplugTahuTests(ITestOutputHelper output) : IDisposable
{
    private const string Node = "/usr/bin/node";
    private const string Npm = "/usr/bin/npm";
    private const string Host = "scada";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly object InstallGate = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-tahu-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<Message> _decoded = [];
    private int _decodedLines;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private sealed record Message(string Topic, string Kind, string? Device, int Qos, bool Retain, bool HasSeq, long? Seq, List<JsonElement> Metrics, JsonElement? State)
    {
        public JsonElement Metric(string name) => Metrics.Single(m => m.GetProperty("name").ValueKind == JsonValueKind.String && m.GetProperty("name").GetString() == name);

        public long BdSeq => Metric("bdSeq").GetProperty("value").GetInt64();

        public bool? Online => State is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty("online", out JsonElement o) && o.ValueKind is JsonValueKind.True or JsonValueKind.False ? o.GetBoolean() : null;

        public override string ToString() => $"{Kind}{(Device is null ? "" : "/" + Device)} seq={Seq?.ToString(CultureInfo.InvariantCulture) ?? "-"}{(State is { } s ? " " + s.GetRawText() : "")}";
    }

    /// <summary>The messages decoded so far (incremental: the collector's lines only grow, and are parsed once).</summary>
    private List<Message> Decode(IReadOnlyList<string> lines)
    {
        lock (_decoded)
        {
            for (; _decodedLines < lines.Count; _decodedLines++)
            {
                if (lines[_decodedLines].StartsWith('{'))
                {
                    _decoded.Add(Parse(lines[_decodedLines]));
                }
            }

            return _decoded;
        }
    }

    private static Message Parse(string l)
    {
        JsonElement e = JsonDocument.Parse(l).RootElement;
        Assert.False(e.TryGetProperty("error", out JsonElement err), "Tahu cannot decode a payload: " + err);
        bool isState = e.GetProperty("kind").GetString() == "STATE";
        return new Message(
            e.GetProperty("topic").GetString()!,
            e.GetProperty("kind").GetString()!,
            e.GetProperty("device").ValueKind == JsonValueKind.String ? e.GetProperty("device").GetString() : null,
            e.GetProperty("qos").GetInt32(),
            e.GetProperty("retain").GetBoolean(),
            !isState && e.GetProperty("has_seq").GetBoolean(),
            isState || e.GetProperty("seq").ValueKind == JsonValueKind.Null ? null : e.GetProperty("seq").GetInt64(),
            isState ? [] : [.. e.GetProperty("metrics").EnumerateArray()],
            isState ? e.GetProperty("state").Clone() : null);
    }

    /// <summary>The Tahu codec's folder (in the source tree), its node_modules installed from the lock file when missing.</summary>
    private bool TahuReady(out string folder)
    {
        folder = "";
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub, Peers.MosquittoPub, Node, Npm))
        {
            return false;
        }

        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Edge.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        Assert.NotNull(dir);
        folder = Path.Combine(dir, "tests", "Edge.Mqtt.Tests", "Scripts", "tahu");
        lock (InstallGate)
        {
            if (File.Exists(Path.Combine(folder, "node_modules", "sparkplug-payload", "package.json")))
            {
                return true;
            }

            output.WriteLine("installing Eclipse Tahu's sparkplug-payload (npm ci, from package-lock.json)");
            ProcessRunner.Result npm = ProcessRunner.Run(Npm, ["ci", "--prefix", folder, "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(4));
            if (npm.ExitCode == 0)
            {
                return true;
            }

            string message = $"npm ci in {folder} failed ({npm.ExitCode}): {npm.Stderr.Trim()}";
            if (Peers.IsCi)
            {
                throw new InvalidOperationException(message + " CI=true: a missing peer fails the run.");
            }

            output.WriteLine("SKIPPED: " + message);
            return false;
        }
    }

    private static void PublishState(int port, bool online, long timestamp) => MosquittoPub(port, "-t", "spBv1.0/STATE/" + Host, "-r", "-q", "1", "-m", $"{{\"online\":{(online ? "true" : "false")},\"timestamp\":{timestamp}}}");

    private static void MosquittoPub(int port, params string[] args)
    {
        ProcessRunner.Result r = ProcessRunner.Run(Peers.MosquittoPub, ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. args], Wait);
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    [Fact]
    public async Task Devices_and_the_primary_host_state_as_a_Tahu_host_decodes_them()
    {
        if (!TahuReady(out string tahu))
        {
            return;
        }

        Directory.CreateDirectory(_dir);
        using var broker = MosquittoBroker.Start();
        int port = broker.Port;
        using var decoder = ProcessRunner.StartRaw(Node, [Path.Combine(tahu, "tahu_peer.js"), "subscribe", "--port", port.ToString(CultureInfo.InvariantCulture), "--timeout", "120"]);
        var lines = new LineCollector(decoder);
        try
        {
            Assert.True(lines.WaitFor(l => l.Contains("#subscribed"), Wait), "the Tahu decoder did not subscribe");
            long t0 = 1_767_225_600_000;

            // 1. The primary host is offline (retained) before Edge connects: no birth on that connection.
            PublishState(port, online: false, t0);
            var store = new MemoryBdSeqStore();
            var rig = new SimulatedRig(periodMs: 1);
            var spbLog = new TestLogger(output);
            using var jsonClient = new MqttClient(new TestLogger());
            using var spbClient = new MqttClient(spbLog);
            using var node = new SparkplugNode(new SparkplugOptions { Enabled = true, GroupId = "plant", EdgeNodeId = "edge1", DataRateHz = 10, PrimaryHostId = Host },
                spbClient, store, spbLog, devices: rig);
            using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "s", Node = "edge1", StateRateHz = 10, DetailRateHz = 10 }, jsonClient, rig.Ring, rig) { StateSink = node };
            MqttClientOptions Options(string id) => new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id)
                .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(50); r.MaxDelay = TimeSpan.FromMilliseconds(200); }).Build();
            node.Start(Options("edge1-spb"));
            publisher.Start(Options("edge1-json"));
            await node.StateSubscription!.WaitAsync(Wait);
            using var driver = new LoopDriver(rig);

            // An online STATE older than the offline one, then a Sparkplug 2.2-style text STATE: both ignored. The node
            // handles its messages in order, so once the second is logged, the retained offline STATE was taken too.
            PublishState(port, online: true, t0 - 1000);
            MosquittoPub(port, "-t", "spBv1.0/STATE/" + Host, "-q", "1", "-m", "ONLINE");
            Assert.True(WaitForLog(spbLog, "ignored: not JSON"), "the text STATE was not refused");
            Assert.Contains(spbLog.Lines, l => l.Contains("older than the last", StringComparison.Ordinal));
            Assert.Equal(0, node.Counters.Births);
            Assert.False(node.IsBorn);

            // 2. The host comes online: NBIRTH, then a DBIRTH per device, then data.
            PublishState(port, online: true, t0 + 1000);
            Assert.True(lines.WaitFor(l => Decode(l).Count(m => m.Kind == "DBIRTH") >= 3, Wait), "no NBIRTH/DBIRTHs after the host came online");
            Assert.True(lines.WaitFor(l => Decode(l).Count(m => m.Kind == "DDATA" && m.Device == "inv1") >= 5 && Decode(l).Any(m => m.Kind == "DDATA" && m.Device == "rack1"), Wait), "no DDATA");

            // 3. The inverter stops answering: DDEATH; it answers again: DBIRTH, then DDATA.
            rig.Inverter1Health = InverterHealth.Offline;
            Assert.True(lines.WaitFor(l => Decode(l).Any(m => m.Kind == "DDEATH" && m.Device == "inv1"), Wait), "no DDEATH for the failed inverter");
            rig.Inverter1Health = InverterHealth.Ok;
            Assert.True(lines.WaitFor(l => Decode(l).SkipWhile(m => m.Kind != "DDEATH").Any(m => m.Kind == "DDATA" && m.Device == "inv1"), Wait), "the inverter was not born again");

            // 4. A rebirth request encoded by Tahu: NBIRTH (seq 0, same bdSeq) and every DBIRTH again.
            string ncmd = Path.Combine(_dir, "rebirth.bin");
            ProcessRunner.Result enc = ProcessRunner.Run(Node, [Path.Combine(tahu, "tahu_peer.js"), "rebirth", "--out", ncmd], Wait);
            Assert.True(enc.ExitCode == 0, enc.Stderr);
            MosquittoPub(port, "-t", node.CommandTopic, "-q", "1", "-f", ncmd);
            Assert.True(lines.WaitFor(l => Decode(l).Count(m => m.Kind == "NBIRTH") >= 2 && Decode(l).Count(m => m.Kind == "DBIRTH") >= 7, Wait), "no rebirth");

            // 5. The host goes offline: NDEATH, the connection is dropped and a new one waits (the STATE is retained).
            PublishState(port, online: false, t0 + 2000);
            Assert.True(lines.WaitFor(l => Decode(l).Any(m => m.Kind == "NDEATH"), Wait), "no NDEATH when the host went offline");
            Assert.True(WaitFor(() => spbClient.Statistics.Connects >= 2, Wait), "the node did not reconnect");
            Assert.True(WaitForLog(spbLog, "connected; waiting for the primary host", count: 2), "the new connection does not wait for the host");
            long birthsWhileOffline = node.Counters.Births;
            Assert.Equal(2, birthsWhileOffline);
            Assert.Equal(1, node.Counters.HostOfflineDisconnects);

            // 6. Online again: a new session (next bdSeq), devices born again.
            PublishState(port, online: true, t0 + 3000);
            Assert.True(lines.WaitFor(l => Decode(l).Count(m => m.Kind == "NBIRTH") >= 3 && Decode(l).SkipWhile(m => m.Online != true || m.State!.Value.GetProperty("timestamp").GetInt64() != t0 + 3000).Count(m => m.Kind == "DDATA") >= 3, Wait), "no new session after the host came back");

            // 7. Clean stop: NDEATH.
            driver.Stop();
            await node.StopAsync(TimeSpan.FromSeconds(5));
            await publisher.StopAsync(TimeSpan.FromSeconds(2));
            Assert.True(lines.WaitFor(l => Decode(l).Count(m => m.Kind == "NDEATH" && m.BdSeq == 1) >= 1, Wait), "no NDEATH on the clean stop");

            List<Message> all = Decode(lines.Snapshot()).ToList().Where(m => m.Kind != "NCMD").ToList();
            output.WriteLine($"{all.Count} messages decoded by Tahu: {string.Join(", ", all.GroupBy(m => m.Kind).Select(g => $"{g.Key} {g.Count()}"))}; counters {node.Counters}");
            AssertSession(all);
        }
        finally
        {
            decoder.Kill(entireProcessTree: true);
            decoder.WaitForExit();
        }
    }

    private static void AssertSession(List<Message> all)
    {
        List<Message> spb = all.Where(m => m.Kind != "STATE").ToList();
        Assert.All(spb, m => Assert.StartsWith("spBv1.0/plant/", m.Topic));
        Assert.All(spb, m => Assert.False(m.Retain));
        Assert.All(spb, m => Assert.Equal(m.Kind == "NDEATH" ? 1 : 0, m.Qos));

        // bdSeq: 0 for the first connection, 1 after the host-offline reconnect; every NDEATH carries its session's.
        List<Message> births = spb.Where(m => m.Kind == "NBIRTH").ToList();
        Assert.Equal([0L, 0L, 1L], births.Select(b => b.BdSeq).ToArray());
        Assert.All(spb.Where(m => m.Kind == "NDEATH"), d => Assert.False(d.HasSeq));
        Assert.All(spb.Where(m => m.Kind == "NDEATH"), d => Assert.Single(d.Metrics));

        // Birth certificates: names, aliases and datatypes as a host builds its tags from them.
        foreach (Message b in births)
        {
            Assert.Equal(0L, b.Seq);
            Assert.Equal("Int64", b.Metric("bdSeq").GetProperty("type").GetString());
            Assert.Equal("Boolean", b.Metric(SparkplugNode.RebirthMetric).GetProperty("type").GetString());
            Assert.False(b.Metric(SparkplugNode.RebirthMetric).GetProperty("value").GetBoolean());
            Assert.Equal("Double", b.Metric("Load/Power W").GetProperty("type").GetString());
            Assert.Equal("String", b.Metric("Control/Mode").GetProperty("type").GetString());
            Assert.Equal("UInt64", b.Metric("Control/Flags").GetProperty("type").GetString());
            Assert.Equal(JsonValueKind.Number, b.Metric("Control/Flags").GetProperty("value").ValueKind); // a Tahu host reads the value
        }

        var aliases = new Dictionary<string, HashSet<long>>();
        foreach (Message d in spb.Where(m => m.Kind == "DBIRTH"))
        {
            string[] expected = d.Device == "inv1" ? ["Power W", "Setpoint W", "SoC %", "Health"] : ["Power W", "Health"];
            Assert.Equal(expected, d.Metrics.Select(m => m.GetProperty("name").GetString()).ToArray());
            Assert.Equal([.. expected.Select(n => n == "Health" ? "String" : "Double")], d.Metrics.Select(m => m.GetProperty("type").GetString()).ToArray());
            Assert.All(d.Metrics, m => Assert.Equal(JsonValueKind.Number, m.GetProperty("timestamp").ValueKind));
            Assert.Equal("ok", d.Metric("Health").GetProperty("value").GetString());
            Assert.True(d.Metric("Power W").GetProperty("value").GetDouble() != 0 || d.Device == "inv1");
            aliases[d.Device!] = [.. d.Metrics.Select(m => m.GetProperty("alias").GetInt64())];
        }

        Assert.Equal(["inv1", "rack1", "rack2"], aliases.Keys.Order().ToArray());
        Assert.Equal(aliases.Values.Sum(a => a.Count), aliases.Values.SelectMany(a => a).Distinct().Count()); // unique across the node

        // seq: one counter across every N*/D* message of a session: NBIRTH 0, then +1 (mod 256) each.
        long? expectedSeq = null;
        foreach (Message m in spb)
        {
            switch (m.Kind)
            {
                case "NBIRTH":
                    expectedSeq = 1;
                    continue;
                case "NDEATH":
                    expectedSeq = null;
                    continue;
            }

            Assert.True(expectedSeq is not null, $"{m} outside a session");
            Assert.Equal(expectedSeq, m.Seq);
            expectedSeq = (m.Seq + 1) % 256;
            if (m.Kind is "DDATA" or "NDATA")
            {
                Assert.All(m.Metrics, x => Assert.Equal(JsonValueKind.Null, x.GetProperty("name").ValueKind)); // alias only
                if (m.Kind == "DDATA")
                {
                    Assert.NotEmpty(m.Metrics); // report by exception: nothing unchanged, never an empty DDATA
                    Assert.All(m.Metrics, x => Assert.Contains(x.GetProperty("alias").GetInt64(), aliases[m.Device!]));
                }
            }
        }

        // Device order: DBIRTH before its DDATA in every session; DDEATH of inv1 followed by its DBIRTH.
        int death = spb.FindIndex(m => m.Kind == "DDEATH");
        Assert.Equal("inv1", spb[death].Device);
        Assert.Equal(1, spb.Count(m => m.Kind == "DDEATH"));
        Assert.Contains(spb.Skip(death), m => m.Kind == "DBIRTH" && m.Device == "inv1");
        Assert.DoesNotContain(spb.Skip(death + 1).TakeWhile(m => !(m.Kind == "DBIRTH" && m.Device == "inv1")), m => m.Device == "inv1");

        // While the host is offline nothing is born: between the NDEATH that followed the offline STATE and the next
        // online STATE there are only deaths (the node's own and the broker's Will, same bdSeq) and STATE messages.
        int offline = all.FindIndex(m => m.Kind == "STATE" && m.Online == false && m.State!.Value.GetProperty("timestamp").GetInt64() > 1_767_225_600_000 + 1000);
        int ndeath = all.FindIndex(offline, m => m.Kind == "NDEATH");
        int online = all.FindIndex(ndeath, m => m.Kind == "STATE" && m.Online == true);
        Assert.True(offline >= 0 && ndeath > offline && online > ndeath, string.Join(", ", all));
        Assert.All(all.Skip(ndeath).Take(online - ndeath), m => Assert.Contains(m.Kind, new[] { "NDEATH", "STATE" }));
        Assert.All(all.Skip(ndeath).Take(online - ndeath).Where(m => m.Kind == "NDEATH"), m => Assert.Equal(0L, m.BdSeq));
        Assert.DoesNotContain(all.Take(all.FindIndex(m => m.Kind == "STATE" && m.Online == true && m.State!.Value.GetProperty("timestamp").GetInt64() == 1_767_225_600_000 + 1000)), m => m.Kind is "NBIRTH" or "DBIRTH");
    }

    private static bool WaitForLog(TestLogger log, string text, int count = 1) =>
        WaitFor(() => log.Lines.Count(l => l.Contains(text, StringComparison.Ordinal)) >= count, Wait);

    private static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(20); // polling a condition with a deadline
        }

        return true;
    }
}
