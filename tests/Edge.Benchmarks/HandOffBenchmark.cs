using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Edge.Runtime.Handoff;

namespace Edge.Benchmarks;

/// <summary>
/// The loop's hand-off primitives, one write plus one read per operation, on one thread (the cost the loop pays per
/// period, without contention): Edge's <see cref="SpscRing{T}"/> and <see cref="LatestValueMailbox{T}"/> against the
/// BCL's lock-free <see cref="ConcurrentQueue{T}"/> (the baseline peer) and a lock-protected latest value.
/// Goal: 0 B allocated, and no slower than the peer.
/// </summary>
[MemoryDiagnoser]
public class HandOffBenchmark
{
    private readonly SpscRing<Record> _ring = new(1024);
    private readonly ConcurrentQueue<Record> _queue = new();
    private readonly LatestValueMailbox<Record> _mailbox = new();
    private readonly object _gate = new();
    private Record _locked;
    private long _n;

    /// <summary>A record the size of a small snapshot entry.</summary>
    public struct Record
    {
        /// <summary>Sequence.</summary>
        public long Sequence;

        /// <summary>Payload.</summary>
        public double A, B, C, D;
    }

    /// <summary>Peer: ConcurrentQueue enqueue + dequeue.</summary>
    [Benchmark(Baseline = true)]
    public long ConcurrentQueueWriteRead()
    {
        _queue.Enqueue(new Record { Sequence = ++_n, A = _n });
        _queue.TryDequeue(out Record r);
        return r.Sequence;
    }

    /// <summary>Edge: SPSC ring write + read.</summary>
    [Benchmark]
    public long SpscRingWriteRead()
    {
        _ring.TryWrite(new Record { Sequence = ++_n, A = _n });
        _ring.TryRead(out Record r);
        return r.Sequence;
    }

    /// <summary>Peer: latest value behind a lock, write + read.</summary>
    [Benchmark]
    public long LockedLatestValueWriteRead()
    {
        lock (_gate)
        {
            _locked = new Record { Sequence = ++_n, A = _n };
        }

        lock (_gate)
        {
            return _locked.Sequence;
        }
    }

    /// <summary>Edge: triple-buffer mailbox write + read.</summary>
    [Benchmark]
    public long MailboxWriteRead()
    {
        _mailbox.Write(new Record { Sequence = ++_n, A = _n }, _n);
        _mailbox.TryRead(out Record r, out _, out _);
        return r.Sequence;
    }
}
