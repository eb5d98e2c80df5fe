using Edge.Runtime.Handoff;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests;

public sealed class LatestValueMailboxTests
{
    private struct Sample
    {
        public long Sequence;
        public double PowerW;
        public long Check;
        public long Pad1;
        public long Pad2;
    }

    [Fact]
    public void Reader_sees_nothing_before_the_first_write_then_always_the_newest()
    {
        var box = new LatestValueMailbox<Sample>();
        Assert.False(box.TryRead(out _, out long seq0, out _));
        Assert.Equal(0, seq0);

        box.Write(new Sample { Sequence = 1, PowerW = 10 }, 1_000);
        box.Write(new Sample { Sequence = 2, PowerW = 20 }, 2_000);
        Assert.True(box.TryRead(out Sample s, out long seq, out long ts));
        Assert.Equal(20, s.PowerW);
        Assert.Equal(2, seq);
        Assert.Equal(2_000, ts);

        // Nothing new: the same value again, and TryReadNewer says so.
        long last = seq;
        Assert.True(box.TryRead(out s, out seq, out _));
        Assert.Equal(2, seq);
        Assert.False(box.TryReadNewer(ref last, out _, out _));
        box.Write(new Sample { PowerW = 30 }, 3_000);
        Assert.True(box.TryReadNewer(ref last, out s, out ts));
        Assert.Equal(30, s.PowerW);
        Assert.Equal(3, last);
        Assert.Equal(3, box.Writes);
    }

    [Fact]
    public void Two_threads_hammering_never_see_a_torn_or_older_value()
    {
        const long writes = 3_000_000;
        var box = new LatestValueMailbox<Sample>();
        string? error = null;
        long reads = 0, distinct = 0;
        using var done = new ManualResetEventSlim();
        using var readerStarted = new ManualResetEventSlim();

        var reader = new Thread(() =>
        {
            long lastSeq = 0;
            readerStarted.Set();
            while (Volatile.Read(ref error) is null)
            {
                bool finished = done.IsSet;
                if (box.TryRead(out Sample s, out long seq, out long ts))
                {
                    Volatile.Write(ref reads, reads + 1);
                    if (s.Check != (s.Sequence * 7) + 1 || s.PowerW != s.Sequence * 0.5 || s.Pad1 != ~s.Sequence || s.Pad2 != -s.Sequence
                        || ts != s.Sequence * 1000 || seq != s.Sequence)
                    {
                        error = $"torn value at {s.Sequence}";
                    }

                    if (seq < lastSeq)
                    {
                        error = $"went back from {lastSeq} to {seq}";
                    }

                    if (seq > lastSeq)
                    {
                        distinct++;
                    }

                    lastSeq = seq;
                }

                if (finished)
                {
                    if (lastSeq != writes)
                    {
                        error ??= $"after the last write the reader saw {lastSeq}, not {writes}";
                    }

                    break;
                }
            }
        });
        reader.Start();

        // Start barrier: on a loaded machine the reader may not run before 3 M writes are done. The writer starts only
        // once the reader runs, and halfway waits until it has read a value, so the two really overlap (and the reader
        // sees at least one value before the last) — deterministic, whatever the scheduler does.
        Assert.True(readerStarted.Wait(TimeSpan.FromSeconds(30)), "the reader thread did not start");
        for (long i = 1; i <= writes; i++)
        {
            box.Write(new Sample { Sequence = i, PowerW = i * 0.5, Check = (i * 7) + 1, Pad1 = ~i, Pad2 = -i }, i * 1000);
            if (i == writes / 2)
            {
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref reads) > 0 || Volatile.Read(ref error) is not null, TimeSpan.FromSeconds(30)),
                    "the reader read nothing while the writer waited halfway");
            }
        }

        done.Set();
        Assert.True(reader.Join(TimeSpan.FromSeconds(60)));
        Assert.Null(error);
        Assert.True(distinct > 1, $"the reader should have seen several values while the writer ran (saw {distinct} in {reads} reads)");
    }

    [Fact]
    public void A_fan_out_gives_each_of_three_reader_threads_every_newest_value_untorn()
    {
        // LatestValueFanOut: one single-reader mailbox per reader thread, all written by the one writer.
        const long writes = 500_000;
        var cell = new LatestValueFanOut<Sample>(3);
        string? error = null;
        var seen = new long[3];
        var reads = new long[3];
        using var done = new ManualResetEventSlim();
        using var started = new CountdownEvent(3);
        var readers = new Thread[3];
        for (int r = 0; r < readers.Length; r++)
        {
            int me = r;
            readers[r] = new Thread(() =>
            {
                LatestValueMailbox<Sample> box = cell.Reader(me);
                long lastSeq = 0;
                started.Signal();
                while (Volatile.Read(ref error) is null)
                {
                    bool finished = done.IsSet;
                    if (box.TryRead(out Sample s, out long seq, out _))
                    {
                        Interlocked.Increment(ref reads[me]);
                        if (s.Check != (s.Sequence * 7) + 1 || s.Pad1 != ~s.Sequence || seq < lastSeq)
                        {
                            Volatile.Write(ref error, $"reader {me}: torn or older value at {s.Sequence} after {lastSeq}");
                        }

                        lastSeq = seq;
                    }

                    if (finished)
                    {
                        Volatile.Write(ref seen[me], lastSeq);
                        break;
                    }
                }
            });
            readers[r].Start();
        }

        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "the reader threads did not start");
        for (long i = 1; i <= writes; i++)
        {
            cell.Write(new Sample { Sequence = i, PowerW = i * 0.5, Check = (i * 7) + 1, Pad1 = ~i, Pad2 = -i }, i);
            if (i == writes / 2)
            {
                Assert.True(SpinWait.SpinUntil(() => reads.All(n => Volatile.Read(ref n) > 0) || Volatile.Read(ref error) is not null, TimeSpan.FromSeconds(30)),
                    "a reader read nothing while the writer waited halfway");
            }
        }

        done.Set();
        foreach (Thread t in readers)
        {
            Assert.True(t.Join(TimeSpan.FromSeconds(60)));
        }

        Assert.Null(error);
        Assert.All(seen, last => Assert.Equal(writes, last)); // each reader ends on the last value: none took another's
    }

    [Fact]
    public void Both_sides_allocate_nothing()
    {
        var box = new LatestValueMailbox<Sample>();
        box.Write(default, 0);
        box.TryRead(out _, out _, out _);
        Action pass = () =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                box.Write(new Sample { Sequence = i }, i);
                box.TryRead(out _, out _, out _);
            }
        };
        Assert.Equal(0, SteadyAllocations.PerPassMinimum(pass));
    }
}
