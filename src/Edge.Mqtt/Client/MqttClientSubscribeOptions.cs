using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Client;

/// <summary>The filters of one SUBSCRIBE.</summary>
public sealed class MqttClientSubscribeOptions
{
    /// <summary>Topic filters with their QoS.</summary>
    public List<MqttTopicFilter> TopicFilters { get; } = [];
}

/// <summary>Builds <see cref="MqttClientSubscribeOptions"/> (shape as in MQTTnet).</summary>
public sealed class MqttClientSubscribeOptionsBuilder
{
    private readonly MqttClientSubscribeOptions _options = new();

    /// <summary>Adds a filter.</summary>
    public MqttClientSubscribeOptionsBuilder WithTopicFilter(string topic, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce)
    {
        _options.TopicFilters.Add(new MqttTopicFilter(topic, qos));
        return this;
    }

    /// <summary>Returns the options.</summary>
    public MqttClientSubscribeOptions Build() => _options;
}

/// <summary>The broker's SUBACK: one granted QoS (0, 1) or failure (0x80) per filter, in order.</summary>
/// <param name="ReturnCodes">Granted QoS per filter; 0x80 = refused.</param>
public sealed record MqttClientSubscribeResult(IReadOnlyList<byte> ReturnCodes)
{
    /// <summary>True when no filter was refused.</summary>
    public bool AllGranted => !ReturnCodes.Contains((byte)0x80);
}
