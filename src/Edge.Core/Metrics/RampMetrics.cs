namespace Edge.Core.Metrics;

/// <summary>
/// Ramp figures of a whole series (DESIGN §5), computed by <see cref="RampTracker"/> — the one implementation, which
/// the replay also feeds one period at a time.
/// </summary>
public static class RampMetrics
{
    /// <summary>Result of <see cref="Compute"/>.</summary>
    /// <param name="MaxRiseWPerS">Largest rise within any window, divided by the window length, W/s.</param>
    /// <param name="MaxFallWPerS">Largest fall within any window, divided by the window length, W/s.</param>
    /// <param name="ViolationS">Periods whose closed trailing window holds a violating pair × period, s.</param>
    /// <param name="DynamicRangeNeededW">Smallest dynamic range that would make <paramref name="ViolationS"/> zero, W.</param>
    public readonly record struct Result(double MaxRiseWPerS, double MaxFallWPerS, double ViolationS, double DynamicRangeNeededW);

    /// <summary>Computes the ramp figures of <paramref name="gridW"/>.</summary>
    public static Result Compute(ReadOnlySpan<double> gridW, MetricsOptions o)
    {
        var tracker = new RampTracker(o);
        foreach (double g in gridW)
        {
            tracker.Add(g);
        }

        return tracker.Result();
    }

    /// <summary>
    /// The ramp window in samples: the closed interval [t − rampWindowS, t] holds this many samples before t
    /// (⌊rampWindowS / period⌋, at least one).
    /// </summary>
    public static int WindowSamples(MetricsOptions o) => Math.Max(1, (int)Math.Floor((o.RampWindowS / o.PeriodS) + 1e-9));

    /// <summary>
    /// For every sample j: the largest rise <c>g(j) − min g(i)</c> and fall <c>max g(i) − g(j)</c> over the
    /// <paramref name="windowSamples"/> samples before j (0 for j = 0), W.
    /// </summary>
    public static void Rolling(ReadOnlySpan<double> gridW, int windowSamples, Span<double> riseW, Span<double> fallW)
    {
        RampTracker tracker = RampTracker.RiseAndFall(windowSamples);
        for (int j = 0; j < gridW.Length; j++)
        {
            tracker.Add(gridW[j]);
            riseW[j] = tracker.RiseW;
            fallW[j] = tracker.FallW;
        }
    }
}
