using System.Globalization;

namespace Edge.Replay;

/// <summary>
/// Groups nvidia-smi rows (one per GPU per poll) into polls and sums each poll's power. With an <c>index</c> column
/// a poll ends when a GPU index repeats. Without one, the GPU is only the row's position within its poll, so polls
/// are told apart by time: the gaps between consecutive rows are bimodal (within a poll ≈ 0–50 ms, between polls
/// ≈ the -lms interval), and Otsu's threshold splits them. The GPU count is the most common poll size; a partial
/// poll (a GPU row missing) takes the missing GPUs' previous values and is reported.
/// </summary>
internal static class NvidiaPolls
{
    public static (double[] Times, double[] Powers) ByIndex(List<double> times, List<double> powers, List<int> gpu, List<string> warnings)
    {
        int gpuCount = 0;
        foreach (int g in gpu)
        {
            gpuCount = Math.Max(gpuCount, g + 1);
        }

        var last = new double[gpuCount];
        Array.Fill(last, double.NaN);
        var seen = new bool[gpuCount];
        var outT = new List<double>();
        var outP = new List<double>();
        double pollStart = times[0];
        int partial = 0;
        for (int i = 0; i <= times.Count; i++)
        {
            bool end = i == times.Count || seen[gpu[i]];
            if (end)
            {
                if (Array.IndexOf(seen, false) >= 0)
                {
                    partial++;
                }

                outT.Add(pollStart);
                outP.Add(SumFilling(last));
                Array.Clear(seen);
                if (i == times.Count)
                {
                    break;
                }

                pollStart = times[i];
            }

            seen[gpu[i]] = true;
            last[gpu[i]] = powers[i];
        }

        Report(partial, outT.Count, gpuCount, warnings);
        return ([.. outT], [.. outP]);
    }

    public static (double[] Times, double[] Powers) ByGap(List<double> times, List<double> powers, List<string> warnings)
    {
        double threshold = GapThreshold(times);
        // Group by gaps, then take the most common group size as the GPU count.
        var groups = new List<(int Start, int Count)>();
        int start = 0;
        for (int i = 1; i <= times.Count; i++)
        {
            if (i == times.Count || times[i] - times[i - 1] > threshold)
            {
                groups.Add((start, i - start));
                start = i;
            }
        }

        int gpuCount = groups.GroupBy(g => g.Count).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var last = new double[gpuCount];
        Array.Fill(last, double.NaN);
        var outT = new List<double>();
        var outP = new List<double>();
        int partial = 0;
        foreach ((int s, int count) in groups)
        {
            // A group longer than the GPU count holds several polls whose gap was not visible: split it.
            for (int offset = 0; offset < count; offset += gpuCount)
            {
                int n = Math.Min(gpuCount, count - offset);
                if (n < gpuCount)
                {
                    partial++;
                }

                for (int g = 0; g < n; g++)
                {
                    last[g] = powers[s + offset + g];
                }

                outT.Add(times[s + offset]);
                outP.Add(SumFilling(last));
            }
        }

        Report(partial, outT.Count, gpuCount, warnings);
        if (gpuCount > 1)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture, $"nvidia-smi log: {gpuCount} GPUs per poll (told apart by a {threshold * 1000:F0} ms gap between polls); power summed per poll."));
        }

        return ([.. outT], [.. outP]);
    }

    /// <summary>Otsu's threshold on the row-to-row gaps; +∞ gap (one row per poll) when they are not bimodal.</summary>
    internal static double GapThreshold(List<double> times)
    {
        var gaps = new double[times.Count - 1];
        for (int i = 1; i < times.Count; i++)
        {
            gaps[i - 1] = times[i] - times[i - 1];
        }

        Array.Sort(gaps);
        int n = gaps.Length;
        double total = 0;
        foreach (double g in gaps)
        {
            total += g;
        }

        double best = -1, bestSplit = 0, lowSum = 0, lowMean = 0, highMean = 0;
        for (int k = 1; k < n; k++)
        {
            lowSum += gaps[k - 1];
            if (gaps[k] == gaps[k - 1])
            {
                continue;
            }

            double w0 = (double)k / n, w1 = 1 - w0;
            double m0 = lowSum / k, m1 = (total - lowSum) / (n - k);
            double between = w0 * w1 * (m0 - m1) * (m0 - m1);
            if (between > best)
            {
                best = between;
                bestSplit = (gaps[k - 1] + gaps[k]) / 2;
                lowMean = m0;
                highMean = m1;
            }
        }

        // Bimodal only if the polls' gaps are clearly longer than the gaps inside a poll.
        return best > 0 && highMean > (3 * lowMean) + 0.005 ? bestSplit : -1;
    }

    private static double SumFilling(double[] last)
    {
        double sum = 0, known = 0;
        int count = 0;
        foreach (double v in last)
        {
            if (!double.IsNaN(v))
            {
                known += v;
                count++;
            }
        }

        // Before every GPU has been seen once, a missing one is estimated as the mean of the others.
        double estimate = count > 0 ? known / count : 0;
        foreach (double v in last)
        {
            sum += double.IsNaN(v) ? estimate : v;
        }

        return sum;
    }

    private static void Report(int partial, int polls, int gpuCount, List<string> warnings)
    {
        if (partial > 0)
        {
            warnings.Add($"nvidia-smi log: {partial} of {polls} polls were partial (fewer than {gpuCount} GPU rows); missing GPUs kept their previous value.");
        }
    }
}
