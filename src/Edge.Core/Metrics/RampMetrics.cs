namespace Edge.Core.Metrics;

/// <summary>
/// Ramp figures over sliding windows (docs/DESIGN.md §5): for every sample j, the largest rise g(j) − g(i) and fall
/// g(i) − g(j) over the samples i before j that lie within the window (j − i ≤ window/period). Taking the extreme over
/// every pair, not just the end points, catches oscillations inside a window. O(n) with monotonic deques.
/// </summary>
public static class RampMetrics
{
    /// <summary>Result of <see cref="Compute"/>.</summary>
    /// <param name="MaxRiseWPerS">Largest rise within any window, divided by the window length, W/s.</param>
    /// <param name="MaxFallWPerS">Largest fall within any window, divided by the window length, W/s.</param>
    /// <param name="ViolationS">Time (periods × period) whose window breaks a limit beyond tolerance, s.</param>
    /// <param name="DynamicRangeNeededW">Smallest dynamic range that would make <paramref name="ViolationS"/> zero, W.</param>
    public readonly record struct Result(double MaxRiseWPerS, double MaxFallWPerS, double ViolationS, double DynamicRangeNeededW);

    /// <summary>Computes the ramp figures of <paramref name="gridW"/>.</summary>
    public static Result Compute(ReadOnlySpan<double> gridW, MetricsOptions o)
    {
        int n = gridW.Length;
        int w = WindowSamples(o);
        double riseLimitW = o.RampUpWPerS * o.RampWindowS;
        double fallLimitW = o.RampDownWPerS * o.RampWindowS;
        double riseAllowedW = (riseLimitW + o.DynamicRangeW) * (1 + MetricsOptions.RampTolerance);
        double fallAllowedW = (fallLimitW + o.DynamicRangeW) * (1 + MetricsOptions.RampTolerance);
        var rise = new double[n];
        var fall = new double[n];
        Rolling(gridW, w, rise, fall);

        double maxRiseW = 0, maxFallW = 0, neededW = 0;
        long violations = 0;
        for (int j = 1; j < n; j++)
        {
            maxRiseW = Math.Max(maxRiseW, rise[j]);
            maxFallW = Math.Max(maxFallW, fall[j]);
            if (rise[j] > riseAllowedW || fall[j] > fallAllowedW)
            {
                violations++;
            }

            neededW = Math.Max(neededW, Math.Max(rise[j] - riseLimitW, fall[j] - fallLimitW));
        }

        double windowS = w * o.PeriodS;
        return new Result(maxRiseW / windowS, maxFallW / windowS, violations * o.PeriodS, neededW);
    }

    /// <summary>The ramp window in samples (at least one).</summary>
    public static int WindowSamples(MetricsOptions o) => Math.Max(1, (int)Math.Round(o.RampWindowS / o.PeriodS));

    /// <summary>
    /// For every sample j: the largest rise <c>g(j) − min g(i)</c> and fall <c>max g(i) − g(j)</c> over the
    /// <paramref name="windowSamples"/> samples before j (0 for j = 0), W. Monotonic deques keep it O(n).
    /// </summary>
    public static void Rolling(ReadOnlySpan<double> gridW, int windowSamples, Span<double> riseW, Span<double> fallW)
    {
        int n = gridW.Length;
        var minQ = new int[n + 1];
        var maxQ = new int[n + 1];
        int minHead = 0, minTail = 0, maxHead = 0, maxTail = 0;
        for (int j = 0; j < n; j++)
        {
            if (j > 0)
            {
                int i = j - 1;
                while (minTail > minHead && gridW[minQ[minTail - 1]] >= gridW[i])
                {
                    minTail--;
                }

                minQ[minTail++] = i;
                while (maxTail > maxHead && gridW[maxQ[maxTail - 1]] <= gridW[i])
                {
                    maxTail--;
                }

                maxQ[maxTail++] = i;
            }

            while (minTail > minHead && minQ[minHead] < j - windowSamples)
            {
                minHead++;
            }

            while (maxTail > maxHead && maxQ[maxHead] < j - windowSamples)
            {
                maxHead++;
            }

            riseW[j] = minTail == minHead ? 0 : gridW[j] - gridW[minQ[minHead]];
            fallW[j] = maxTail == maxHead ? 0 : gridW[maxQ[maxHead]] - gridW[j];
        }
    }
}
