using System.Text;

namespace Edge.Mqtt.Protocol;

/// <summary>A decoded PUBLISH, as views into the receive buffer (valid until the buffer is reused).</summary>
public readonly ref struct PublishView
{
    /// <summary>Creates the view.</summary>
    public PublishView(ReadOnlySpan<byte> topicUtf8, ushort packetId, MqttQualityOfServiceLevel qos, bool retain, bool dup, ReadOnlySpan<byte> payload)
    {
        TopicUtf8 = topicUtf8;
        PacketId = packetId;
        Qos = qos;
        Retain = retain;
        Dup = dup;
        Payload = payload;
    }

    /// <summary>Topic name bytes (validated UTF-8, no wildcards).</summary>
    public ReadOnlySpan<byte> TopicUtf8 { get; }

    /// <summary>Packet identifier (0 for QoS 0).</summary>
    public ushort PacketId { get; }

    /// <summary>QoS of this delivery.</summary>
    public MqttQualityOfServiceLevel Qos { get; }

    /// <summary>Retained flag: set when the broker delivers a stored retained message on subscription.</summary>
    public bool Retain { get; }

    /// <summary>Duplicate flag (possible redelivery).</summary>
    public bool Dup { get; }

    /// <summary>Application payload.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The topic as a string (allocates).</summary>
    public string Topic => Encoding.UTF8.GetString(TopicUtf8);
}
