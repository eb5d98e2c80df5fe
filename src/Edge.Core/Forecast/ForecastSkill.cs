namespace Edge.Core.Forecast;

/// <summary>
/// Which of two forecasts has been the better one lately, measured: every round each forecast's first
/// <see cref="LeadS"/> seconds (as 1 s means) are kept; once that time has passed they are scored against the 1 s
/// means that came (the absolute error summed over the lead), and each forecast's error is smoothed over rounds
/// (exponentially, <see cref="Smoothing"/> per round: ≈ 20 rounds, 20 s at 1 Hz). <see cref="WeightB"/> is
/// errorA² / (errorA² + errorB²) — the better forecast weighs more, a much better one nearly all — and ½ before the
/// first score. A blend rather than a choice: switching from one forecast to the other between rounds moved the plan
/// by the whole difference at once (measured on the MW cluster of docs/planner.md: choosing 1.44× the bound and a band
/// ratio of 3.9e-5, blending 1.40× and 2.2e-5).
/// <para>Pure and deterministic; every buffer allocated in the constructor; no allocation per round. Not thread-safe.</para>
/// </summary>
public sealed class ForecastSkill
{
    /// <summary>How far ahead each forecast is scored, s.</summary>
    public const int LeadS = 30;

    /// <summary>The weight of each new score in the smoothed error.</summary>
    public const double Smoothing = 0.05;

    private const int Slots = 128;
    private readonly double[] _a = new double[Slots * LeadS];
    private readonly double[] _b = new double[Slots * LeadS];
    private readonly long[] _issuedAtBin = new long[Slots];
    private readonly bool[] _pending = new bool[Slots];
    private int _next;

    /// <summary>Forecast A's smoothed error (W summed over <see cref="LeadS"/> 1 s means); NaN before the first score.</summary>
    public double ErrorAW { get; private set; } = double.NaN;

    /// <summary>Forecast B's smoothed error, as <see cref="ErrorAW"/>.</summary>
    public double ErrorBW { get; private set; } = double.NaN;

    /// <summary>Forecasts scored so far.</summary>
    public long Scored { get; private set; }

    /// <summary>The weight of forecast B in the blend (A's is 1 − this), 0…1; ½ before the first score.</summary>
    public double WeightB
    {
        get
        {
            if (double.IsNaN(ErrorAW))
            {
                return 0.5;
            }

            double a2 = ErrorAW * ErrorAW;
            return a2 / (a2 + (ErrorBW * ErrorBW) + 1e-9);
        }
    }

    /// <summary>
    /// Keeps both forecasts made after 1 s bin <paramref name="atBin"/> (as <see cref="PhasePredictor.Bins"/> counts them) — values at
    /// <paramref name="stepS"/> steps (k: the load at (k + 1)·stepS), at least <see cref="LeadS"/> s of them — as 1 s means.
    /// </summary>
    public void Issue(long atBin, ReadOnlySpan<double> forecastAW, ReadOnlySpan<double> forecastBW, double stepS)
    {
        int perS = (int)Math.Round(1 / stepS);
        if (forecastAW.Length < LeadS * perS || forecastBW.Length < LeadS * perS)
        {
            throw new ArgumentException($"Need {LeadS} s of each forecast.");
        }

        int slot = _next;
        _next = (_next + 1) % Slots;
        _issuedAtBin[slot] = atBin;
        _pending[slot] = true;
        for (int s = 0; s < LeadS; s++)
        {
            double sumA = 0;
            double sumB = 0;
            for (int i = 0; i < perS; i++)
            {
                sumA += forecastAW[(s * perS) + i];
                sumB += forecastBW[(s * perS) + i];
            }

            _a[(slot * LeadS) + s] = sumA / perS;
            _b[(slot * LeadS) + s] = sumB / perS;
        }
    }

    /// <summary>Scores every kept forecast whose <see cref="LeadS"/> seconds have come (in <paramref name="actual"/>'s 1 s bins).</summary>
    public void Score(PhasePredictor actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        for (int slot = 0; slot < Slots; slot++)
        {
            if (!_pending[slot] || _issuedAtBin[slot] + LeadS > actual.Bins)
            {
                continue;
            }

            _pending[slot] = false;
            double errorA = 0;
            double errorB = 0;
            bool complete = true;
            for (int s = 0; s < LeadS && complete; s++)
            {
                double w = actual.BinW(_issuedAtBin[slot] + s + 1);
                complete = !double.IsNaN(w);
                errorA += Math.Abs(_a[(slot * LeadS) + s] - w);
                errorB += Math.Abs(_b[(slot * LeadS) + s] - w);
            }

            if (!complete)
            {
                continue; // the bins it needs have left the history (a stall longer than it)
            }

            ErrorAW = double.IsNaN(ErrorAW) ? errorA : ((1 - Smoothing) * ErrorAW) + (Smoothing * errorA);
            ErrorBW = double.IsNaN(ErrorBW) ? errorB : ((1 - Smoothing) * ErrorBW) + (Smoothing * errorB);
            Scored++;
        }
    }
}
