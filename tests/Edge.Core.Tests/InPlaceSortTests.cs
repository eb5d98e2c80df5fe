using Edge.Core.Forecast;

namespace Edge.Core.Tests;

/// <summary>The forecast's allocation-free sort: the same order as Array.Sort, and 0 B.</summary>
public sealed class InPlaceSortTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(60)]
    [InlineData(300)]
    public void It_orders_as_Array_Sort_does_with_ties_and_negatives(int n)
    {
        var random = new Random(n + 1);
        double[] values = [.. Enumerable.Range(0, n).Select(_ => Math.Round((random.NextDouble() - 0.5) * 20))]; // many ties
        double[] expected = [.. values];
        Array.Sort(expected);
        InPlaceSort.Sort(values);
        Assert.Equal(expected, values);
    }

    [Fact]
    public void Sorting_allocates_nothing()
    {
        var values = new double[300];
        var random = new Random(3);
        long allocated = 0;
        for (int round = 0; round < 50; round++)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = random.NextDouble();
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            InPlaceSort.Sort(values.AsSpan(0, 10 + (round * 5)));
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
    }
}
