using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Outbox;

/// <summary>
/// Durable storage for QoS 1 messages not yet acknowledged, so they survive a daemon restart during a broker outage.
/// Called by <see cref="MqttOutbox"/> under its lock, never from the control loop.
/// </summary>
public interface IOutboxSpool : IDisposable
{
    /// <summary>Messages stored by an earlier run and never acknowledged, oldest first.</summary>
    IReadOnlyList<SpooledMessage> LoadPending();

    /// <summary>Stores a message; returns its spool identifier (&gt; 0).</summary>
    long Append(string topic, ReadOnlySpan<byte> payload, MqttQualityOfServiceLevel qos, bool retain, OutboxPriority priority);

    /// <summary>Forgets a stored message (acknowledged or dropped).</summary>
    void Remove(long spoolId);
}
