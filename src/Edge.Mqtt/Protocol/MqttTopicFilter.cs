namespace Edge.Mqtt.Protocol;

/// <summary>One topic filter of a SUBSCRIBE with the maximum QoS asked for.</summary>
/// <param name="Topic">The filter, possibly with '+' and '#' wildcards.</param>
/// <param name="QualityOfServiceLevel">Largest QoS the broker may deliver at (0 or 1 here).</param>
public sealed record MqttTopicFilter(string Topic, MqttQualityOfServiceLevel QualityOfServiceLevel);
