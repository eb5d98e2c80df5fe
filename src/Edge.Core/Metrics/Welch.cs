namespace Edge.Core.Metrics;

/// <summary>
/// Welch's averaged periodogram as DESIGN §5 pins it, fed one sample at a time so memory does not grow with the
/// series: periodic Hann window, segments of <c>nperseg</c> samples overlapping by <c>nperseg / 2</c> (rounded down),
/// the mean removed from each segment, FFT length = segment length (no zero padding), one-sided density in
/// signal-units² per Hz. This is exactly <c>scipy.signal.welch(x, fs, window='hann', nperseg=n, noverlap=n//2,
/// nfft=n, detrend='constant', scaling='density')</c>: samples after the last whole segment are not used. Each
/// segment is transformed when its last sample arrives; <see cref="Add"/> allocates nothing.
/// </summary>
public sealed class Welch
{
    private readonly double _sampleRateHz;
    private readonly int _step;
    private readonly double[] _ring;
    private readonly double[] _window;
    private readonly double _windowPower;
    private readonly double[] _sum;
    private readonly double[] _re, _im;
    private readonly double[]? _twiddleRe, _twiddleIm; // e^(−2πik/n), k ≤ n/2, for the half-length real transform
    private readonly FftPlan _fft;
    private long _count;

    /// <summary>Prepares an estimate with segments of <paramref name="segmentLength"/> samples (≥ 2).</summary>
    public Welch(double sampleRateHz, int segmentLength)
    {
        if (!(sampleRateHz > 0) || !double.IsFinite(sampleRateHz))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRateHz), sampleRateHz, "Sample rate must be positive.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(segmentLength, 2);
        _sampleRateHz = sampleRateHz;
        SegmentLength = segmentLength;
        _step = segmentLength - (segmentLength / 2);
        _ring = new double[segmentLength];
        _window = new double[segmentLength];
        for (int i = 0; i < segmentLength; i++)
        {
            _window[i] = 0.5 * (1 - Math.Cos(2 * Math.PI * i / segmentLength));
            _windowPower += _window[i] * _window[i];
        }

        _sum = new double[(segmentLength / 2) + 1];
        if (segmentLength % 2 == 0)
        {
            // A real segment of even length n is transformed as n/2 complex points (even samples real, odd imaginary),
            // then untangled: half the work of a complex transform of length n.
            int half = segmentLength / 2;
            _re = new double[half];
            _im = new double[half];
            _fft = new FftPlan(half);
            _twiddleRe = new double[half + 1];
            _twiddleIm = new double[half + 1];
            for (int k = 0; k <= half; k++)
            {
                double angle = -2 * Math.PI * k / segmentLength;
                _twiddleRe[k] = Math.Cos(angle);
                _twiddleIm[k] = Math.Sin(angle);
            }
        }
        else
        {
            _re = new double[segmentLength];
            _im = new double[segmentLength];
            _fft = new FftPlan(segmentLength);
        }
    }

    /// <summary>Samples per segment (= FFT length).</summary>
    public int SegmentLength { get; }

    /// <summary>Whole segments transformed so far.</summary>
    public int Segments { get; private set; }

    /// <summary>Adds the next sample.</summary>
    public void Add(double x)
    {
        int n = SegmentLength;
        _ring[(int)(_count % n)] = x;
        _count++;
        if (_count < n || (_count - n) % _step != 0)
        {
            return;
        }

        // The segment is the last n samples, oldest first.
        int start = (int)(_count % n);
        double mean = 0;
        for (int i = 0; i < n; i++)
        {
            mean += _ring[i];
        }

        mean /= n;
        if (_twiddleRe is null)
        {
            for (int i = 0, r = start; i < n; i++, r = r + 1 == n ? 0 : r + 1)
            {
                _re[i] = (_ring[r] - mean) * _window[i];
                _im[i] = 0;
            }

            _fft.Forward(_re, _im);
            for (int k = 0; k < _sum.Length; k++)
            {
                _sum[k] += (_re[k] * _re[k]) + (_im[k] * _im[k]);
            }
        }
        else
        {
            AddEvenSegment(start, mean);
        }

        Segments++;
    }

    /// <summary>
    /// |X[k]|² for k = 0 … n/2 of the windowed segment through a complex FFT of n/2 points: with z[m] = x[2m] + i·x[2m+1]
    /// and Z its transform, the even and odd halves' transforms are E[k] = (Z[k] + conj Z[−k]) / 2 and
    /// O[k] = (Z[k] − conj Z[−k]) / 2i, and X[k] = E[k] + e^(−2πik/n)·O[k].
    /// </summary>
    private void AddEvenSegment(int start, double mean)
    {
        int n = SegmentLength, half = n / 2;
        int r = start;
        for (int m = 0; m < half; m++)
        {
            _re[m] = (_ring[r] - mean) * _window[2 * m];
            r = r + 1 == n ? 0 : r + 1;
            _im[m] = (_ring[r] - mean) * _window[(2 * m) + 1];
            r = r + 1 == n ? 0 : r + 1;
        }

        _fft.Forward(_re, _im);
        double[] twr = _twiddleRe!, twi = _twiddleIm!;
        for (int k = 0; k <= half; k++)
        {
            int a = k == half ? 0 : k;
            int b = k == 0 ? 0 : half - k;
            double zr = _re[a], zi = _im[a], cr = _re[b], ci = -_im[b]; // Z[k], conj Z[half − k]
            double er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
            double odr = 0.5 * (zi - ci), odi = -0.5 * (zr - cr); // (Z − conj Z') / 2i
            double xr = er + ((twr[k] * odr) - (twi[k] * odi));
            double xi = ei + ((twr[k] * odi) + (twi[k] * odr));
            _sum[k] += (xr * xr) + (xi * xi);
        }
    }

    /// <summary>The spectrum of the segments seen so far (needs at least one whole segment).</summary>
    public Spectrum Result()
    {
        if (Segments == 0)
        {
            throw new InvalidOperationException($"Welch needs at least one whole segment of {SegmentLength} samples; {_count} were added.");
        }

        int n = SegmentLength;
        int bins = _sum.Length;
        double scale = 1.0 / (_sampleRateHz * _windowPower * Segments);
        var density = new double[bins];
        var freqs = new double[bins];
        double binHz = 1.0 / (n * (1.0 / _sampleRateHz)); // numpy.fft.rfftfreq's arithmetic, so band edges agree bit for bit
        for (int k = 0; k < bins; k++)
        {
            bool unpaired = k == 0 || (k == bins - 1 && n % 2 == 0); // DC and (even n) Nyquist have no mirror bin
            density[k] = _sum[k] * (unpaired ? scale : 2 * scale);
            freqs[k] = k * binHz;
        }

        return new Spectrum(freqs, density, binHz, Segments);
    }

    /// <summary>
    /// Estimates the PSD of a whole series with segments of <paramref name="segmentLength"/> samples (clamped to the
    /// series length, so a short series is one segment).
    /// </summary>
    public static Spectrum Estimate(ReadOnlySpan<double> x, double sampleRateHz, int segmentLength)
    {
        if (x.Length < 2)
        {
            throw new ArgumentException("Welch needs at least two samples.", nameof(x));
        }

        var welch = new Welch(sampleRateHz, Math.Clamp(segmentLength, 2, x.Length));
        foreach (double v in x)
        {
            welch.Add(v);
        }

        return welch.Result();
    }

    /// <summary>One-sided power spectral density.</summary>
    /// <param name="FrequenciesHz">Bin centre frequencies, Hz (0 … fs/2).</param>
    /// <param name="DensityPerHz">Power spectral density per bin, signal-units² per Hz.</param>
    /// <param name="BinWidthHz">Spacing of the bins, Hz.</param>
    /// <param name="Segments">Number of segments averaged.</param>
    public sealed record Spectrum(double[] FrequenciesHz, double[] DensityPerHz, double BinWidthHz, int Segments)
    {
        /// <summary>Integrated power over the bins whose centre f satisfies lowHz ≤ f ≤ highHz, signal-units².</summary>
        public double BandPower(double lowHz, double highHz)
        {
            double sum = 0;
            for (int k = 0; k < FrequenciesHz.Length; k++)
            {
                if (FrequenciesHz[k] >= lowHz && FrequenciesHz[k] <= highHz)
                {
                    sum += DensityPerHz[k];
                }
            }

            return sum * BinWidthHz;
        }
    }
}
