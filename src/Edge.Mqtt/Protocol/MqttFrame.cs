namespace Edge.Mqtt.Protocol;

/// <summary>One complete packet as received: its type, the fixed header's flag nibble and the body after the fixed header.</summary>
public readonly ref struct MqttFrame
{
    /// <summary>Creates a frame view.</summary>
    public MqttFrame(PacketType type, byte flags, ReadOnlySpan<byte> body, int totalLength)
    {
        Type = type;
        Flags = flags;
        Body = body;
        TotalLength = totalLength;
    }

    /// <summary>Packet type.</summary>
    public PacketType Type { get; }

    /// <summary>Low nibble of the first byte.</summary>
    public byte Flags { get; }

    /// <summary>Variable header and payload (Remaining Length bytes).</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>Bytes the whole packet took in the buffer (fixed header included).</summary>
    public int TotalLength { get; }
}
