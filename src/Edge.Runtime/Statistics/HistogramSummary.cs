namespace Edge.Runtime.Statistics;

/// <summary>
/// Percentiles of a <see cref="LatencyHistogram"/>, ns. Each percentile is the upper bound of the bucket holding its
/// rank (never optimistic by more than the bucket width, 1.6 %), clamped to the exact maximum.
/// </summary>
/// <param name="Count">Number of values.</param>
/// <param name="P50Ns">Median, ns.</param>
/// <param name="P99Ns">99th percentile, ns.</param>
/// <param name="P999Ns">99.9th percentile, ns.</param>
/// <param name="MaxNs">Exact maximum, ns.</param>
/// <param name="MeanNs">Exact mean, ns.</param>
public readonly record struct HistogramSummary(long Count, long P50Ns, long P99Ns, long P999Ns, long MaxNs, double MeanNs)
{
    /// <summary>Median, µs.</summary>
    public double P50Us => P50Ns / 1e3;

    /// <summary>99th percentile, µs.</summary>
    public double P99Us => P99Ns / 1e3;

    /// <summary>99.9th percentile, µs.</summary>
    public double P999Us => P999Ns / 1e3;

    /// <summary>Maximum, µs.</summary>
    public double MaxUs => MaxNs / 1e3;
}
