namespace Edge.Core.Metrics;

/// <summary>
/// Welch's averaged periodogram, as docs/DESIGN.md §5 defines it: periodic Hann window, 50 % overlap, the mean removed from
/// each segment, one-sided density in W²/Hz (the scaling of scipy.signal.welch with scaling='density'). A segment
/// whose length is not a power of two is zero-padded to the next one (finer bins, same density).
/// </summary>
public static class Welch
{
    /// <summary>One-sided power spectral density.</summary>
    /// <param name="FrequenciesHz">Bin centre frequencies, Hz (0 … fs/2).</param>
    /// <param name="DensityPerHz">Power spectral density per bin, signal-units² per Hz.</param>
    /// <param name="BinWidthHz">Spacing of the bins, Hz.</param>
    /// <param name="Segments">Number of segments averaged.</param>
    public sealed record Spectrum(double[] FrequenciesHz, double[] DensityPerHz, double BinWidthHz, int Segments)
    {
        /// <summary>Integrated power over bins whose centre lies in [lowHz, highHz], signal-units².</summary>
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

    /// <summary>
    /// Estimates the PSD of <paramref name="x"/> sampled at <paramref name="sampleRateHz"/> with segments of
    /// <paramref name="segmentLength"/> samples (clamped to the signal length).
    /// </summary>
    public static Spectrum Estimate(ReadOnlySpan<double> x, double sampleRateHz, int segmentLength)
    {
        if (x.Length < 2)
        {
            throw new ArgumentException("Welch needs at least two samples.", nameof(x));
        }

        if (!(sampleRateHz > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRateHz), sampleRateHz, "Sample rate must be positive.");
        }

        int nseg = Math.Clamp(segmentLength, 2, x.Length);
        int nfft = Fft.NextPowerOfTwo(nseg);
        int step = Math.Max(1, nseg / 2);
        int segments = ((x.Length - nseg) / step) + 1;

        var window = new double[nseg];
        double windowPower = 0;
        for (int i = 0; i < nseg; i++)
        {
            window[i] = 0.5 * (1 - Math.Cos(2 * Math.PI * i / nseg));
            windowPower += window[i] * window[i];
        }

        int bins = (nfft / 2) + 1;
        var density = new double[bins];
        var re = new double[nfft];
        var im = new double[nfft];
        for (int s = 0; s < segments; s++)
        {
            ReadOnlySpan<double> seg = x.Slice(s * step, nseg);
            double mean = 0;
            foreach (double v in seg)
            {
                mean += v;
            }

            mean /= nseg;
            Array.Clear(re);
            Array.Clear(im);
            for (int i = 0; i < nseg; i++)
            {
                re[i] = (seg[i] - mean) * window[i];
            }

            Fft.Forward(re, im);
            for (int k = 0; k < bins; k++)
            {
                density[k] += (re[k] * re[k]) + (im[k] * im[k]);
            }
        }

        double scale = 1.0 / (sampleRateHz * windowPower * segments);
        var freqs = new double[bins];
        for (int k = 0; k < bins; k++)
        {
            bool edge = k == 0 || (k == bins - 1 && nfft % 2 == 0);
            density[k] *= edge ? scale : 2 * scale;
            freqs[k] = k * sampleRateHz / nfft;
        }

        return new Spectrum(freqs, density, sampleRateHz / nfft, segments);
    }
}
