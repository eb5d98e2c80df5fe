namespace Edge.Mqtt.Client;

/// <summary>Outcome of <see cref="MqttClient.PublishAsync"/>.</summary>
/// <param name="IsSuccess">True once the message was written (QoS 0) or acknowledged by PUBACK (QoS 1).</param>
/// <param name="PacketIdentifier">The packet identifier used (QoS 1), else null.</param>
/// <param name="ReasonString">Why it failed, else null.</param>
public sealed record MqttClientPublishResult(bool IsSuccess, ushort? PacketIdentifier, string? ReasonString)
{
    /// <summary>A successful QoS 0 publish.</summary>
    public static MqttClientPublishResult Written { get; } = new(true, null, null);
}
