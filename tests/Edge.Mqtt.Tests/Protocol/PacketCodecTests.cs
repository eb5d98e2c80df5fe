using System.Buffers;
using System.Text;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Tests.Protocol;

public class PacketCodecTests
{
    [Fact]
    public void Connect_bytes_match_the_specification_layout()
    {
        var w = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WriteConnect(w, new ConnectPacket { ClientId = "a", CleanSession = true, KeepAliveS = 60 });
        // §3.1: 0x10, remaining 13, "MQTT" with length, level 4, flags 0b10 (clean), keep-alive 60, client id "a".
        byte[] expected = [0x10, 0x0D, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x01, (byte)'a'];
        Assert.Equal(expected, w.WrittenSpan.ToArray());
    }

    [Fact]
    public void Connect_with_will_and_credentials_sets_every_flag_and_orders_the_payload()
    {
        var w = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WriteConnect(w, new ConnectPacket
        {
            ClientId = "c",
            CleanSession = false,
            KeepAliveS = 10,
            WillTopic = "w",
            WillPayload = "x"u8.ToArray(),
            WillQos = MqttQualityOfServiceLevel.AtLeastOnce,
            WillRetain = true,
            Username = "u",
            Password = "p"u8.ToArray(),
        });
        byte[] b = w.WrittenSpan.ToArray();
        // flags: user 0x80 | password 0x40 | will retain 0x20 | will QoS 1 (0x08) | will 0x04, clean 0.
        Assert.Equal(0xEC, b[9]);
        Assert.Equal("\0\u0001c\0\u0001w\0\u0001x\0\u0001u\0\u0001p", Encoding.ASCII.GetString(b, 12, b.Length - 12));
    }

    [Fact]
    public void Password_without_user_name_is_refused()
    {
        var w = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => MqttPacketWriter.WriteConnect(w, new ConnectPacket { ClientId = "c", Password = "p"u8.ToArray() }));
    }

    [Fact]
    public void Publish_qos1_with_dup_has_the_specified_header_and_id()
    {
        var w = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WritePublish(w, "a/b", "hi"u8, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, dup: true, packetId: 10);
        byte[] expected = [0x3B, 0x09, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b', 0x00, 0x0A, (byte)'h', (byte)'i'];
        Assert.Equal(expected, w.WrittenSpan.ToArray());
    }

    [Fact]
    public void Publish_qos0_never_sets_dup_and_has_no_packet_id()
    {
        var w = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WritePublish(w, "t", "x"u8, MqttQualityOfServiceLevel.AtMostOnce, retain: false, dup: true, packetId: 0);
        Assert.Equal(new byte[] { 0x30, 0x04, 0x00, 0x01, (byte)'t', (byte)'x' }, w.WrittenSpan.ToArray());
    }

    [Fact]
    public void Subscribe_and_unsubscribe_carry_the_reserved_flags_0010()
    {
        var w = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WriteSubscribe(w, 1, [new MqttTopicFilter("a/#", MqttQualityOfServiceLevel.AtLeastOnce)]);
        Assert.Equal(new byte[] { 0x82, 0x08, 0x00, 0x01, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'#', 0x01 }, w.WrittenSpan.ToArray());
        w.ResetWrittenCount();
        MqttPacketWriter.WriteUnsubscribe(w, 2, ["a"]);
        Assert.Equal(new byte[] { 0xA2, 0x05, 0x00, 0x02, 0x00, 0x01, (byte)'a' }, w.WrittenSpan.ToArray());
    }

    // Remaining-length boundaries through whole PUBLISH frames: encode, decode, compare the payload byte for byte.
    [Theory]
    [InlineData(0)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    [InlineData(2_097_151)]
    [InlineData(2_097_152)]
    public void Publish_frames_at_remaining_length_boundaries_round_trip(int remaining)
    {
        const string topic = "t/x";
        int overhead = 2 + topic.Length + 2; // topic string + packet id (QoS 1)
        int payloadLength = Math.Max(0, remaining - overhead);
        if (remaining < overhead)
        {
            // 0: a frame with an empty body is not a PUBLISH; check it as a bare header instead.
            Assert.Equal(DecodeStatus.Complete, MqttPacketReader.TryReadFrame(new byte[] { 0xD0, 0x00 }, 16, out MqttFrame ping, out _));
            Assert.Equal(PacketType.PingResp, ping.Type);
            Assert.Equal(0, ping.Body.Length);
            return;
        }

        byte[] payload = new byte[payloadLength];
        new Random(remaining).NextBytes(payload);
        var w = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WritePublish(w, topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, false, false, 7);
        byte[] wire = w.WrittenSpan.ToArray();
        Assert.Equal(1 + RemainingLength.SizeOf(remaining) + remaining, wire.Length);

        Assert.Equal(DecodeStatus.NeedMoreData, MqttPacketReader.TryReadFrame(wire.AsSpan(0, wire.Length - 1), int.MaxValue, out _, out _));
        Assert.Equal(DecodeStatus.Complete, MqttPacketReader.TryReadFrame(wire, int.MaxValue, out MqttFrame frame, out _));
        Assert.Equal(wire.Length, frame.TotalLength);
        Assert.Null(MqttPacketReader.TryParsePublish(frame.Flags, frame.Body, out PublishView p));
        Assert.Equal(topic, p.Topic);
        Assert.Equal(7, p.PacketId);
        Assert.True(p.Payload.SequenceEqual(payload));
    }

    [Fact]
    public void Maximum_remaining_length_is_rejected_from_the_header_when_above_the_limit()
    {
        byte[] header = [0x30, 0xFF, 0xFF, 0xFF, 0x7F];
        Assert.Equal(DecodeStatus.Malformed, MqttPacketReader.TryReadFrame(header, 1024 * 1024, out _, out string? error));
        Assert.Contains("268435455 bytes exceeds the limit", error);
        // With a limit at the protocol maximum it is merely incomplete (the body has not arrived).
        Assert.Equal(DecodeStatus.NeedMoreData, MqttPacketReader.TryReadFrame(header, RemainingLength.Max, out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x20, 0x03, 0x00, 0x00, 0x00 }, "not 2")]
    [InlineData(new byte[] { 0x20, 0x02, 0x02, 0x00 }, "reserved bits")]
    [InlineData(new byte[] { 0x20, 0x02, 0x00, 0x06 }, "not defined")]
    [InlineData(new byte[] { 0x20, 0x02, 0x01, 0x05 }, "session is present")]
    public void Bad_connacks_are_malformed(byte[] wire, string reason)
    {
        Assert.Equal(DecodeStatus.Complete, MqttPacketReader.TryReadFrame(wire, 100, out MqttFrame f, out _));
        Assert.Contains(reason, MqttPacketReader.TryParseConnAck(f.Body, out _, out _));
    }

    [Theory]
    [InlineData(0x36, new byte[] { 0x00, 0x01, (byte)'t', 0x00, 0x01 }, "QoS 3")]
    [InlineData(0x34, new byte[] { 0x00, 0x01, (byte)'t', 0x00, 0x01 }, "QoS 2")]
    [InlineData(0x38, new byte[] { 0x00, 0x01, (byte)'t' }, "DUP")]
    [InlineData(0x32, new byte[] { 0x00, 0x01, (byte)'t', 0x00, 0x00 }, "identifier is 0")]
    [InlineData(0x32, new byte[] { 0x00, 0x01, (byte)'t', 0x00 }, "runs past")]
    [InlineData(0x30, new byte[] { 0x00, 0x03, (byte)'a', (byte)'/', (byte)'+' }, "wildcard")]
    [InlineData(0x30, new byte[] { 0x00, 0x01, (byte)'#' }, "wildcard")]
    [InlineData(0x30, new byte[] { 0x00, 0x00 }, "empty")]
    [InlineData(0x30, new byte[] { 0x00, 0x02, 0xC0, 0x80 }, "UTF-8")]
    [InlineData(0x30, new byte[] { 0x00, 0x01, 0x00 }, "U+0000")]
    [InlineData(0x30, new byte[] { 0x00, 0x09, (byte)'t' }, "past the end")]
    public void Bad_publishes_are_malformed(byte first, byte[] body, string reason) =>
        Assert.Contains(reason, MqttPacketReader.TryParsePublish((byte)(first & 0x0F), body, out _));

    [Theory]
    [InlineData(PacketType.PubAck, 0x02, "reserved fixed-header flags")]
    [InlineData(PacketType.PingResp, 0x01, "reserved fixed-header flags")]
    [InlineData(PacketType.Connect, 0x00, "only sent by clients")]
    [InlineData(PacketType.Subscribe, 0x02, "only sent by clients")]
    [InlineData(PacketType.PingReq, 0x00, "only sent by clients")]
    [InlineData(PacketType.PubRel, 0x02, "QoS 2")]
    [InlineData(PacketType.Reserved0, 0x00, "reserved packet type")]
    [InlineData(PacketType.Reserved15, 0x00, "reserved packet type")]
    public void Packets_a_broker_may_not_send_are_violations(PacketType type, byte flags, string reason) =>
        Assert.Contains(reason, MqttPacketReader.CheckFromServer(type, flags));

    [Fact]
    public void Suback_return_codes_are_checked()
    {
        Assert.Null(MqttPacketReader.TryParseSubAck(new byte[] { 0x00, 0x01, 0x00, 0x01, 0x80 }, out ushort id, out ReadOnlySpan<byte> codes));
        Assert.Equal(1, id);
        Assert.Equal(3, codes.Length);
        Assert.Contains("return code", MqttPacketReader.TryParseSubAck(new byte[] { 0x00, 0x01, 0x03 }, out _, out _));
        Assert.Contains("no return code", MqttPacketReader.TryParseSubAck(new byte[] { 0x00, 0x01 }, out _, out _));
        Assert.Contains("is 0", MqttPacketReader.TryParseIdOnly(new byte[] { 0x00, 0x00 }, out _));
        Assert.Contains("body", MqttPacketReader.TryParsePingResp(new byte[] { 0x00 }));
    }

    [Fact]
    public void Random_garbage_never_throws_from_the_decoder()
    {
        var rng = new Random(42);
        var buffer = new byte[64];
        for (int i = 0; i < 100_000; i++)
        {
            rng.NextBytes(buffer);
            int length = rng.Next(buffer.Length);
            DecodeStatus s = MqttPacketReader.TryReadFrame(buffer.AsSpan(0, length), 1024, out MqttFrame f, out _);
            if (s != DecodeStatus.Complete)
            {
                continue;
            }

            _ = MqttPacketReader.CheckFromServer(f.Type, f.Flags);
            _ = MqttPacketReader.TryParsePublish(f.Flags, f.Body, out _);
            _ = MqttPacketReader.TryParseConnAck(f.Body, out _, out _);
            _ = MqttPacketReader.TryParseSubAck(f.Body, out _, out _);
            _ = MqttPacketReader.TryParseIdOnly(f.Body, out _);
        }
    }
}
