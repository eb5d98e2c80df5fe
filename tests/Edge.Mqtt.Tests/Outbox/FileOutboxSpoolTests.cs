using System.Buffers;
using System.Text;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Tests.Outbox;

public sealed class FileOutboxSpoolTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-spool-" + Guid.NewGuid().ToString("N")[..8]);

    private string SpoolPath => Path.Combine(_dir, "outbox.spool");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static MqttOutboxOptions Options => new() { Capacity = 100 };

    [Fact]
    public void Unacknowledged_qos1_messages_survive_a_restart_in_order_and_acked_ones_do_not()
    {
        using (var outbox = new MqttOutbox(Options, new FileOutboxSpool(SpoolPath)))
        {
            for (int i = 0; i < 5; i++)
            {
                outbox.TryEnqueue("edge/s/n/alarm", Encoding.UTF8.GetBytes($"a{i}"), MqttQualityOfServiceLevel.AtLeastOnce, false, OutboxPriority.Critical);
            }

            outbox.TryEnqueue("edge/s/n/sensors/x", "qos0"u8, MqttQualityOfServiceLevel.AtMostOnce, false, OutboxPriority.Telemetry);
            var w = new ArrayBufferWriter<byte>();
            outbox.TakeBatch(w, maxInflight: 2, int.MaxValue, []);
            outbox.OnPubAck(1); // a0 acknowledged; a1 in flight, not acknowledged
        }

        using var spool = new FileOutboxSpool(SpoolPath);
        Assert.Equal(["a1", "a2", "a3", "a4"], spool.LoadPending().Select(m => Encoding.UTF8.GetString(m.Payload.Span)).ToList());
        Assert.All(spool.LoadPending(), m => Assert.Equal(OutboxPriority.Critical, m.Priority));
        using var restored = new MqttOutbox(Options, spool);
        Assert.Equal(4, restored.RestoredFromSpool);
        Assert.Equal(4, restored.Count);
    }

    [Fact]
    public void Retained_messages_of_an_earlier_run_are_superseded_not_restored_and_leave_the_spool()
    {
        using (var outbox = new MqttOutbox(Options, new FileOutboxSpool(SpoolPath)))
        {
            outbox.TryEnqueue("edge/s/n/status", "online-1"u8, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, OutboxPriority.Critical);
            outbox.TryEnqueue("edge/s/n/state", "s0"u8, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, OutboxPriority.Telemetry);
            outbox.TryEnqueue("edge/s/n/throttle", "requested-1"u8, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, OutboxPriority.Critical);
            outbox.TryEnqueue("edge/s/n/alarm", "a0"u8, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, OutboxPriority.Critical);
            outbox.TryEnqueue("edge/s/n/status", "offline-1"u8, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, OutboxPriority.Critical);
        }

        using (var restored = new MqttOutbox(Options, new FileOutboxSpool(SpoolPath)))
        {
            Assert.Equal(2, restored.RestoredFromSpool);
            Assert.Equal(3, restored.SupersededFromSpool);
            restored.TryEnqueueCore("edge/s/n/status", "online-2"u8, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, OutboxPriority.Critical, OutboxFullPolicy.DropOldestTelemetry, null, front: true);
            Assert.Equal(["online-2", "s0", "a0"], Payloads(restored));
        }

        // Gone from the disk too; what was sent and not acknowledged stays.
        using var spool = new FileOutboxSpool(SpoolPath);
        Assert.Equal(["s0", "a0", "online-2"], spool.LoadPending().Select(m => Encoding.UTF8.GetString(m.Payload.Span)).ToList());
    }

    private static List<string> Payloads(MqttOutbox outbox)
    {
        var w = new ArrayBufferWriter<byte>();
        outbox.TakeBatch(w, maxInflight: 100, int.MaxValue, []);
        var payloads = new List<string>();
        ReadOnlySpan<byte> rest = w.WrittenSpan;
        while (MqttPacketReader.TryReadFrame(rest, int.MaxValue, out MqttFrame f, out _) == DecodeStatus.Complete)
        {
            Assert.Null(MqttPacketReader.TryParsePublish(f.Flags, f.Body, out PublishView v));
            payloads.Add(Encoding.UTF8.GetString(v.Payload));
            rest = rest[f.TotalLength..];
        }

        return payloads;
    }

    [Fact]
    public void A_torn_tail_is_ignored_and_what_came_before_is_kept()
    {
        using (var spool = new FileOutboxSpool(SpoolPath))
        {
            spool.Append("t", "one"u8, MqttQualityOfServiceLevel.AtLeastOnce, false, OutboxPriority.Telemetry);
            spool.Append("t", "two"u8, MqttQualityOfServiceLevel.AtLeastOnce, false, OutboxPriority.Telemetry);
        }

        byte[] bytes = File.ReadAllBytes(SpoolPath);
        File.WriteAllBytes(SpoolPath, bytes[..^3]); // a crash in the middle of the second record
        using (var spool = new FileOutboxSpool(SpoolPath))
        {
            Assert.Equal(["one"], spool.LoadPending().Select(m => Encoding.UTF8.GetString(m.Payload.Span)).ToList());
        }

        bytes = File.ReadAllBytes(SpoolPath);
        bytes[^5] ^= 0xFF; // corrupt the payload: the checksum catches it
        File.WriteAllBytes(SpoolPath, bytes);
        using var corrupted = new FileOutboxSpool(SpoolPath);
        Assert.Empty(corrupted.LoadPending());
    }

    [Fact]
    public void The_file_is_compacted_and_stays_bounded()
    {
        using var spool = new FileOutboxSpool(SpoolPath, maxBytes: 8192);
        byte[] payload = new byte[200];
        var live = new Queue<long>();
        for (int i = 0; i < 2000; i++)
        {
            live.Enqueue(spool.Append("edge/s/n/state", payload, MqttQualityOfServiceLevel.AtLeastOnce, false, OutboxPriority.Telemetry));
            if (live.Count > 10)
            {
                spool.Remove(live.Dequeue());
            }

            Assert.True(spool.SizeBytes <= 8192 + 512, $"spool grew to {spool.SizeBytes} bytes");
        }

        Assert.Equal(10, spool.LiveCount);
        spool.Dispose();
        using var reopened = new FileOutboxSpool(SpoolPath);
        Assert.Equal(10, reopened.LoadPending().Count);
    }
}
