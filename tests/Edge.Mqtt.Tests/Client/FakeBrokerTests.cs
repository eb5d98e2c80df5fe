using System.Text;
using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Client;

/// <summary>The client against a scripted socket: malformed input, dead links, and retransmission.</summary>
public class FakeBrokerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static MqttClientOptions Options(int port, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var b = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId("fake-test")
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(20); r.MaxDelay = TimeSpan.FromMilliseconds(100); });
        configure?.Invoke(b);
        return b.Build();
    }

    public static TheoryData<string, byte[], string> MalformedAfterConnAck => new()
    {
        { "publish qos 3", [0x36, 0x05, 0x00, 0x01, (byte)'t', 0x00, 0x01], "QoS 3" },
        { "five-byte remaining length", [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "longer than 4 bytes" },
        { "non-minimal remaining length", [0xD0, 0x80, 0x00], "minimally" },
        { "second connack", [0x20, 0x02, 0x00, 0x00], "second CONNACK" },
        { "topic with U+0000", [0x30, 0x04, 0x00, 0x02, (byte)'a', 0x00], "U+0000" },
        { "topic not UTF-8", [0x30, 0x04, 0x00, 0x02, 0xC0, 0x80], "UTF-8" },
        { "wildcard topic", [0x30, 0x03, 0x00, 0x01, (byte)'#'], "wildcard" },
        { "pingresp with body", [0xD0, 0x01, 0x00], "PINGRESP has a body" },
        { "pingresp with flags", [0xD1, 0x00], "reserved fixed-header flags" },
        { "pubrel", [0x62, 0x02, 0x00, 0x01], "QoS 2" },
        { "reserved type 15", [0xF0, 0x00], "reserved packet type" },
        { "subscribe from broker", [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, (byte)'a', 0x00], "only sent by clients" },
        { "oversized suback", [0x90, 0xFF, 0xFF, 0x7F], "exceeds the limit" },
        { "oversized publish with a broken topic", [0x32, 0xFF, 0xFF, 0x7F, 0x00, 0x02, 0xC0, 0x80, 0x00, 0x01], "UTF-8" },
        { "puback id 0", [0x40, 0x02, 0x00, 0x00], "identifier is 0" },
        { "suback bad code", [0x90, 0x03, 0x00, 0x01, 0x05], "return code" },
    };

    [Theory]
    [MemberData(nameof(MalformedAfterConnAck))]
    public async Task Malformed_packets_close_the_connection_with_a_logged_reason_and_the_client_reconnects(string name, byte[] bytes, string reason)
    {
        using var broker = new FakeBroker();
        var logger = new TestLogger(output);
        using var client = new MqttClient(logger);
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                disconnected.TrySetResult(e);
            }

            return Task.CompletedTask;
        };
        client.Start(Options(broker.Port, b => b.WithMaxIncomingPacketBytes(64 * 1024)));

        using (FakeConnection c = broker.Accept(Wait))
        {
            Assert.Equal(PacketType.Connect, c.Read(Wait)!.Type);
            c.Send(FakeBroker.ConnAck());
            c.Send(bytes);
            MqttClientDisconnectedEventArgs e = await disconnected.Task.WaitAsync(Wait);
            Assert.Contains(reason, e.Reason);
            Assert.Null(c.Read(Wait)); // the client closed the socket
        }

        Assert.Equal(1, client.Statistics.MalformedPackets);
        Assert.Contains(logger.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains(reason, StringComparison.Ordinal));
        using FakeConnection again = broker.Accept(Wait);
        Assert.Equal(PacketType.Connect, again.Read(Wait)!.Type);
        output.WriteLine($"{name}: closed with '{reason}', reconnected");
    }

    [Fact]
    public async Task An_oversized_publish_is_discarded_and_acknowledged_without_dropping_the_connection()
    {
        using var broker = new FakeBroker();
        using var client = new MqttClient(new TestLogger(output));
        var received = new List<string>();
        var oversized = new TaskCompletionSource<MqttOversizedMessageEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OversizedMessageDropped += e => oversized.TrySetResult(e);
        client.ApplicationMessageReceivedAsync += e =>
        {
            lock (received)
            {
                received.Add(e.ApplicationMessage.ConvertPayloadToString());
            }

            return Task.CompletedTask;
        };
        client.Start(Options(broker.Port, b => b.WithMaxIncomingPacketBytes(1024)));
        using FakeConnection c = broker.Accept(Wait);
        c.Read(Wait);
        c.Send(FakeBroker.ConnAck());

        // A 200 kB QoS 1 PUBLISH on a command topic, sent in pieces, then a normal one.
        byte[] big = new byte[200_000];
        var w = new System.Buffers.ArrayBufferWriter<byte>();
        MqttPacketWriter.WritePublish(w, "edge/s/n/cmd/mode", big, MqttQualityOfServiceLevel.AtLeastOnce, false, false, 77);
        MqttPacketWriter.WritePublish(w, "edge/s/n/cmd/mode", "small"u8, MqttQualityOfServiceLevel.AtMostOnce, false, false, 0);
        byte[] wire = w.WrittenSpan.ToArray();
        for (int o = 0; o < wire.Length; o += 7_000)
        {
            c.Send(wire[o..Math.Min(wire.Length, o + 7_000)]);
        }

        FakePacket ack = c.ReadUntil(PacketType.PubAck, Wait);
        Assert.Equal(new byte[] { 0x00, 77 }, ack.Body);
        MqttOversizedMessageEventArgs e = await oversized.Task.WaitAsync(Wait);
        Assert.Equal("edge/s/n/cmd/mode", e.Topic);
        Assert.Equal(200_000, e.PayloadBytes);
        c.Send([0xC0, 0x00]); // a PINGREQ from the broker is a violation: proves the stream is still in sync after the skip
        FakePacket? closed = c.Read(Wait);
        Assert.Null(closed);
        Assert.Equal(["small"], received);
        Assert.Equal(1, client.Statistics.MalformedPackets);
    }

    [Theory]
    [InlineData(new byte[] { 0x20, 0x02, 0x00, 0x09 }, "not defined")]
    [InlineData(new byte[] { 0x30, 0x03, 0x00, 0x01, (byte)'t' }, "expected CONNACK")]
    [InlineData(new byte[] { 0x20, 0x02, 0x00, 0x05 }, "NotAuthorized")]
    public async Task A_bad_or_refusing_connack_fails_the_first_connect(byte[] reply, string reason)
    {
        using var broker = new FakeBroker();
        using var client = new MqttClient(new TestLogger(output));
        Task<MqttClientConnectResult> connect = client.ConnectAsync(Options(broker.Port));
        using FakeConnection c = broker.Accept(Wait);
        Assert.Equal(PacketType.Connect, c.Read(Wait)!.Type);
        c.Send(reply);
        var e = await Assert.ThrowsAsync<MqttConnectingFailedException>(() => connect.WaitAsync(Wait));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public async Task An_unanswered_ping_declares_the_link_dead()
    {
        using var broker = new FakeBroker();
        using var client = new MqttClient(new TestLogger(output));
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };
        client.Start(Options(broker.Port, b => b.WithKeepAlivePeriod(TimeSpan.FromSeconds(1)).WithPingTimeout(TimeSpan.FromMilliseconds(300))));
        using FakeConnection c = broker.Accept(Wait);
        FakePacket connect = c.Read(Wait)!;
        Assert.Equal(1, connect.Body[9]); // keep-alive 1 s on the wire (bytes 8..9 of the variable header)
        c.Send(FakeBroker.ConnAck());
        FakePacket ping = c.ReadUntil(PacketType.PingReq, Wait); // never answered
        Assert.Empty(ping.Body);
        MqttClientDisconnectedEventArgs e = await disconnected.Task.WaitAsync(Wait);
        Assert.Contains("no PINGRESP", e.Reason);
    }

    [Fact]
    public async Task A_ping_is_answered_and_the_connection_stays_up()
    {
        using var broker = new FakeBroker();
        using var client = new MqttClient(new TestLogger(output));
        client.Start(Options(broker.Port, b => b.WithKeepAlivePeriod(TimeSpan.FromSeconds(1)).WithPingTimeout(TimeSpan.FromMilliseconds(500))));
        using FakeConnection c = broker.Accept(Wait);
        c.Read(Wait);
        c.Send(FakeBroker.ConnAck());
        for (int i = 0; i < 2; i++)
        {
            c.ReadUntil(PacketType.PingReq, Wait);
            c.Send([0xD0, 0x00]);
        }

        Assert.True(client.IsConnected);
        Assert.Equal(0, client.Statistics.ConnectionLosses);
        await client.DisconnectAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(PacketType.Disconnect, c.ReadUntil(PacketType.Disconnect, Wait).Type);
    }

    [Fact]
    public async Task Unacknowledged_qos1_messages_are_resent_with_dup_in_order_after_reconnect()
    {
        using var broker = new FakeBroker();
        using var client = new MqttClient(new TestLogger(output));
        client.Start(Options(broker.Port, b => b.WithCleanSession(false).WithMaxInflight(2)));
        var published = Enumerable.Range(0, 3)
            .Select(i => client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("t").WithPayload($"m{i}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()))
            .ToList();

        var firstIds = new List<ushort>();
        using (FakeConnection c = broker.Accept(Wait))
        {
            c.Read(Wait);
            c.Send(FakeBroker.ConnAck());
            for (int i = 0; i < 2; i++)
            {
                FakePacket p = c.ReadUntil(PacketType.Publish, Wait);
                Assert.Equal(0x02, p.Flags); // QoS 1, no DUP, first transmission
                Assert.Null(MqttPacketReader.TryParsePublish(p.Flags, p.Body, out PublishView v));
                Assert.Equal($"m{i}", Encoding.UTF8.GetString(v.Payload));
                firstIds.Add(v.PacketId);
            }

            // Window of 2 is full: m2 must not be sent until an ack. Drop the link without acknowledging anything.
        }

        using FakeConnection again = broker.Accept(Wait);
        again.Read(Wait);
        again.Send(FakeBroker.ConnAck(sessionPresent: true));
        for (int i = 0; i < 2; i++)
        {
            FakePacket p = again.ReadUntil(PacketType.Publish, Wait);
            Assert.Equal(0x0A, p.Flags); // QoS 1 with DUP
            Assert.Null(MqttPacketReader.TryParsePublish(p.Flags, p.Body, out PublishView v));
            Assert.Equal($"m{i}", Encoding.UTF8.GetString(v.Payload));
            Assert.Equal(firstIds[i], v.PacketId);
            again.Send([0x40, 0x02, (byte)(v.PacketId >> 8), (byte)v.PacketId]);
        }

        FakePacket third = again.ReadUntil(PacketType.Publish, Wait);
        Assert.Equal(0x02, third.Flags);
        Assert.Null(MqttPacketReader.TryParsePublish(third.Flags, third.Body, out PublishView v3));
        Assert.Equal("m2", Encoding.UTF8.GetString(v3.Payload));
        again.Send([0x40, 0x02, (byte)(v3.PacketId >> 8), (byte)v3.PacketId]);

        MqttClientPublishResult[] results = await Task.WhenAll(published).WaitAsync(Wait);
        Assert.All(results, r => Assert.True(r.IsSuccess));
        Assert.Equal(0, client.Outbox.Count);
    }

    [Fact]
    public async Task Subscriptions_are_renewed_when_the_broker_kept_no_session()
    {
        using var broker = new FakeBroker();
        using var client = new MqttClient(new TestLogger(output));
        client.Start(Options(broker.Port));
        Task<MqttClientSubscribeResult> sub = client.SubscribeAsync("cmd/#", MqttQualityOfServiceLevel.AtLeastOnce);
        using (FakeConnection c = broker.Accept(Wait))
        {
            c.Read(Wait);
            c.Send(FakeBroker.ConnAck());
            FakePacket s = c.ReadUntil(PacketType.Subscribe, Wait);
            Assert.Equal(0x02, s.Flags);
            c.Send([0x90, 0x03, s.Body[0], s.Body[1], 0x01]);
            Assert.Equal([(byte)1], (await sub.WaitAsync(Wait)).ReturnCodes);
        }

        using FakeConnection again = broker.Accept(Wait);
        again.Read(Wait);
        again.Send(FakeBroker.ConnAck(sessionPresent: false));
        FakePacket renewed = again.ReadUntil(PacketType.Subscribe, Wait);
        Assert.Equal("cmd/#", Encoding.UTF8.GetString(renewed.Body, 4, 5));
    }

    [Fact]
    public async Task A_refused_subscription_is_asked_for_again_on_the_same_connection_until_granted()
    {
        // A NATS cluster that lost a node answers SUBACK 0x80 while it elects JetStream leaders (seen in
        // OtherBrokerTests): a command subscription refused once must not stay lost.
        using var broker = new FakeBroker();
        var logger = new TestLogger(output);
        using var client = new MqttClient(logger);
        client.Start(Options(broker.Port));
        Task<MqttClientSubscribeResult> sub = client.SubscribeAsync("cmd/#", MqttQualityOfServiceLevel.AtLeastOnce);
        using FakeConnection c = broker.Accept(Wait);
        c.Read(Wait);
        c.Send(FakeBroker.ConnAck());
        FakePacket first = c.ReadUntil(PacketType.Subscribe, Wait);
        c.Send([0x90, 0x03, first.Body[0], first.Body[1], 0x80]);
        Assert.Equal([(byte)0x80], (await sub.WaitAsync(Wait)).ReturnCodes);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        FakePacket second = c.ReadUntil(PacketType.Subscribe, Wait);
        TimeSpan firstDelay = clock.Elapsed;
        Assert.Equal("cmd/#", Encoding.UTF8.GetString(second.Body, 4, 5));
        c.Send([0x90, 0x03, second.Body[0], second.Body[1], 0x80]);
        FakePacket third = c.ReadUntil(PacketType.Subscribe, Wait);
        TimeSpan secondDelay = clock.Elapsed - firstDelay;
        c.Send([0x90, 0x03, third.Body[0], third.Body[1], 0x01]);
        output.WriteLine($"asked again after {firstDelay.TotalSeconds:0.00} s, then {secondDelay.TotalSeconds:0.00} s");
        Assert.InRange(firstDelay.TotalSeconds, 0.9, 3);
        Assert.InRange(secondDelay.TotalSeconds, 1.9, 5); // backing off

        // Granted now: a message on the filter is delivered, and the grant is logged with the refusals before it.
        var delivered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            delivered.TrySetResult(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        c.Send([0x30, 0x07, 0x00, 0x05, (byte)'c', (byte)'m', (byte)'d', (byte)'/', (byte)'x']);
        Assert.Equal("cmd/x", await delivered.Task.WaitAsync(Wait));
        Assert.True(SpinWait.SpinUntil(() => logger.Lines.Any(l => l.Contains("subscription to cmd/# granted after 2 refusal(s)", StringComparison.Ordinal)), Wait));
        Assert.Single(logger.Lines, l => l.StartsWith("Warning: MQTT: broker refused subscription to cmd/#", StringComparison.Ordinal));
    }
}
