using System.Buffers.Binary;

namespace Edge.Mqtt.Protocol;

/// <summary>
/// Strict decoding of what a broker sends (MQTT 3.1.1 §2–§3). Every check the specification makes a MUST is made;
/// a violation is reported as a reason, and the caller closes the connection [MQTT-4.8.0-1]. Allocation-free on valid
/// input; the reason strings are constants except where they quote a number.
/// </summary>
public static class MqttPacketReader
{
    /// <summary>
    /// Finds the first complete packet in <paramref name="buffer"/>. A packet whose Remaining Length exceeds
    /// <paramref name="maxPacketBytes"/> is malformed as soon as its header is read (its body is never buffered).
    /// </summary>
    public static DecodeStatus TryReadFrame(ReadOnlySpan<byte> buffer, int maxPacketBytes, out MqttFrame frame, out string? error)
    {
        frame = default;
        if (buffer.Length < 2)
        {
            error = null;
            return DecodeStatus.NeedMoreData;
        }

        DecodeStatus status = RemainingLength.TryRead(buffer[1..], out int remaining, out int lengthBytes, out error);
        if (status != DecodeStatus.Complete)
        {
            return status;
        }

        if (remaining > maxPacketBytes)
        {
            error = $"packet of {remaining} bytes exceeds the limit of {maxPacketBytes}";
            return DecodeStatus.Malformed;
        }

        int total = 1 + lengthBytes + remaining;
        if (buffer.Length < total)
        {
            return DecodeStatus.NeedMoreData;
        }

        var type = (PacketType)(buffer[0] >> 4);
        frame = new MqttFrame(type, (byte)(buffer[0] & 0x0F), buffer.Slice(1 + lengthBytes, remaining), total);
        return DecodeStatus.Complete;
    }

    /// <summary>
    /// Reads only the fixed header: type, flags, Remaining Length and the header's size. Used to skip a PUBLISH too
    /// large to buffer without reading its body.
    /// </summary>
    public static DecodeStatus TryReadHeader(ReadOnlySpan<byte> buffer, out PacketType type, out byte flags, out int remaining, out int headerBytes, out string? error)
    {
        type = PacketType.Reserved0;
        flags = 0;
        remaining = 0;
        headerBytes = 0;
        error = null;
        if (buffer.Length < 2)
        {
            return DecodeStatus.NeedMoreData;
        }

        DecodeStatus status = RemainingLength.TryRead(buffer[1..], out remaining, out int lengthBytes, out error);
        if (status == DecodeStatus.Complete)
        {
            type = (PacketType)(buffer[0] >> 4);
            flags = (byte)(buffer[0] & 0x0F);
            headerBytes = 1 + lengthBytes;
        }

        return status;
    }

    /// <summary>
    /// Checks that a packet of this type may come from a broker to a client and that its fixed-header flags are the
    /// ones §2.2.2 prescribes. Returns the reason when not, else null.
    /// </summary>
    public static string? CheckFromServer(PacketType type, byte flags) => type switch
    {
        PacketType.Publish => null, // flags checked with the body
        PacketType.ConnAck or PacketType.PubAck or PacketType.SubAck or PacketType.UnsubAck or PacketType.PingResp =>
            flags == 0 ? null : "reserved fixed-header flags are not 0",
        PacketType.PubRec or PacketType.PubRel or PacketType.PubComp => "QoS 2 flow packet received; this client never uses QoS 2",
        PacketType.Connect or PacketType.Subscribe or PacketType.Unsubscribe or PacketType.PingReq or PacketType.Disconnect =>
            "packet type is only sent by clients",
        _ => "reserved packet type",
    };

    /// <summary>Parses a CONNACK body (§3.2).</summary>
    public static string? TryParseConnAck(ReadOnlySpan<byte> body, out bool sessionPresent, out byte returnCode)
    {
        sessionPresent = false;
        returnCode = 0;
        if (body.Length != 2)
        {
            return "CONNACK remaining length is not 2";
        }

        if ((body[0] & 0xFE) != 0)
        {
            return "CONNACK acknowledge flags has reserved bits set";
        }

        sessionPresent = (body[0] & 1) != 0;
        returnCode = body[1];
        if (returnCode > 5)
        {
            return "CONNACK return code is not defined";
        }

        return returnCode != 0 && sessionPresent ? "CONNACK refuses the connection but says a session is present" : null;
    }

    /// <summary>Parses a PUBLISH (§3.3): flags, topic (valid UTF-8, no wildcards), packet id for QoS 1.</summary>
    public static string? TryParsePublish(byte flags, ReadOnlySpan<byte> body, out PublishView publish)
    {
        publish = default;
        int qos = (flags >> 1) & 3;
        bool dup = (flags & 0x08) != 0;
        if (qos == 3)
        {
            return "PUBLISH has QoS 3";
        }

        if (qos == 2)
        {
            return "PUBLISH at QoS 2; this client subscribes at QoS 1 at most";
        }

        if (qos == 0 && dup)
        {
            return "PUBLISH at QoS 0 has the DUP flag set";
        }

        string? error = MqttUtf8.TryRead(body, out ReadOnlySpan<byte> topic, out int used);
        if (error is not null)
        {
            return "PUBLISH topic: " + error;
        }

        if (topic.Length == 0)
        {
            return "PUBLISH topic name is empty";
        }

        if (topic.IndexOfAny((byte)'+', (byte)'#') >= 0)
        {
            return "PUBLISH topic name contains a wildcard";
        }

        ushort packetId = 0;
        if (qos > 0)
        {
            if (body.Length < used + 2)
            {
                return "PUBLISH packet identifier runs past the end of the packet";
            }

            packetId = BinaryPrimitives.ReadUInt16BigEndian(body[used..]);
            used += 2;
            if (packetId == 0)
            {
                return "PUBLISH packet identifier is 0";
            }
        }

        publish = new PublishView(topic, packetId, (MqttQualityOfServiceLevel)qos, (flags & 1) != 0, dup, body[used..]);
        return null;
    }

    /// <summary>Parses a packet whose body is only a non-zero packet identifier (PUBACK, UNSUBACK).</summary>
    public static string? TryParseIdOnly(ReadOnlySpan<byte> body, out ushort packetId)
    {
        packetId = 0;
        if (body.Length != 2)
        {
            return "acknowledgement remaining length is not 2";
        }

        packetId = BinaryPrimitives.ReadUInt16BigEndian(body);
        return packetId == 0 ? "acknowledgement packet identifier is 0" : null;
    }

    /// <summary>Parses a SUBACK (§3.9): packet identifier and one return code per filter (0, 1, 2 or 0x80).</summary>
    public static string? TryParseSubAck(ReadOnlySpan<byte> body, out ushort packetId, out ReadOnlySpan<byte> returnCodes)
    {
        packetId = 0;
        returnCodes = default;
        if (body.Length < 3)
        {
            return "SUBACK carries no return code";
        }

        packetId = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (packetId == 0)
        {
            return "SUBACK packet identifier is 0";
        }

        returnCodes = body[2..];
        foreach (byte code in returnCodes)
        {
            if (code > 2 && code != 0x80)
            {
                return "SUBACK return code is not 0, 1, 2 or 0x80";
            }
        }

        return null;
    }

    /// <summary>Checks a PINGRESP body (empty).</summary>
    public static string? TryParsePingResp(ReadOnlySpan<byte> body) => body.IsEmpty ? null : "PINGRESP has a body";
}
