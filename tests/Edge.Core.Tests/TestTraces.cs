namespace Edge.Core.Tests;

/// <summary>Random but seeded load traces with the features that stress a smoothing controller.</summary>
internal static class TestTraces
{
    /// <summary>
    /// Steps between random levels (0.1–1 × peak) held 0.1–30 s, bursts of square-wave oscillation (0.2–3 Hz, like
    /// training iterations), and white noise. Starts at half the peak.
    /// </summary>
    public static double[] Random(int seed, double durationS, double periodS, double peakW)
    {
        var rng = new Random(seed);
        int n = (int)(durationS / periodS);
        var load = new double[n];
        int k = 0;
        double level = 0.5 * peakW;
        for (; k < Math.Min(n, (int)(5 / periodS)); k++)
        {
            load[k] = level;
        }

        while (k < n)
        {
            int hold = (int)((0.1 + (rng.NextDouble() * 30)) / periodS);
            bool oscillate = rng.NextDouble() < 0.4;
            double low = (0.1 + (0.3 * rng.NextDouble())) * peakW;
            double high = (0.7 + (0.3 * rng.NextDouble())) * peakW;
            double freqHz = 0.2 + (rng.NextDouble() * 2.8);
            for (int i = 0; i < hold && k < n; i++, k++)
            {
                double t = i * periodS;
                double v = oscillate ? (Math.Sin(2 * Math.PI * freqHz * t) >= 0 ? high : low) : level;
                load[k] = Math.Clamp(v + (0.01 * peakW * (rng.NextDouble() - 0.5)), 0, peakW);
            }

            level = (0.1 + (0.9 * rng.NextDouble())) * peakW;
        }

        return load;
    }

    /// <summary>
    /// For every sample j, the lowest and highest sample in the <paramref name="w"/> samples before it (NaN for j = 0),
    /// by monotonic deques: O(n), so the properties can be checked on long traces.
    /// </summary>
    public static (double[] Min, double[] Max) PrecedingExtremes(double[] g, int w)
    {
        var min = new double[g.Length];
        var max = new double[g.Length];
        var minQ = new LinkedList<int>();
        var maxQ = new LinkedList<int>();
        for (int j = 0; j < g.Length; j++)
        {
            if (j > 0)
            {
                while (minQ.Count > 0 && g[minQ.Last!.Value] >= g[j - 1])
                {
                    minQ.RemoveLast();
                }

                minQ.AddLast(j - 1);
                while (maxQ.Count > 0 && g[maxQ.Last!.Value] <= g[j - 1])
                {
                    maxQ.RemoveLast();
                }

                maxQ.AddLast(j - 1);
            }

            while (minQ.Count > 0 && minQ.First!.Value < j - w)
            {
                minQ.RemoveFirst();
            }

            while (maxQ.Count > 0 && maxQ.First!.Value < j - w)
            {
                maxQ.RemoveFirst();
            }

            min[j] = minQ.Count > 0 ? g[minQ.First!.Value] : double.NaN;
            max[j] = maxQ.Count > 0 ? g[maxQ.First!.Value] : double.NaN;
        }

        return (min, max);
    }

    /// <summary>A square wave between <paramref name="lowW"/> and <paramref name="highW"/>.</summary>
    public static double[] Square(double lowW, double highW, double freqHz, double durationS, double periodS) =>
        Enumerable.Range(0, (int)(durationS / periodS))
            .Select(k => Math.Sin(2 * Math.PI * freqHz * k * periodS) >= 0 ? highW : lowW).ToArray();
}
