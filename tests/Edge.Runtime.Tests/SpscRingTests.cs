using System.Runtime.CompilerServices;
using Edge.Runtime.Handoff;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests;

public sealed class SpscRingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private struct Item
    {
        public long Sequence;
        public long Square;
        public long Inverse;
    }

    private sealed class Payload
    {
        public long Sequence;
        public readonly long[] Values = new long[32];
    }

    [Fact]
    public void Full_ring_drops_new_items_and_counts_them_without_blocking()
    {
        var ring = new SpscRing<int>(3); // rounded up to 4
        Assert.Equal(4, ring.Capacity);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(ring.TryWrite(i));
        }

        Assert.False(ring.TryWrite(99));
        Assert.False(ring.TryWrite(100));
        Assert.Equal(2, ring.Dropped);
        Assert.Equal(4, ring.Count);

        Assert.True(ring.TryRead(out int first));
        Assert.Equal(0, first);
        Assert.True(ring.TryWrite(4));
        for (int expected = 1; expected <= 4; expected++)
        {
            Assert.True(ring.TryRead(out int v));
            Assert.Equal(expected, v);
        }

        Assert.False(ring.TryRead(out _));
        Assert.True(Unsafe.IsNullRef(ref ring.TryPeek()));
    }

    [Fact]
    public void Two_threads_hammering_value_slots_see_every_item_in_order_or_a_counted_drop()
    {
        const long count = 2_000_000;
        var ring = new SpscRing<Item>(64);
        long received = 0, lastSequence = 0;
        string? error = null;

        using var consumerStarted = new ManualResetEventSlim();
        var consumer = new Thread(() =>
        {
            consumerStarted.Set();
            while (lastSequence < count && error is null)
            {
                if (!ring.TryRead(out Item item))
                {
                    if (ring.Published + ring.Dropped >= count && ring.Count == 0)
                    {
                        break;
                    }

                    Thread.SpinWait(10);
                    continue;
                }

                if (item.Sequence <= lastSequence || item.Square != item.Sequence * item.Sequence || item.Inverse != ~item.Sequence)
                {
                    error = $"bad item {item.Sequence} after {lastSequence}";
                }

                lastSequence = item.Sequence;
                received++;
            }
        });
        consumer.Start();
        Assert.True(consumerStarted.Wait(Timeout), "the consumer thread did not start"); // start barrier: the two threads overlap

        for (long s = 1; s <= count; s++)
        {
            ring.TryWrite(new Item { Sequence = s, Square = s * s, Inverse = ~s });
        }

        Assert.True(consumer.Join(Timeout));
        Assert.Null(error);
        Assert.Equal(count, received + ring.Dropped);
        Assert.Equal(received, ring.Consumed);
        Assert.True(received > 0);
    }

    [Fact]
    public void Two_threads_hammering_preallocated_slots_never_see_a_half_written_object()
    {
        const long count = 500_000;
        var ring = new SpscRing<Payload>(16, () => new Payload());
        long received = 0, last = 0;
        string? error = null;
        using var producerDone = new ManualResetEventSlim();

        using var consumerStarted = new ManualResetEventSlim();
        var consumer = new Thread(() =>
        {
            consumerStarted.Set();
            while (error is null)
            {
                ref Payload slot = ref ring.TryPeek();
                if (Unsafe.IsNullRef(ref slot))
                {
                    if (producerDone.IsSet && ring.Count == 0)
                    {
                        break;
                    }

                    Thread.SpinWait(10);
                    continue;
                }

                long seq = slot.Sequence;
                for (int i = 0; i < slot.Values.Length; i++)
                {
                    if (slot.Values[i] != (seq * 31) + i)
                    {
                        error = $"slot {seq} torn at {i}";
                    }
                }

                if (seq <= last)
                {
                    error = $"out of order: {seq} after {last}";
                }

                last = seq;
                received++;
                ring.Release();
            }
        });
        consumer.Start();
        Assert.True(consumerStarted.Wait(Timeout), "the consumer thread did not start"); // start barrier
        Assert.True(consumerStarted.Wait(Timeout), "the consumer thread did not start"); // start barrier: the two threads overlap

        for (long s = 1; s <= count; s++)
        {
            ref Payload slot = ref ring.TryClaim();
            if (Unsafe.IsNullRef(ref slot))
            {
                continue;
            }

            slot.Sequence = s;
            for (int i = 0; i < slot.Values.Length; i++)
            {
                slot.Values[i] = (s * 31) + i;
            }

            ring.Publish();
        }

        producerDone.Set();
        Assert.True(consumer.Join(Timeout));
        Assert.Null(error);
        Assert.Equal(count, received + ring.Dropped);
    }

    [Fact]
    public void Producer_side_allocates_nothing()
    {
        var ring = new SpscRing<Item>(8);
        ring.TryWrite(default);
        ring.TryRead(out _);
        Action pass = () =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                ring.TryWrite(new Item { Sequence = i });
                ring.TryRead(out _);
            }
        };
        Assert.Equal(0, SteadyAllocations.PerPassMinimum(pass));
    }
}
