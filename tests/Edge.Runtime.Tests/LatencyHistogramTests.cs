using Edge.Runtime.Statistics;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Every_value_lies_within_its_bucket_and_buckets_are_at_most_one_64th_wide()
    {
        var random = new Random(1234);
        for (int i = 0; i < 200_000; i++)
        {
            long v = (long)Math.Pow(2, random.NextDouble() * 40);
            int index = LatencyHistogram.IndexOf(v);
            long lower = LatencyHistogram.LowerBoundNs(index);
            long upper = LatencyHistogram.UpperBoundNs(index);
            Assert.InRange(v, lower, upper);
            if (index < LatencyHistogram.BucketCount - 1)
            {
                Assert.True(upper - lower <= Math.Max(0, lower / 64), $"bucket {index} [{lower}, {upper}] too wide");
                Assert.Equal(upper + 1, LatencyHistogram.LowerBoundNs(index + 1)); // contiguous, no gaps
            }
        }
    }

    [Fact]
    public void Small_values_are_exact()
    {
        var h = new LatencyHistogram();
        for (int v = 0; v < 100; v++)
        {
            h.Record(v);
        }

        HistogramSummary s = h.Summarize();
        Assert.Equal(100, s.Count);
        Assert.Equal(49, s.P50Ns);  // rank 50 of 0..99
        Assert.Equal(98, s.P99Ns);  // rank 99
        Assert.Equal(99, s.P999Ns); // rank 100
        Assert.Equal(99, s.MaxNs);
        Assert.Equal(49.5, s.MeanNs, 9);
        Assert.Equal(0, h.MinNs);
    }

    [Fact]
    public void Uniform_distribution_percentiles_are_within_bucket_precision()
    {
        var h = new LatencyHistogram();
        for (long v = 1; v <= 1_000_000; v++)
        {
            h.Record(v * 100); // 100 ns .. 100 ms, uniform
        }

        HistogramSummary s = h.Summarize();
        AssertNear(50_000_000, s.P50Ns);
        AssertNear(99_000_000, s.P99Ns);
        AssertNear(99_900_000, s.P999Ns);
        Assert.Equal(100_000_000, s.MaxNs);
        Assert.True(s.P50Ns >= 50_000_000, "percentiles are bucket upper bounds: never optimistic");
    }

    [Fact]
    public void Bimodal_distribution_separates_the_tail()
    {
        var h = new LatencyHistogram();
        for (int i = 0; i < 9_950; i++)
        {
            h.Record(15_000); // 15 µs wake-ups
        }

        for (int i = 0; i < 50; i++)
        {
            h.Record(3_000_000 + i); // 0.5 % VM stalls of 3 ms
        }

        HistogramSummary s = h.Summarize();
        AssertNear(15_000, s.P50Ns);
        AssertNear(15_000, s.P99Ns);
        AssertNear(3_000_000, s.P999Ns);
        Assert.Equal(3_000_049, s.MaxNs);
        Assert.Equal(50, h.CountAtOrAbove(1_000_000));
    }

    [Fact]
    public void Interval_percentiles_come_from_differences_of_copies()
    {
        var h = new LatencyHistogram();
        for (int i = 0; i < 1000; i++)
        {
            h.Record(1_000);
        }

        long[] before = new long[LatencyHistogram.BucketCount];
        h.CopyCountsTo(before);
        for (int i = 0; i < 1000; i++)
        {
            h.Record(500_000);
        }

        long[] after = new long[LatencyHistogram.BucketCount];
        h.CopyCountsTo(after);
        for (int i = 0; i < after.Length; i++)
        {
            after[i] -= before[i];
        }

        AssertNear(500_000, LatencyHistogram.ValueAtQuantile(after, 0.5));
        Assert.Equal(0, LatencyHistogram.ValueAtQuantile(new long[LatencyHistogram.BucketCount], 0.5));
    }

    [Fact]
    public void Reset_empties_and_huge_or_negative_values_are_kept_in_range()
    {
        var h = new LatencyHistogram();
        h.Record(-5);
        h.Record(long.MaxValue / 2);
        Assert.Equal(long.MaxValue / 2, h.MaxNs);
        Assert.Equal(0, h.MinNs);
        Assert.Equal(long.MaxValue / 2, h.Summarize().P999Ns);

        h.Reset();
        Assert.Equal(0, h.Count);
        Assert.Equal(default, h.Summarize());
    }

    [Fact]
    public void Recording_allocates_nothing()
    {
        var h = new LatencyHistogram();
        h.Record(1);
        _ = h.Summarize();
        Action pass = () =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                h.Record(i * 37L);
            }

            _ = h.Summarize();
        };
        Assert.Equal(0, SteadyAllocations.PerPassMinimum(pass));
    }

    private static void AssertNear(long expected, long actual) =>
        Assert.True(Math.Abs(actual - expected) <= (expected / 64) + 1, $"expected {expected} ± 1/64, got {actual}");
}
