namespace Edge.Replay;

/// <summary>
/// The median of the positive intervals between samples in bounded memory: a histogram of 2000 logarithmic bins
/// per decade (±0.06 %) from 1 ns to 10⁹ s holding each bin's count and sum; the median is the mean of the
/// intervals in the bin that holds it, so a regular trace gets its interval back to rounding.
/// </summary>
internal sealed class IntervalMedian
{
    private const int BinsPerDecade = 2000;
    private const double LowS = 1e-9;
    private const int Bins = 18 * BinsPerDecade;
    private readonly long[] _count = new long[Bins];
    private readonly double[] _sum = new double[Bins];

    public long Count { get; private set; }

    public void Add(double intervalS)
    {
        if (!(intervalS > 0))
        {
            return;
        }

        int bin = (int)Math.Clamp(Math.Floor(Math.Log10(intervalS / LowS) * BinsPerDecade), 0, Bins - 1);
        _count[bin]++;
        _sum[bin] += intervalS;
        Count++;
    }

    public double Median()
    {
        long index = Count / 2, seen = 0; // the upper median, as a sorted list's [Count / 2]
        for (int b = 0; b < Bins; b++)
        {
            seen += _count[b];
            if (seen > index)
            {
                return _sum[b] / _count[b];
            }
        }

        return double.NaN;
    }
}
