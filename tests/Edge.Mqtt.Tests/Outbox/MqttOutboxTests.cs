using System.Buffers;
using System.Text;
using Edge.Mqtt.Client;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;
using Edge.Tests.Shared;

namespace Edge.Mqtt.Tests.Outbox;

public class MqttOutboxTests
{
    private static MqttOutbox Create(int capacity, int reserve = 2, IOutboxSpool? spool = null) =>
        new(new MqttOutboxOptions { Capacity = capacity, CriticalReserve = reserve }, spool);

    private static List<string> Drain(MqttOutbox outbox, int maxInflight = 1000)
    {
        var w = new ArrayBufferWriter<byte>();
        outbox.TakeBatch(w, maxInflight, int.MaxValue, []);
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

    private static bool Add(MqttOutbox o, string text, OutboxPriority priority = OutboxPriority.Telemetry, OutboxFullPolicy policy = OutboxFullPolicy.DropOldestTelemetry) =>
        o.TryEnqueue("t", Encoding.UTF8.GetBytes(text), MqttQualityOfServiceLevel.AtLeastOnce, false, priority, policy);

    [Fact]
    public void When_full_the_oldest_telemetry_is_dropped_and_counted_never_an_alarm()
    {
        using MqttOutbox o = Create(capacity: 4);
        Assert.True(Add(o, "alarm0", OutboxPriority.Critical));
        for (int i = 0; i < 6; i++)
        {
            Assert.True(Add(o, $"t{i}"));
        }

        Assert.Equal(4, o.Count);
        Assert.Equal(3, o.Counters.DroppedTelemetry);
        Assert.Equal(["alarm0", "t3", "t4", "t5"], Drain(o));
    }

    [Fact]
    public void Critical_messages_use_the_reserve_and_are_refused_only_beyond_it()
    {
        using MqttOutbox o = Create(capacity: 2, reserve: 2);
        Assert.True(Add(o, "a0", OutboxPriority.Critical));
        Assert.True(Add(o, "a1", OutboxPriority.Critical));
        Assert.False(Add(o, "t0")); // full of critical: the telemetry message itself is dropped
        Assert.True(Add(o, "a2", OutboxPriority.Critical));
        Assert.True(Add(o, "a3", OutboxPriority.Critical));
        Assert.False(Add(o, "a4", OutboxPriority.Critical));
        OutboxCounters c = o.Counters;
        Assert.Equal(1, c.DroppedTelemetry);
        Assert.Equal(1, c.RejectedCritical);
        Assert.Equal(["a0", "a1", "a2", "a3"], Drain(o));
    }

    [Fact]
    public void Reject_new_policy_leaves_the_queue_alone()
    {
        using MqttOutbox o = Create(capacity: 2);
        Assert.True(Add(o, "t0", policy: OutboxFullPolicy.RejectNew));
        Assert.True(Add(o, "t1", policy: OutboxFullPolicy.RejectNew));
        Assert.False(o.WaitForSpace(TimeSpan.Zero));
        Assert.False(Add(o, "t2", policy: OutboxFullPolicy.RejectNew));
        Assert.Equal(["t0", "t1"], Drain(o));
    }

    [Fact]
    public void The_inflight_window_limits_qos1_and_acks_free_it_and_inflight_is_never_dropped()
    {
        using MqttOutbox o = Create(capacity: 3, reserve: 0);
        for (int i = 0; i < 3; i++)
        {
            Add(o, $"m{i}");
        }

        var w = new ArrayBufferWriter<byte>();
        Assert.Equal(2, o.TakeBatch(w, maxInflight: 2, int.MaxValue, []));
        Assert.Equal(2, o.InflightCount);
        // Full with two inflight: a new message drops the one queued (m2), never an inflight one.
        Assert.True(Add(o, "m3"));
        Assert.Equal(1, o.Counters.DroppedTelemetry);
        Assert.Equal(0, o.TakeBatch(w, maxInflight: 2, int.MaxValue, []));
        o.OnPubAck(1);
        Assert.Equal(["m3"], Drain(o, maxInflight: 2));
        o.OnPubAck(999); // unknown: counted and ignored
        Assert.Equal(1, o.Counters.UnexpectedAcks);
    }

    [Fact]
    public void After_a_lost_connection_inflight_messages_come_first_with_dup_in_order()
    {
        using MqttOutbox o = Create(capacity: 10);
        for (int i = 0; i < 4; i++)
        {
            Add(o, $"m{i}");
        }

        var w = new ArrayBufferWriter<byte>();
        o.TakeBatch(w, maxInflight: 2, int.MaxValue, []);
        o.OnConnectionLost();
        w.ResetWrittenCount();
        o.TakeBatch(w, maxInflight: 2, int.MaxValue, []);
        var flags = new List<byte>();
        var payloads = new List<string>();
        ReadOnlySpan<byte> rest = w.WrittenSpan;
        while (MqttPacketReader.TryReadFrame(rest, int.MaxValue, out MqttFrame f, out _) == DecodeStatus.Complete)
        {
            MqttPacketReader.TryParsePublish(f.Flags, f.Body, out PublishView v);
            flags.Add(f.Flags);
            payloads.Add(Encoding.UTF8.GetString(v.Payload));
            rest = rest[f.TotalLength..];
        }

        Assert.Equal(["m0", "m1"], payloads); // window still full: only the resends
        Assert.All(flags, f => Assert.Equal(0x0A, f));
    }

    [Fact]
    public void Enqueue_and_send_do_not_allocate_in_steady_state()
    {
        using MqttOutbox o = Create(capacity: 64);
        byte[] payload = new byte[400];
        var w = new ArrayBufferWriter<byte>(1 << 16);
        var written = new List<TaskCompletionSource<MqttClientPublishResult>>();

        void Cycle()
        {
            for (int i = 0; i < 32; i++)
            {
                o.TryEnqueue("edge/site/node/state", payload, MqttQualityOfServiceLevel.AtLeastOnce, false, OutboxPriority.Telemetry);
                o.TryEnqueue("edge/site/node/sensors/a", payload, MqttQualityOfServiceLevel.AtMostOnce, false, OutboxPriority.Telemetry);
            }

            w.ResetWrittenCount();
            o.TakeBatch(w, 64, int.MaxValue, written);
            for (ushort id = 1; id <= 64; id++)
            {
                o.OnPubAck(id);
            }
        }

        for (int i = 0; i < 2000; i++)
        {
            Cycle(); // warm up: pools fill, packet ids wrap round 65535
        }

        Action pass = () =>
        {
            for (int i = 0; i < 200; i++)
            {
                Cycle();
            }
        };
        Assert.Equal(0, SteadyAllocations.PerPassMinimum(pass));
    }
}
