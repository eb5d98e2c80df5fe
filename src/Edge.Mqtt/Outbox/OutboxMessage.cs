using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Outbox;

/// <summary>One message in the outbox; pooled and reused (its payload buffer only ever grows).</summary>
internal sealed class OutboxMessage
{
    public string Topic = string.Empty;
    public byte[] Payload = [];
    public int Length;
    public MqttQualityOfServiceLevel Qos;
    public bool Retain;
    public OutboxPriority Priority;
    public ushort PacketId;
    public bool NeedsResend;
    public long SpoolId;
    public TaskCompletionSource<MqttClientPublishResult>? Completion;
    public OutboxMessage? Prev;
    public OutboxMessage? Next;

    public ReadOnlySpan<byte> PayloadSpan => Payload.AsSpan(0, Length);

    public void SetPayload(ReadOnlySpan<byte> payload)
    {
        if (Payload.Length < payload.Length)
        {
            Payload = new byte[Math.Max(256, (int)Math.Min(int.MaxValue, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)payload.Length)))];
        }

        payload.CopyTo(Payload);
        Length = payload.Length;
    }
}
