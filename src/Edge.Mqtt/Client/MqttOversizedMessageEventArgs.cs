namespace Edge.Mqtt.Client;

/// <summary>A PUBLISH too large to accept was discarded.</summary>
/// <param name="topic">Its topic.</param>
/// <param name="payloadBytes">Its payload size, bytes.</param>
public sealed class MqttOversizedMessageEventArgs(string topic, int payloadBytes) : EventArgs
{
    /// <summary>Its topic.</summary>
    public string Topic { get; } = topic;

    /// <summary>Its payload size, bytes.</summary>
    public int PayloadBytes { get; } = payloadBytes;
}
