using System.Numerics;

namespace Edge.Runtime.Statistics;

/// <summary>
/// A fixed-bucket, log-linear histogram of durations in ns (the HDR-histogram layout): values below 128 ns get one
/// bucket each; above, every power of two is split into 64 equal buckets, so any recorded value is known to within
/// 1/64 (1.6 %) — 15 µs to ±0.12 µs, 1 ms to ±8 µs. Values up to 2^37 ns (≈ 137 s) have their own bucket, larger
/// ones share the last; the exact maximum is kept separately. 2 240 buckets, allocated once.
/// <para>
/// Threading: one writer (the loop thread) calls <see cref="Record"/> and <see cref="Reset"/>; any thread may read
/// (<see cref="Summarize"/>, <see cref="CopyCountsTo"/>) at any time without locks. Counts only grow between resets
/// and every 64-bit store is atomic, so a concurrent reader sees a slightly older but self-consistent-enough picture
/// (its total is the sum of the counts it read, so its percentiles are always valid ranks).
/// </para>
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;   // 64
    private const int LinearLimit = 2 * SubBuckets;       // 128: below this, bucket = value
    private const int MaxLog2 = 37;

    /// <summary>Number of buckets.</summary>
    public const int BucketCount = (MaxLog2 - SubBucketBits + 2) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _sumNs;
    private long _maxNs;
    private long _minNs = long.MaxValue;

    /// <summary>Number of values recorded since the last reset.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Largest value recorded since the last reset, ns (0 when empty).</summary>
    public long MaxNs => Volatile.Read(ref _maxNs);

    /// <summary>Smallest value recorded since the last reset, ns (0 when empty).</summary>
    public long MinNs => Count == 0 ? 0 : Volatile.Read(ref _minNs);

    /// <summary>Records one duration (negative values count as 0). Writer thread only; allocation-free.</summary>
    public void Record(long valueNs)
    {
        if (valueNs < 0)
        {
            valueNs = 0;
        }

        int index = IndexOf(valueNs);
        Volatile.Write(ref _counts[index], _counts[index] + 1);
        Volatile.Write(ref _sumNs, _sumNs + valueNs);
        if (valueNs > _maxNs)
        {
            Volatile.Write(ref _maxNs, valueNs);
        }

        if (valueNs < _minNs)
        {
            Volatile.Write(ref _minNs, valueNs);
        }

        // Count last: a reader that sees the count sees at least as many bucket increments (release order).
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Forgets everything. Writer thread only.</summary>
    public void Reset()
    {
        Volatile.Write(ref _count, 0);
        Array.Clear(_counts);
        Volatile.Write(ref _sumNs, 0);
        Volatile.Write(ref _maxNs, 0);
        Volatile.Write(ref _minNs, long.MaxValue);
    }

    /// <summary>The bucket a value falls in.</summary>
    public static int IndexOf(long valueNs)
    {
        if (valueNs < LinearLimit)
        {
            return (int)Math.Max(valueNs, 0);
        }

        int log2 = BitOperations.Log2((ulong)valueNs);
        if (log2 > MaxLog2)
        {
            return BucketCount - 1;
        }

        int shift = log2 - SubBucketBits;                 // ≥ 1
        int sub = (int)(valueNs >> shift) - SubBuckets;   // 0..63
        return ((shift + 1) * SubBuckets) + sub;
    }

    /// <summary>Smallest value that falls in bucket <paramref name="index"/>, ns.</summary>
    public static long LowerBoundNs(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        int shift = (index / SubBuckets) - 1;
        return (long)(SubBuckets + (index % SubBuckets)) << shift;
    }

    /// <summary>Largest value that falls in bucket <paramref name="index"/>, ns.</summary>
    public static long UpperBoundNs(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        if (index == BucketCount - 1)
        {
            return long.MaxValue;
        }

        int shift = (index / SubBuckets) - 1;
        return LowerBoundNs(index) + (1L << shift) - 1;
    }

    /// <summary>Copies the bucket counts into <paramref name="destination"/> (at least <see cref="BucketCount"/> long).</summary>
    public void CopyCountsTo(Span<long> destination)
    {
        if (destination.Length < BucketCount)
        {
            throw new ArgumentException($"Needs {BucketCount} slots.", nameof(destination));
        }

        for (int i = 0; i < BucketCount; i++)
        {
            destination[i] = Volatile.Read(ref _counts[i]);
        }
    }

    /// <summary>Percentiles, maximum and mean of what has been recorded. Any thread; allocation-free.</summary>
    public HistogramSummary Summarize()
    {
        long maxNs = MaxNs;
        long sumNs = Volatile.Read(ref _sumNs);
        long total = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            total += Volatile.Read(ref _counts[i]);
        }

        if (total == 0)
        {
            return default;
        }

        long p50 = 0, p99 = 0, p999 = 0;
        long rank50 = Rank(total, 0.50), rank99 = Rank(total, 0.99), rank999 = Rank(total, 0.999);
        long cumulative = 0;
        for (int i = 0; i < BucketCount && cumulative < rank999; i++)
        {
            long c = Volatile.Read(ref _counts[i]);
            if (c == 0)
            {
                continue;
            }

            cumulative += c;
            long value = Math.Min(UpperBoundNs(i), Math.Max(maxNs, LowerBoundNs(i)));
            if (p50 == 0 && cumulative >= rank50)
            {
                p50 = value;
            }

            if (p99 == 0 && cumulative >= rank99)
            {
                p99 = value;
            }

            if (cumulative >= rank999)
            {
                p999 = value;
            }
        }

        return new HistogramSummary(total, p50, p99, p999, Math.Max(maxNs, p999), (double)sumNs / total);
    }

    /// <summary>
    /// The value at <paramref name="quantile"/> (0–1] of counts in <paramref name="counts"/> (a copy made with
    /// <see cref="CopyCountsTo"/>, or the difference of two copies for an interval): the upper bound of the bucket
    /// holding that rank, i.e. "at least this fraction of values were ≤ the result". 0 when empty.
    /// </summary>
    public static long ValueAtQuantile(ReadOnlySpan<long> counts, double quantile)
    {
        long total = 0;
        foreach (long c in counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return 0;
        }

        long rank = Rank(total, quantile);
        long cumulative = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            cumulative += counts[i];
            if (cumulative >= rank)
            {
                return UpperBoundNs(i);
            }
        }

        return UpperBoundNs(counts.Length - 1);
    }

    /// <summary>Number of values at or above <paramref name="thresholdNs"/> (exact at bucket boundaries, else by bucket).</summary>
    public long CountAtOrAbove(long thresholdNs)
    {
        long n = 0;
        for (int i = IndexOf(thresholdNs); i < BucketCount; i++)
        {
            n += Volatile.Read(ref _counts[i]);
        }

        return n;
    }

    private static long Rank(long total, double quantile) =>
        Math.Clamp((long)Math.Ceiling(quantile * total), 1, total);
}
