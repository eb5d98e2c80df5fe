namespace Edge.Core.Metrics;

/// <summary>
/// Live estimate of in-band power, for publishing while the loop runs (the offline figure is Welch's, in
/// <see cref="GridMetrics"/>). Each signal goes through a band-pass — a second-order Butterworth high-pass at
/// <c>lowHz</c> then a second-order Butterworth low-pass at <c>highHz</c> (bilinear transform with pre-warping) — and
/// its square is averaged exponentially over <c>averagingS</c>. <see cref="Ratio"/> is grid over load, the live
/// counterpart of <c>band_energy_ratio</c>. Allocation-free; call <see cref="Add"/> once per period.
/// </summary>
public sealed class BandMonitor
{
    private readonly Biquad _loadHigh, _loadLow, _gridHigh, _gridLow;
    private readonly double _alpha;

    /// <summary>Creates the monitor for a fixed period.</summary>
    public BandMonitor(double periodS, double lowHz = 0.1, double highHz = 20, double averagingS = 100)
    {
        if (!(periodS > 0) || !(lowHz > 0) || !(averagingS > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(periodS), "Period, band edge and averaging time must be positive.");
        }

        double rateHz = 1 / periodS;
        double high = Math.Min(highHz, 0.45 * rateHz);
        _loadHigh = Biquad.HighPass(lowHz, rateHz);
        _gridHigh = Biquad.HighPass(lowHz, rateHz);
        _loadLow = Biquad.LowPass(high, rateHz);
        _gridLow = Biquad.LowPass(high, rateHz);
        _alpha = -double.ExpM1(-periodS / averagingS);
    }

    /// <summary>Mean-square in-band load, W².</summary>
    public double LoadPowerW2 { get; private set; }

    /// <summary>Mean-square in-band grid, W².</summary>
    public double GridPowerW2 { get; private set; }

    /// <summary>In-band RMS of the grid, W.</summary>
    public double GridRmsW => Math.Sqrt(GridPowerW2);

    /// <summary>Grid over load in-band power (NaN until the load has any).</summary>
    public double Ratio => LoadPowerW2 > 0 ? GridPowerW2 / LoadPowerW2 : double.NaN;

    /// <summary>Adds one period's load and grid power.</summary>
    public void Add(double loadW, double gridW)
    {
        if (!double.IsFinite(loadW) || !double.IsFinite(gridW))
        {
            return;
        }

        double l = _loadLow.Step(_loadHigh.Step(loadW));
        double g = _gridLow.Step(_gridHigh.Step(gridW));
        LoadPowerW2 += _alpha * ((l * l) - LoadPowerW2);
        GridPowerW2 += _alpha * ((g * g) - GridPowerW2);
    }

    /// <summary>Direct-form-I biquad section.</summary>
    private sealed class Biquad(double b0, double b1, double b2, double a1, double a2)
    {
        private double _x1, _x2, _y1, _y2;
        private bool _primed;

        public static Biquad LowPass(double cutoffHz, double rateHz)
        {
            double k = Math.Tan(Math.PI * cutoffHz / rateHz);
            double q = Math.Sqrt(0.5);
            double norm = 1 / (1 + (k / q) + (k * k));
            double b0 = k * k * norm;
            return new Biquad(b0, 2 * b0, b0, 2 * ((k * k) - 1) * norm, (1 - (k / q) + (k * k)) * norm);
        }

        public static Biquad HighPass(double cutoffHz, double rateHz)
        {
            double k = Math.Tan(Math.PI * cutoffHz / rateHz);
            double q = Math.Sqrt(0.5);
            double norm = 1 / (1 + (k / q) + (k * k));
            return new Biquad(norm, -2 * norm, norm, 2 * ((k * k) - 1) * norm, (1 - (k / q) + (k * k)) * norm);
        }

        public double Step(double x)
        {
            if (!_primed)
            {
                // Start in steady state on the first value, so a DC offset does not ring through the high-pass.
                _primed = true;
                double dcGain = (b0 + b1 + b2) / (1 + a1 + a2);
                _x1 = _x2 = x;
                _y1 = _y2 = x * dcGain;
            }

            double y = (b0 * x) + (b1 * _x1) + (b2 * _x2) - (a1 * _y1) - (a2 * _y2);
            _x2 = _x1;
            _x1 = x;
            _y2 = _y1;
            _y1 = y;
            return y;
        }
    }
}
