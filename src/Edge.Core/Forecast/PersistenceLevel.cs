namespace Edge.Core.Forecast;

/// <summary>
/// The level persistence predicts ("the load stays where it is"), held still through noise. The newest bin is a noisy
/// measure of where the load is: a forecast that jumps with it each round has a planner move the grid to every new
/// value within seconds — a random walk at 0.1–1 Hz, inside the band the planner exists to keep clean (on a flat 120 kW
/// load with 3 kW of noise at 0.1 s: band ratio 2.1e-2, where the smoothing controller's is 4.6e-7; docs/planner.md
/// §2). So the level moves only when the load has: at once when the newest 1 s mean is more than
/// <see cref="MoveSigmas"/> noise deviations away (a phase edge, a job's start), to the mean of the last
/// <see cref="MeanS"/> seconds when that mean is more than <see cref="DriftSigmas"/> of its own deviations away (a
/// drift). The noise deviation σ is estimated robustly from the last <see cref="NoiseS"/> seconds: the median of the
/// absolute differences of successive 1 s means, / (0.6745·√2) — phase edges, a few large differences, do not move a
/// median; a load's fast cycles count as its noise, which they are to persistence (the periodic predictor has them).
/// Fed the <see cref="PhasePredictor"/>'s 1 s means once per round (<see cref="Update"/>). Every buffer is allocated in
/// the constructor; no allocation afterwards. Not thread-safe.
/// </summary>
public sealed class PersistenceLevel
{
    /// <summary>A newest 1 s mean this many noise deviations from the level moves it there at once.</summary>
    public const double MoveSigmas = 6;

    /// <summary>A <see cref="MeanS"/> mean this many of its own noise deviations from the level moves it there.</summary>
    public const double DriftSigmas = 3;

    /// <summary>The drift mean's length, s.</summary>
    public const int MeanS = 10;

    /// <summary>The noise estimate's window, s.</summary>
    public const int NoiseS = 60;

    private const int MinDifferences = 10;

    private readonly double[] _differences = new double[NoiseS];

    /// <summary>The level, W; NaN until a bin has been seen.</summary>
    public double LevelW { get; private set; } = double.NaN;

    /// <summary>The noise deviation of a 1 s mean found by the last <see cref="Update"/>, W (NaN while too few bins).</summary>
    public double NoiseW { get; private set; } = double.NaN;

    /// <summary>Moves the level, or not, from the 1 s means of <paramref name="bins"/> (≈ 1 Hz, beside the loop). No allocation.</summary>
    public void Update(PhasePredictor bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        long newest = bins.Bins;
        double lastW = bins.LastW;
        if (double.IsNaN(lastW))
        {
            return;
        }

        int n = 0;
        for (int i = 0; i < NoiseS; i++)
        {
            double a = bins.BinW(newest - i);
            double b = bins.BinW(newest - i - 1);
            if (!double.IsNaN(a) && !double.IsNaN(b))
            {
                _differences[n++] = Math.Abs(a - b);
            }
        }

        double sumW = 0;
        int m = 0;
        for (int i = 0; i < MeanS; i++)
        {
            double w = bins.BinW(newest - i);
            if (!double.IsNaN(w))
            {
                sumW += w;
                m++;
            }
        }

        double meanW = sumW / m; // m ≥ 1: the newest bin is held
        if (n < MinDifferences || double.IsNaN(LevelW))
        {
            NoiseW = double.NaN;
            LevelW = meanW; // too little seen to tell noise from moves: the mean of what there is
            return;
        }

        InPlaceSort.Sort(_differences.AsSpan(0, n));
        double sigmaW = _differences[n / 2] / (0.6745 * Math.Sqrt(2));
        NoiseW = sigmaW;
        if (Math.Abs(lastW - LevelW) > MoveSigmas * sigmaW)
        {
            LevelW = lastW;
        }
        else if (Math.Abs(meanW - LevelW) > DriftSigmas * sigmaW / Math.Sqrt(m))
        {
            LevelW = meanW;
        }
    }
}
