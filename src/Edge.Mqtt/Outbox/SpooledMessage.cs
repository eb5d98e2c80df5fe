using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Outbox;

/// <summary>A message read back from the spool.</summary>
/// <param name="SpoolId">Its identifier in the spool.</param>
/// <param name="Topic">Topic name.</param>
/// <param name="Payload">Payload bytes.</param>
/// <param name="Qos">QoS.</param>
/// <param name="Retain">Retained flag.</param>
/// <param name="Priority">Outbox priority.</param>
public sealed record SpooledMessage(long SpoolId, string Topic, ReadOnlyMemory<byte> Payload, MqttQualityOfServiceLevel Qos, bool Retain, OutboxPriority Priority);
