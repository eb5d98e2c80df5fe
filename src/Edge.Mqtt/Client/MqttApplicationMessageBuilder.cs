using System.Text;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Client;

/// <summary>Builds an <see cref="MqttApplicationMessage"/> (shape as in MQTTnet).</summary>
public sealed class MqttApplicationMessageBuilder
{
    private string? _topic;
    private ReadOnlyMemory<byte> _payload;
    private MqttQualityOfServiceLevel _qos;
    private bool _retain;

    /// <summary>Sets the topic.</summary>
    public MqttApplicationMessageBuilder WithTopic(string topic)
    {
        _topic = topic;
        return this;
    }

    /// <summary>Sets the payload bytes.</summary>
    public MqttApplicationMessageBuilder WithPayload(ReadOnlyMemory<byte> payload)
    {
        _payload = payload;
        return this;
    }

    /// <summary>Sets the payload as UTF-8 text.</summary>
    public MqttApplicationMessageBuilder WithPayload(string payload)
    {
        _payload = Encoding.UTF8.GetBytes(payload);
        return this;
    }

    /// <summary>Sets the QoS.</summary>
    public MqttApplicationMessageBuilder WithQualityOfServiceLevel(MqttQualityOfServiceLevel qos)
    {
        _qos = qos;
        return this;
    }

    /// <summary>Sets the retained flag.</summary>
    public MqttApplicationMessageBuilder WithRetainFlag(bool retain = true)
    {
        _retain = retain;
        return this;
    }

    /// <summary>Builds the message. Throws <see cref="ArgumentException"/> for an invalid topic name.</summary>
    public MqttApplicationMessage Build()
    {
        string topic = _topic ?? throw new ArgumentException("A topic is required.", nameof(_topic));
        string? error = MqttUtf8.CheckTopicName(topic);
        return error is null
            ? new MqttApplicationMessage { Topic = topic, Payload = _payload, QualityOfServiceLevel = _qos, Retain = _retain }
            : throw new ArgumentException($"Topic '{topic}': {error}.", nameof(_topic));
    }
}
