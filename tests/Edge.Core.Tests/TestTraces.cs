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

    /// <summary>A square wave between <paramref name="lowW"/> and <paramref name="highW"/>.</summary>
    public static double[] Square(double lowW, double highW, double freqHz, double durationS, double periodS) =>
        Enumerable.Range(0, (int)(durationS / periodS))
            .Select(k => Math.Sin(2 * Math.PI * freqHz * k * periodS) >= 0 ? highW : lowW).ToArray();
}
