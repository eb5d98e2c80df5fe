using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Client;

/// <summary>An application message: topic, payload, QoS and retained flag (shape as in MQTTnet).</summary>
public sealed class MqttApplicationMessage
{
    /// <summary>Topic name.</summary>
    public required string Topic { get; init; }

    /// <summary>Payload bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>QoS (0 or 1 for publishing).</summary>
    public MqttQualityOfServiceLevel QualityOfServiceLevel { get; init; }

    /// <summary>Retained flag. On a received message: true when the broker delivered a stored retained message.</summary>
    public bool Retain { get; init; }

    /// <summary>On a received message: the DUP flag (possible redelivery).</summary>
    public bool Dup { get; init; }

    /// <summary>The payload decoded as UTF-8 (allocates).</summary>
    public string ConvertPayloadToString() => System.Text.Encoding.UTF8.GetString(Payload.Span);
}
