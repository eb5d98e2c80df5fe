using System.Buffers;
using System.Buffers.Binary;

namespace Edge.Mqtt.Protocol;

/// <summary>
/// Encodes the packets a client sends (MQTT 3.1.1 §3) into a buffer writer. Allocation-free: callers pass strings and
/// spans, and the writer grows only when a packet is larger than any before. Inputs are assumed checked (see
/// <see cref="MqttUtf8"/>); sizes beyond the protocol's limits throw <see cref="ArgumentException"/>.
/// </summary>
public static class MqttPacketWriter
{
    private static ReadOnlySpan<byte> ProtocolName => "\0\u0004MQTT"u8;

    /// <summary>Writes a CONNECT packet (protocol level 4 = MQTT 3.1.1).</summary>
    public static void WriteConnect(IBufferWriter<byte> writer, ConnectPacket p)
    {
        if (p.Password is not null && p.Username is null)
        {
            throw new ArgumentException("MQTT 3.1.1 needs a user name when a password is given.", nameof(p));
        }

        int remaining = ProtocolName.Length + 1 + 1 + 2 + MqttUtf8.SizeOf(p.ClientId);
        byte flags = 0;
        if (p.CleanSession)
        {
            flags |= 0x02;
        }

        if (p.WillTopic is not null)
        {
            flags |= (byte)(0x04 | ((int)p.WillQos << 3) | (p.WillRetain ? 0x20 : 0));
            remaining += MqttUtf8.SizeOf(p.WillTopic) + 2 + CheckedBinaryLength(p.WillPayload.Length);
        }

        if (p.Username is not null)
        {
            flags |= 0x80;
            remaining += MqttUtf8.SizeOf(p.Username);
        }

        if (p.Password is { } password)
        {
            flags |= 0x40;
            remaining += 2 + CheckedBinaryLength(password.Length);
        }

        Span<byte> s = Begin(writer, PacketType.Connect, 0, remaining, out int total);
        int o = 1 + RemainingLength.Write(s[1..], remaining);
        ProtocolName.CopyTo(s[o..]);
        o += ProtocolName.Length;
        s[o++] = 4;
        s[o++] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(s[o..], p.KeepAliveS);
        o += 2;
        o += MqttUtf8.Write(s[o..], p.ClientId);
        if (p.WillTopic is not null)
        {
            o += MqttUtf8.Write(s[o..], p.WillTopic);
            o += MqttUtf8.WriteBinary(s[o..], p.WillPayload.Span);
        }

        if (p.Username is not null)
        {
            o += MqttUtf8.Write(s[o..], p.Username);
        }

        if (p.Password is { } pw)
        {
            o += MqttUtf8.WriteBinary(s[o..], pw.Span);
        }

        writer.Advance(Finish(o, total));
    }

    /// <summary>Bytes a PUBLISH with these parts takes on the wire.</summary>
    public static int PublishSize(string topic, int payloadLength, MqttQualityOfServiceLevel qos)
    {
        int remaining = MqttUtf8.SizeOf(topic) + (qos > 0 ? 2 : 0) + payloadLength;
        return 1 + RemainingLength.SizeOf(remaining) + remaining;
    }

    /// <summary>Writes a PUBLISH packet. <paramref name="packetId"/> is required (non-zero) for QoS 1 and ignored for QoS 0.</summary>
    public static void WritePublish(
        IBufferWriter<byte> writer,
        string topic,
        ReadOnlySpan<byte> payload,
        MqttQualityOfServiceLevel qos,
        bool retain,
        bool dup,
        ushort packetId)
    {
        if (qos > MqttQualityOfServiceLevel.AtLeastOnce)
        {
            throw new ArgumentException("Only QoS 0 and 1 are supported.", nameof(qos));
        }

        if (qos > 0 && packetId == 0)
        {
            throw new ArgumentException("A QoS 1 PUBLISH needs a non-zero packet identifier.", nameof(packetId));
        }

        int remaining = MqttUtf8.SizeOf(topic) + (qos > 0 ? 2 : 0) + payload.Length;
        byte flags = (byte)(((int)qos << 1) | (retain ? 1 : 0) | (dup && qos > 0 ? 0x08 : 0));
        Span<byte> s = Begin(writer, PacketType.Publish, flags, remaining, out int total);
        int o = 1 + RemainingLength.Write(s[1..], remaining);
        o += MqttUtf8.Write(s[o..], topic);
        if (qos > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s[o..], packetId);
            o += 2;
        }

        payload.CopyTo(s[o..]);
        writer.Advance(Finish(o + payload.Length, total));
    }

    /// <summary>Writes a PUBACK for a received QoS 1 PUBLISH.</summary>
    public static void WritePubAck(IBufferWriter<byte> writer, ushort packetId) => WriteIdOnly(writer, PacketType.PubAck, 0, packetId);

    /// <summary>Writes a SUBSCRIBE (fixed-header flags 0b0010 as §3.8.1 requires).</summary>
    public static void WriteSubscribe(IBufferWriter<byte> writer, ushort packetId, IReadOnlyList<MqttTopicFilter> filters)
    {
        int remaining = 2;
        foreach (MqttTopicFilter f in filters)
        {
            remaining += MqttUtf8.SizeOf(f.Topic) + 1;
        }

        Span<byte> s = Begin(writer, PacketType.Subscribe, 0x02, remaining, out int total);
        int o = 1 + RemainingLength.Write(s[1..], remaining);
        BinaryPrimitives.WriteUInt16BigEndian(s[o..], packetId);
        o += 2;
        foreach (MqttTopicFilter f in filters)
        {
            o += MqttUtf8.Write(s[o..], f.Topic);
            s[o++] = (byte)f.QualityOfServiceLevel;
        }

        writer.Advance(Finish(o, total));
    }

    /// <summary>Writes an UNSUBSCRIBE (fixed-header flags 0b0010 as §3.10.1 requires).</summary>
    public static void WriteUnsubscribe(IBufferWriter<byte> writer, ushort packetId, IReadOnlyList<string> filters)
    {
        int remaining = 2;
        foreach (string f in filters)
        {
            remaining += MqttUtf8.SizeOf(f);
        }

        Span<byte> s = Begin(writer, PacketType.Unsubscribe, 0x02, remaining, out int total);
        int o = 1 + RemainingLength.Write(s[1..], remaining);
        BinaryPrimitives.WriteUInt16BigEndian(s[o..], packetId);
        o += 2;
        foreach (string f in filters)
        {
            o += MqttUtf8.Write(s[o..], f);
        }

        writer.Advance(Finish(o, total));
    }

    /// <summary>Writes a PINGREQ.</summary>
    public static void WritePingReq(IBufferWriter<byte> writer) => WriteEmpty(writer, PacketType.PingReq);

    /// <summary>Writes a DISCONNECT.</summary>
    public static void WriteDisconnect(IBufferWriter<byte> writer) => WriteEmpty(writer, PacketType.Disconnect);

    private static void WriteEmpty(IBufferWriter<byte> writer, PacketType type)
    {
        Span<byte> s = writer.GetSpan(2);
        s[0] = (byte)((int)type << 4);
        s[1] = 0;
        writer.Advance(2);
    }

    private static void WriteIdOnly(IBufferWriter<byte> writer, PacketType type, byte flags, ushort packetId)
    {
        Span<byte> s = writer.GetSpan(4);
        s[0] = (byte)(((int)type << 4) | flags);
        s[1] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], packetId);
        writer.Advance(4);
    }

    private static Span<byte> Begin(IBufferWriter<byte> writer, PacketType type, byte flags, int remaining, out int total)
    {
        if (remaining > RemainingLength.Max)
        {
            throw new ArgumentException($"Packet of {remaining} bytes exceeds the MQTT maximum of {RemainingLength.Max}.", nameof(remaining));
        }

        total = 1 + RemainingLength.SizeOf(remaining) + remaining;
        Span<byte> s = writer.GetSpan(total);
        s[0] = (byte)(((int)type << 4) | flags);
        return s;
    }

    private static int Finish(int written, int expected) =>
        written == expected ? written : throw new InvalidOperationException($"Encoder wrote {written} bytes, expected {expected}.");

    private static int CheckedBinaryLength(int length) =>
        length <= MqttUtf8.MaxBytes ? length : throw new ArgumentException($"Binary field of {length} bytes exceeds {MqttUtf8.MaxBytes}.", nameof(length));
}
