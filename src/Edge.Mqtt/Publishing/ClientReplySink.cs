using Edge.Mqtt.Client;
using Edge.Mqtt.Commands;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Publishing;

/// <summary>Sends command replies through a client's outbox (QoS 1, not retained, telemetry priority: a reply flood cannot crowd out alarms).</summary>
public sealed class ClientReplySink(MqttClient client) : ICommandReplySink
{
    /// <inheritdoc />
    public void Reply(string topic, ReadOnlySpan<byte> payload) =>
        client.Outbox.TryEnqueue(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, OutboxPriority.Telemetry);
}
