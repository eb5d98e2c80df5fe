namespace Edge.Core.Forecast;

/// <summary>
/// Sorts doubles ascending in place, allocating nothing on any runtime. <c>Array.Sort</c> does not guarantee that: the
/// natively compiled edge (Native AOT) allocated 48 B per call beside the loop, which a daemon that stays GC-free in
/// steady state cannot have (seen in PlannerDaemonTests under tests/native.sh). Heapsort: O(n log n) worst case, no
/// recursion; for the forecast's few hundred values per round. NaN must not be among the values.
/// </summary>
internal static class InPlaceSort
{
    /// <summary>Sorts <paramref name="values"/> ascending.</summary>
    public static void Sort(Span<double> values)
    {
        int n = values.Length;
        for (int root = (n / 2) - 1; root >= 0; root--)
        {
            SiftDown(values, root, n);
        }

        for (int end = n - 1; end > 0; end--)
        {
            (values[0], values[end]) = (values[end], values[0]);
            SiftDown(values, 0, end);
        }
    }

    private static void SiftDown(Span<double> values, int root, int count)
    {
        while (true)
        {
            int child = (2 * root) + 1;
            if (child >= count)
            {
                return;
            }

            if (child + 1 < count && values[child + 1] > values[child])
            {
                child++;
            }

            if (values[root] >= values[child])
            {
                return;
            }

            (values[root], values[child]) = (values[child], values[root]);
            root = child;
        }
    }
}
