namespace Edge.Mqtt.Commands;

/// <summary>Where command replies go (the outbox, in the daemon). Must not block.</summary>
public interface ICommandReplySink
{
    /// <summary>Queues a reply payload for <paramref name="topic"/>.</summary>
    void Reply(string topic, ReadOnlySpan<byte> payload);
}
