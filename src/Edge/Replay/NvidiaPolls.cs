using System.Globalization;

namespace Edge.Replay;

/// <summary>
/// Sums nvidia-smi rows (one per GPU per poll) into polls, one poll at a time. With an <c>index</c> column a poll
/// ends when a GPU index repeats. Without one, the GPU is only the row's position within its poll, so polls are
/// told apart by time: the gaps between consecutive rows are bimodal (within a poll ≈ 0–50 ms, between polls ≈ the
/// -lms interval), and Otsu's threshold (<see cref="GapThreshold"/>, learnt from the first rows) splits them; the GPU
/// count is the most common poll size. A partial poll (a GPU row missing) takes the missing GPUs' previous values
/// and is reported.
/// </summary>
internal sealed class NvidiaPolls
{
    /// <summary>GPU indices accepted: 0 … MaxGpus − 1.</summary>
    public const int MaxGpus = 4097;

    private readonly double[] _last = new double[MaxGpus];
    private readonly bool[] _seen = new bool[MaxGpus];
    private int _gpuCount;
    private long _polls, _partial;

    public NvidiaPolls(int gpuCount)
    {
        _gpuCount = Math.Clamp(gpuCount, 1, MaxGpus);
        Array.Fill(_last, double.NaN);
    }

    public bool Seen(int gpu) => _seen[gpu];

    public void Set(int gpu, double powerW)
    {
        _gpuCount = Math.Max(_gpuCount, gpu + 1);
        _seen[gpu] = true;
        _last[gpu] = powerW;
    }

    /// <summary>Closes the poll: the sum over every GPU, a missing one at its previous value.</summary>
    public double EndPoll()
    {
        _polls++;
        if (Array.IndexOf(_seen, false, 0, _gpuCount) >= 0)
        {
            _partial++;
        }

        Array.Clear(_seen, 0, _gpuCount);
        double known = 0;
        int count = 0;
        for (int g = 0; g < _gpuCount; g++)
        {
            if (!double.IsNaN(_last[g]))
            {
                known += _last[g];
                count++;
            }
        }

        // Before every GPU has been seen once, a missing one is estimated as the mean of the others.
        double estimate = count > 0 ? known / count : 0;
        return known + ((_gpuCount - count) * estimate);
    }

    public void Report(ICollection<string>? warnings, double? gapThresholdS)
    {
        if (warnings is null)
        {
            return;
        }

        if (_partial > 0)
        {
            warnings.Add($"nvidia-smi log: {_partial} of {_polls} polls were partial (fewer than {_gpuCount} GPU rows); missing GPUs kept their previous value.");
        }

        if (gapThresholdS is { } threshold)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture, $"nvidia-smi log: {_gpuCount} GPUs per poll (told apart by a {threshold * 1000:F0} ms gap between polls); power summed per poll."));
        }
    }

    /// <summary>The most common size of the groups of rows separated by gaps longer than <paramref name="thresholdS"/> (ties: the smaller).</summary>
    public static int MostCommonGroupSize(List<double> times, double thresholdS)
    {
        var sizes = new Dictionary<int, int>();
        int start = 0;
        for (int i = 1; i <= times.Count; i++)
        {
            if (i == times.Count || times[i] - times[i - 1] > thresholdS)
            {
                int size = i - start;
                sizes[size] = sizes.GetValueOrDefault(size) + 1;
                start = i;
            }
        }

        return sizes.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First().Key;
    }

    /// <summary>Otsu's threshold on the row-to-row gaps; −1 (every row its own poll) when they are not bimodal.</summary>
    public static double GapThreshold(List<double> times)
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
}
