using System.Diagnostics;

namespace Edge.Benchmarks.DotnetIot;

/// <summary>Time and allocation of one operation, measured on this thread after a warm-up (median of rounds).</summary>
internal static class Measure
{
    public static (double NsPerOp, double BytesPerOp) Run(Action op, int iterations, int rounds = 5)
    {
        for (int i = 0; i < Math.Min(iterations, 10_000); i++)
        {
            op(); // JIT, tiering
        }

        var ns = new List<double>();
        var bytes = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            long b0 = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < iterations; i++)
            {
                op();
            }

            long t1 = Stopwatch.GetTimestamp();
            long b1 = GC.GetAllocatedBytesForCurrentThread();
            ns.Add((t1 - t0) * 1e9 / Stopwatch.Frequency / iterations);
            bytes.Add((double)(b1 - b0) / iterations);
        }

        ns.Sort();
        bytes.Sort();
        return (ns[ns.Count / 2], bytes[bytes.Count / 2]);
    }
}
