using System.Globalization;

namespace Edge.Replay;

/// <summary>
/// Puts a streamed trace onto the control period: <see cref="Periods"/> resamples it by zero-order hold (each period
/// takes the last sample at or before its start, covering [0, duration]); <see cref="Scan"/> is the first pass that
/// checks the whole input and sizes the run before anything is replayed. Both refuse a trace longer than the period
/// limit as soon as they reach it, so an absurd time column costs neither memory nor hours.
/// </summary>
public static class TraceScan
{
    /// <summary>Replays longer than this need <c>--max-periods</c> (≈ 5.8 days at 10 ms).</summary>
    public const long DefaultMaxPeriods = 50_000_000;

    /// <summary>The first pass: reads the whole trace once, resampled, in memory independent of its length.</summary>
    public static TraceSummary Scan(ILoadTrace trace, double periodS, long maxPeriods)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var warnings = new List<string>();
        var median = new IntervalMedian();
        long samples = 0;
        double lastS = 0;
        IEnumerable<TraceSample> Counted()
        {
            foreach (TraceSample s in trace.Samples(warnings))
            {
                if (samples > 0)
                {
                    median.Add(s.TimeS - lastS);
                }

                samples++;
                lastS = s.TimeS;
                yield return s;
            }
        }

        double peak = double.NegativeInfinity, min = double.PositiveInfinity, sum = 0;
        long periods = 0;
        foreach (double w in Periods(Counted(), periodS, maxPeriods, trace.Name))
        {
            peak = Math.Max(peak, w);
            min = Math.Min(min, w);
            sum += w;
            periods++;
        }

        double rate = trace.KnownSampleRateHz ?? (median.Count > 0 ? 1.0 / median.Median() : double.PositiveInfinity);
        return new TraceSummary(trace.Name, trace.Source, trace.Format, samples, lastS, rate, periods, peak, min, sum / periods, warnings);
    }

    /// <summary>
    /// Resamples <paramref name="samples"/> (times from 0, non-decreasing) onto periods of <paramref name="periodS"/>
    /// by zero-order hold: ⌊duration / period⌋ + 1 values (at least two).
    /// </summary>
    public static IEnumerable<double> Periods(IEnumerable<TraceSample> samples, double periodS, long maxPeriods, string name)
    {
        ArgumentNullException.ThrowIfNull(samples);
        long k = 0;
        bool first = true;
        double current = 0, lastS = 0;
        foreach (TraceSample s in samples)
        {
            if (first)
            {
                first = false;
                current = s.PowerW;
                continue;
            }

            if (s.TimeS / periodS > maxPeriods)
            {
                throw TooLong(name, s.TimeS, periodS, maxPeriods);
            }

            // Periods that start before this sample hold the previous value.
            while ((k * periodS) + 1e-12 < s.TimeS)
            {
                if (k >= maxPeriods)
                {
                    throw TooLong(name, s.TimeS, periodS, maxPeriods);
                }

                yield return current;
                k++;
            }

            current = s.PowerW;
            lastS = s.TimeS;
        }

        if (first)
        {
            yield break;
        }

        long n = Math.Max(2, (long)Math.Floor((lastS / periodS) + 1e-9) + 1);
        if (n > maxPeriods)
        {
            throw TooLong(name, lastS, periodS, maxPeriods);
        }

        for (; k < n; k++)
        {
            yield return current;
        }
    }

    private static TraceFormatException TooLong(string name, double timeS, double periodS, long maxPeriods) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{name}: the trace reaches t = {timeS:G6} s, more than the limit of {maxPeriods} periods of {periodS * 1000:G4} ms ({maxPeriods * periodS / 3600:G4} h) — check the time column's unit; --max-periods N replays longer traces."));
}
