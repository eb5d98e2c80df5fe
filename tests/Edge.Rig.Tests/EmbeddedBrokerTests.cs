using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Edge.Daemon;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 13 items 4 and 6, on the built edge as a separate process, checked by an independent subscriber
/// (Debian's mosquitto_sub): with no broker on the port, <c>edge run --rig sim</c> serves it itself and everything it
/// publishes reaches the subscriber — every documented field of the state, sensor and inverter topics carrying a value
/// after the first second (compute time above 0, bus voltage and current, SoC); with a broker listening, Edge uses it.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class EmbeddedBrokerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The documented fields (README "Topics", docs/DESIGN.md §7), as JSON paths.</summary>
    private static readonly string[] StateFields =
    [
        "ts", "seq", "load_w.mean", "load_w.min", "load_w.max", "grid_w.mean", "grid_w.min", "grid_w.max", "battery_w.mean",
        "battery_w.min", "battery_w.max", "grid_target_w", "battery_setpoint_w", "soc_pct", "mode", "flags", "flag_names",
        "loop.cycles", "loop.lateness_us.mean", "loop.lateness_us.max", "loop.compute_us.max", "loop.overruns",
        "dropped.handoff", "dropped.outbox",
    ];

    private static readonly string[] SensorFields = ["ts", "id", "power_w", "voltage_v", "current_a", "age_ms", "health"];

    private static readonly string[] InverterFields =
        ["ts", "id", "power_w", "setpoint_w", "soc_pct", "allowed_charge_w", "allowed_discharge_w", "capacity_wh", "age_ms", "health"];

    [Fact]
    public void With_no_broker_edge_serves_the_port_and_a_subscriber_gets_every_documented_field()
    {
        if (!Peers.Available(output, Peers.MosquittoSub))
        {
            return;
        }

        using var state = new TempDir();
        int port = Mosquitto.FreePort();
        string p = port.ToString(CultureInfo.InvariantCulture);
        using ChildProcess edge = EdgeExecutable.Start(["run", "--rig", "sim", $"Edge:StateDirectory={state.Path}", "Edge:LiveView=off", $"Mqtt:Port={p}"]);
        (_, string said) = edge.WaitForLine(l => l.Contains("embedded broker", StringComparison.Ordinal), Timeout, "the embedded broker's log line");
        Assert.Contains($"mosquitto_sub -h localhost -p {p} -t 'edge/#' -v", said, StringComparison.Ordinal);

        // Exactly the line the log gives a user.
        using var sub = new ChildProcess(Peers.MosquittoSub, ["-h", "localhost", "-p", p, "-t", "edge/#", "-v"]);

        // "After the first second": from the first state message of a period ≥ 100 (10 ms periods) on.
        (_, string firstLate) = sub.WaitForLine(l => l.StartsWith("edge/site1/edge1/state ", StringComparison.Ordinal) && Seq(l) >= 100, Timeout, "a state message after the first second");
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        Wait.Until(() =>
        {
            seen.Clear();
            foreach (string line in LinesFrom(sub, firstLate))
            {
                string topic = line[..line.IndexOf(' ', StringComparison.Ordinal)];
                seen[topic] = seen.GetValueOrDefault(topic) + 1;
            }

            return seen.GetValueOrDefault("edge/site1/edge1/state") >= 20 && seen.Count(kv => kv.Key.Contains("/sensors/", StringComparison.Ordinal) && kv.Value >= 2) == 8
                   && seen.Count(kv => kv.Key.Contains("/inverters/", StringComparison.Ordinal) && kv.Value >= 2) == 2;
        }, Timeout, "20 state messages and two of each of the 8 sensors and 2 inverters", () => sub.Log);

        int checkedMessages = 0;
        foreach (string line in LinesFrom(sub, firstLate))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string topic = line[..space];
            using JsonDocument doc = JsonDocument.Parse(line[(space + 1)..]);
            JsonElement root = doc.RootElement;
            string[] fields = topic switch
            {
                "edge/site1/edge1/state" => StateFields,
                _ when topic.Contains("/sensors/", StringComparison.Ordinal) => SensorFields,
                _ when topic.Contains("/inverters/", StringComparison.Ordinal) => InverterFields,
                _ => [],
            };
            foreach (string field in fields)
            {
                JsonElement value = At(root, field);
                Assert.True(value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined), $"{topic}: {field} is {value.ValueKind} in {line}");
            }

            if (topic == "edge/site1/edge1/state")
            {
                Assert.True(At(root, "loop.compute_us.max").GetDouble() > 0, $"compute_us.max is 0: {line}");
                Assert.InRange(At(root, "soc_pct").GetDouble(), 1, 99);
            }
            else if (topic.Contains("/sensors/", StringComparison.Ordinal))
            {
                Assert.InRange(At(root, "voltage_v").GetDouble(), 10.8, 13.2); // 12 V bench rails (hardware/rigs/sim-8x-ina226.json)
            }

            checkedMessages += fields.Length > 0 ? 1 : 0;
        }

        output.WriteLine($"{checkedMessages} messages checked field by field; topics: {string.Join(", ", seen.Select(kv => $"{kv.Key} ×{kv.Value}"))}");

        edge.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, edge.WaitForExit(Timeout));
        sub.WaitForLine(l => l.StartsWith("edge/site1/edge1/status ", StringComparison.Ordinal) && l.Contains("\"offline\"", StringComparison.Ordinal), Timeout, "the offline status through the embedded broker");
        Assert.False(Accepts(port), "the embedded broker still listens after edge exited");
    }

    [Fact]
    public void A_broker_that_answers_wins()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        using var broker = new Mosquitto();
        using var state = new TempDir();
        string p = broker.Port.ToString(CultureInfo.InvariantCulture);
        using ChildProcess edge = EdgeExecutable.Start(["run", "--rig", "sim", $"Edge:StateDirectory={state.Path}", "Edge:LiveView=off", $"Mqtt:Port={p}"]);
        edge.WaitForLine(l => l.Contains("MQTT connected to localhost:" + p, StringComparison.Ordinal), Timeout, "the connection to the running broker");
        using var sub = new ChildProcess(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", p, "-t", "edge/site1/edge1/state"]);
        sub.WaitForLine(l => l.StartsWith('{'), Timeout, "a state message through mosquitto");
        Wait.Until(() => broker.Log.Contains("as edge-site1-edge1", StringComparison.Ordinal), Timeout, "mosquitto's log of Edge's connection", () => broker.Log);

        edge.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, edge.WaitForExit(Timeout));
        Assert.DoesNotContain(edge.Lines, l => l.Line.Contains("embedded broker", StringComparison.Ordinal));
    }

    [Fact]
    public void The_embedded_broker_drops_a_publish_beyond_the_limit_and_disconnects_its_sender()
    {
        if (!Peers.Available(output, Peers.MosquittoSub, Peers.MosquittoPub))
        {
            return;
        }

        int port = Mosquitto.FreePort();
        using EmbeddedBroker broker = EmbeddedBroker.Start(port);
        string p = port.ToString(CultureInfo.InvariantCulture);
        using var sub = new ChildProcess(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", p, "-t", "big/#", "-F", "%t %l"]);
        using var file = new TempDir();
        Directory.CreateDirectory(file.Path);
        string big = Path.Combine(file.Path, "big");
        File.WriteAllBytes(big, new byte[EmbeddedBroker.MaxPublishPayloadBytes + 1]);

        // The subscriber is connected once a small message reaches it.
        Wait.Until(() =>
        {
            using var probe = new ChildProcess(Peers.MosquittoPub, ["-h", "127.0.0.1", "-p", p, "-t", "big/probe", "-m", "x"]);
            probe.WaitForExit(Timeout);
            return sub.Lines.Any(l => l.Line.StartsWith("big/probe", StringComparison.Ordinal));
        }, Timeout, "the subscriber's first message");

        using (var pub = new ChildProcess(Peers.MosquittoPub, ["-h", "127.0.0.1", "-p", p, "-q", "1", "-t", "big/huge", "-f", big]))
        {
            int code = pub.WaitForExit(Timeout);
            output.WriteLine($"mosquitto_pub of {EmbeddedBroker.MaxPublishPayloadBytes + 1} bytes at QoS 1: exit {code}\n{pub.Log}");
            Assert.NotEqual(0, code); // disconnected before its PUBACK
        }

        File.WriteAllBytes(Path.Combine(file.Path, "limit"), new byte[EmbeddedBroker.MaxPublishPayloadBytes]);
        using (var atLimit = new ChildProcess(Peers.MosquittoPub, ["-h", "127.0.0.1", "-p", p, "-q", "1", "-t", "big/at-limit", "-f", Path.Combine(file.Path, "limit")]))
        {
            Assert.Equal(0, atLimit.WaitForExit(Timeout));
        }

        sub.WaitForLine(l => l.StartsWith("big/at-limit " + EmbeddedBroker.MaxPublishPayloadBytes.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), Timeout, "the message at the limit");
        Assert.DoesNotContain(sub.Lines, l => l.Line.StartsWith("big/huge", StringComparison.Ordinal));
        Assert.Equal(1, broker.PacketsRefused); // the one beyond the limit, counted; the one at the limit not
    }

    /// <summary>
    /// A client that announces a packet beyond the limit in its fixed header — the most MQTT can say, 268,435,455
    /// bytes — and then sends nothing, or only a little: the broker refuses it from the header and disconnects at once,
    /// without allocating the body or waiting for it (MQTTnet allocated the announced length and waited).
    /// </summary>
    [Theory]
    [InlineData(true, 0)]     // after CONNECT: a PUBLISH header, then nothing
    [InlineData(true, 1000)]  // a PUBLISH header and the first bytes of its body, then nothing (a slow sender)
    [InlineData(false, 0)]    // the first packet: a CONNECT that size
    public void The_embedded_broker_refuses_an_oversized_packet_from_its_header_without_reading_the_body(bool connectFirst, int bodyBytes)
    {
        int port = Mosquitto.FreePort();
        var said = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using EmbeddedBroker broker = EmbeddedBroker.Start(port, said.Enqueue);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(System.Net.IPAddress.Loopback, port);
        client.ReceiveTimeout = 10_000; // the refusal is immediate; this only bounds a broker that waits for the body
        if (connectFirst)
        {
            // CONNECT, MQTT 3.1.1, clean session, keep-alive 60 s, client id "big"
            client.Send([0x10, 15, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0x02, 0, 60, 0, 3, (byte)'b', (byte)'i', (byte)'g']);
            byte[] connack = new byte[4];
            for (int read = 0; read < connack.Length;)
            {
                int n = client.Receive(connack, read, connack.Length - read, SocketFlags.None);
                Assert.True(n > 0, "the broker closed the connection before its CONNACK");
                read += n;
            }

            Assert.Equal(new byte[] { 0x20, 2, 0, 0 }, connack);
        }

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        byte type = connectFirst ? (byte)0x30 : (byte)0x10;
        client.Send([type, 0xFF, 0xFF, 0xFF, 0x7F, .. new byte[bodyBytes]]);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        int received;
        try
        {
            received = client.Receive(new byte[16]); // 0: the broker closed the connection
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            received = 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            Assert.Fail($"the broker kept the connection open for {clock.Elapsed.TotalSeconds:0} s after a header announcing 268,435,455 bytes (waiting for the body)");
            return;
        }

        Assert.Equal(0, received);
        long allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) >> 20;
        output.WriteLine($"disconnected {clock.Elapsed.TotalMilliseconds:0} ms after the header; {allocatedMb} MB allocated in the process meanwhile");
        Assert.True(allocatedMb < 64, $"{allocatedMb} MB allocated for a packet that was refused");
        Assert.Equal(1, broker.PacketsRefused);
        string line = Assert.Single(said);
        output.WriteLine(line);
        Assert.Contains(connectFirst ? "refused a PUBLISH" : "refused a CONNECT", line, StringComparison.Ordinal);
        Assert.Contains($"more than {EmbeddedBroker.MaxPacketBytes} bytes", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_taken_port_is_a_socket_exception_and_leaves_nothing_listening()
    {
        // Taken on the address bound last ([::1] where there is IPv6, else 127.0.0.1): the one bound first is closed again.
        bool v6 = Socket.OSSupportsIPv6;
        System.Net.IPAddress address = v6 ? System.Net.IPAddress.IPv6Loopback : System.Net.IPAddress.Loopback;
        using var taken = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new System.Net.IPEndPoint(address, 0));
        taken.Listen();
        int port = ((System.Net.IPEndPoint)taken.LocalEndPoint!).Port;
        Assert.ThrowsAny<SocketException>(() => EmbeddedBroker.Start(port));
        if (v6)
        {
            Assert.False(Accepts(port), "the broker's 127.0.0.1 listener was left open");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public void The_size_limit_follows_packet_boundaries_however_the_bytes_arrive(int readSize)
    {
        // Packets within the limit (one with a 1 MiB body and a 4-byte length) pass byte for byte, whatever the read
        // sizes; the first header beyond it ends the stream there, before its last length byte.
        byte[] within = [0x10, 5, 1, 2, 3, 4, 5, 0xC0, 0, 0x30, 0x80, 0x80, 0x40, .. new byte[1 << 20], 0xE0, 0];
        byte[] stream = [.. within, 0x32, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3];
        var refused = new List<string>();
        using var channel = new SizeLimitedMqttChannel(new BytesChannel(stream), EmbeddedBroker.MaxPacketBytes, refused.Add);
        var read = new List<byte>();
        byte[] buffer = new byte[readSize];
        int n;
        while ((n = channel.ReadAsync(buffer, 0, buffer.Length, CancellationToken.None).GetAwaiter().GetResult()) > 0)
        {
            read.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        Assert.Equal(["PUBLISH"], refused);
        Assert.True(read.Count >= within.Length && read.Count < within.Length + 4, $"{read.Count} bytes delivered, {within.Length} within the limit");
        Assert.Equal(within, read.Take(within.Length)); // (and at most the first bytes of the refused header)
        Assert.Equal(0, channel.ReadAsync(buffer, 0, buffer.Length, CancellationToken.None).GetAwaiter().GetResult());
    }

    [Theory]
    [InlineData("auto", "sim", "localhost", true)]
    [InlineData("auto", "sim", "127.0.0.1", true)]
    [InlineData("auto", "sim", "::1", true)]
    [InlineData("auto", "sim", "broker.example", false)]
    [InlineData("auto", "hil", "localhost", false)]
    [InlineData("auto", "hardware/rigs/pi5-2bus-8x-ina228.json", "localhost", false)] // never on a real rig unless configured
    [InlineData("on", "hardware/rigs/pi5-2bus-8x-ina228.json", "localhost", true)]
    [InlineData("on", "sim", "10.0.0.5", false)]
    [InlineData("off", "sim", "localhost", false)]
    public void The_embedded_broker_is_wanted_only_where_configured(string setting, string rig, string host, bool wanted) =>
        Assert.Equal(wanted, EmbeddedBroker.Wanted(setting, rig, host));

    private static IEnumerable<string> LinesFrom(ChildProcess sub, string first) =>
        sub.Lines.Select(l => l.Line).SkipWhile(l => l != first).Where(l => l.StartsWith("edge/", StringComparison.Ordinal));

    private static long Seq(string line)
    {
        using JsonDocument d = JsonDocument.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        return d.RootElement.GetProperty("seq").GetInt64();
    }

    private static JsonElement At(JsonElement root, string path)
    {
        JsonElement e = root;
        foreach (string part in path.Split('.'))
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out e))
            {
                return default;
            }
        }

        return e.Clone();
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>An <see cref="MQTTnet.Channel.IMqttChannel"/> that serves <paramref name="bytes"/>, as much as each read asks for.</summary>
    private sealed class BytesChannel(byte[] bytes) : MQTTnet.Channel.IMqttChannel
    {
        private int _at;

        public System.Security.Cryptography.X509Certificates.X509Certificate2 ClientCertificate => null!;

        public System.Net.EndPoint RemoteEndPoint => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1);

        public System.Net.EndPoint LocalEndPoint => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 2);

        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            int n = Math.Min(count, bytes.Length - _at);
            bytes.AsSpan(_at, n).CopyTo(buffer.AsSpan(offset));
            _at += n;
            return Task.FromResult(n);
        }

        public Task WriteAsync(System.Buffers.ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
