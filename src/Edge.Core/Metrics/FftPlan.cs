namespace Edge.Core.Metrics;

/// <summary>
/// A forward complex FFT of one fixed length N — any N ≥ 1, not only powers of two — with every buffer and twiddle
/// table allocated once, so <see cref="Forward"/> allocates nothing. A power-of-two N is one radix-2 transform; an N
/// whose only prime factors are 2, 3 and 5 (the Welch segments of the usual periods: 100 s at 10 ms = 10 000) is a
/// Stockham autosort transform with radix-4, 2, 3 and 5 butterflies; any other N uses Bluestein's chirp-z identity, nk = (n² + k² − (k − n)²) / 2, which turns the length-N DFT into
/// a circular convolution computed with radix-2 transforms of length M ≥ 2N − 1. Same convention as
/// <see cref="Fft"/>: X[k] = Σ x[n]·e^(−2πi·k·n/N), unscaled (numpy.fft.fft).
/// </summary>
public sealed class FftPlan
{
    private readonly int _m;
    private readonly double[]? _chirpRe, _chirpIm; // w[n] = e^(−iπn²/N)
    private readonly double[]? _kernelRe, _kernelIm; // FFT of conj(w) laid out circularly over M
    private readonly double[]? _workRe, _workIm;
    private readonly double[] _twiddleRe, _twiddleIm; // e^(−2πik/R), k < R/2, R = the radix-2 length
    private readonly int[] _bitReversed;
    private readonly int[]? _radices; // mixed-radix stages, in order
    private readonly double[]? _stageTwRe, _stageTwIm; // per stage, per p < m, k = 1 … P−1: e^(−2πi·p·k/n)

    /// <summary>Prepares the transform of length <paramref name="length"/>.</summary>
    public FftPlan(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        if (!Fft.IsPowerOfTwo(length) && Radices(length) is { } radices)
        {
            _radices = radices;
            (_stageTwRe, _stageTwIm) = StageTwiddles(length, radices);
            _workRe = new double[length];
            _workIm = new double[length];
            (_twiddleRe, _twiddleIm, _bitReversed) = ([], [], []);
            return;
        }

        int radix2Length = Fft.IsPowerOfTwo(length) ? length : Fft.NextPowerOfTwo((2 * length) - 1);
        (_twiddleRe, _twiddleIm, _bitReversed) = Radix2Tables(radix2Length);
        if (Fft.IsPowerOfTwo(length))
        {
            return;
        }

        _m = radix2Length;
        _chirpRe = new double[length];
        _chirpIm = new double[length];
        long twoN = 2L * length;
        for (int n = 0; n < length; n++)
        {
            // n² mod 2N keeps the angle small, so the chirp stays exact to machine precision for large N.
            long q = (long)n * n % twoN;
            double angle = -Math.PI * q / length;
            _chirpRe[n] = Math.Cos(angle);
            _chirpIm[n] = Math.Sin(angle);
        }

        _kernelRe = new double[_m];
        _kernelIm = new double[_m];
        _kernelRe[0] = _chirpRe[0];
        _kernelIm[0] = -_chirpIm[0];
        for (int n = 1; n < length; n++)
        {
            _kernelRe[n] = _kernelRe[_m - n] = _chirpRe[n];
            _kernelIm[n] = _kernelIm[_m - n] = -_chirpIm[n];
        }

        Radix2(_kernelRe, _kernelIm);
        _workRe = new double[_m];
        _workIm = new double[_m];
    }

    /// <summary>The transform length N.</summary>
    public int Length { get; }

    /// <summary>Transforms (<paramref name="real"/>, <paramref name="imag"/>), each of length N, in place.</summary>
    public void Forward(Span<double> real, Span<double> imag)
    {
        if (real.Length != Length || imag.Length != Length)
        {
            throw new ArgumentException("Both spans must have the plan's length.");
        }

        if (_radices is not null)
        {
            MixedRadix(real, imag);
            return;
        }

        if (_chirpRe is null)
        {
            Radix2(real, imag);
            return;
        }

        double[] wr = _workRe!, wi = _workIm!, cr = _chirpRe, ci = _chirpIm!, kr = _kernelRe!, ki = _kernelIm!;
        int n = Length;
        for (int i = 0; i < n; i++)
        {
            wr[i] = (real[i] * cr[i]) - (imag[i] * ci[i]);
            wi[i] = (real[i] * ci[i]) + (imag[i] * cr[i]);
        }

        Array.Clear(wr, n, _m - n);
        Array.Clear(wi, n, _m - n);
        Radix2(wr, wi);

        // Multiply by the kernel's spectrum and transform back: IFFT(z) = conj(FFT(conj(z))) / M.
        for (int i = 0; i < _m; i++)
        {
            double re = (wr[i] * kr[i]) - (wi[i] * ki[i]);
            double im = (wr[i] * ki[i]) + (wi[i] * kr[i]);
            wr[i] = re;
            wi[i] = -im;
        }

        Radix2(wr, wi);
        double scale = 1.0 / _m;
        for (int i = 0; i < n; i++)
        {
            double re = wr[i] * scale, im = -wi[i] * scale;
            real[i] = (re * cr[i]) - (im * ci[i]);
            imag[i] = (re * ci[i]) + (im * cr[i]);
        }
    }

    private static (double[] Re, double[] Im, int[] BitReversed) Radix2Tables(int n)
    {
        var re = new double[Math.Max(1, n / 2)];
        var im = new double[re.Length];
        for (int k = 0; k < n / 2; k++)
        {
            double angle = -2 * Math.PI * k / n;
            re[k] = Math.Cos(angle);
            im[k] = Math.Sin(angle);
        }

        var rev = new int[n];
        int bits = System.Numerics.BitOperations.Log2((uint)n);
        for (int i = 0; i < n; i++)
        {
            rev[i] = bits == 0 ? 0 : (int)(ReverseBits((uint)i) >> (32 - bits));
        }

        return (re, im, rev);
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }

    /// <summary>Iterative radix-2 transform of the plan's radix-2 length, from the precomputed tables.</summary>
    private void Radix2(Span<double> real, Span<double> imag)
    {
        int n = real.Length;
        int[] rev = _bitReversed;
        for (int i = 0; i < n; i++)
        {
            int j = rev[i];
            if (i < j)
            {
                (real[i], real[j]) = (real[j], real[i]);
                (imag[i], imag[j]) = (imag[j], imag[i]);
            }
        }

        double[] twr = _twiddleRe, twi = _twiddleIm;
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1;
            int stride = n / len;
            for (int start = 0; start < n; start += len)
            {
                for (int k = 0; k < half; k++)
                {
                    double wr = twr[k * stride], wi = twi[k * stride];
                    int a = start + k, b = a + half;
                    double tr = (wr * real[b]) - (wi * imag[b]);
                    double ti = (wr * imag[b]) + (wi * real[b]);
                    real[b] = real[a] - tr;
                    imag[b] = imag[a] - ti;
                    real[a] += tr;
                    imag[a] += ti;
                }
            }
        }
    }

    /// <summary>The radices 4, 2, 3, 5 whose product is <paramref name="n"/>, or null when n has another prime factor.</summary>
    private static int[]? Radices(int n)
    {
        var radices = new List<int>();
        foreach (int p in (int[])[4, 2, 3, 5])
        {
            while (n % p == 0)
            {
                radices.Add(p);
                n /= p;
            }
        }

        return n == 1 ? [.. radices] : null;
    }

    private static (double[] Re, double[] Im) StageTwiddles(int length, int[] radices)
    {
        int total = 0, n = length;
        foreach (int p in radices)
        {
            total += n / p * (p - 1);
            n /= p;
        }

        var re = new double[total];
        var im = new double[total];
        int at = 0;
        n = length;
        foreach (int p in radices)
        {
            int m = n / p;
            for (int q = 0; q < m; q++)
            {
                for (int k = 1; k < p; k++)
                {
                    // p·k·(N/n) < N, so the angle is exact to rounding.
                    double angle = -2 * Math.PI * q * k / n;
                    re[at] = Math.Cos(angle);
                    im[at] = Math.Sin(angle);
                    at++;
                }
            }

            n = m;
        }

        return (re, im);
    }

    /// <summary>
    /// Stockham autosort, decimation in frequency: a stage of radix P over sub-length n and stride s reads
    /// x[q + s·(p + r·m)] (m = n/P, r &lt; P), takes their P-point DFT b_k, and writes b_k·e^(−2πi·p·k/n) to
    /// y[q + s·(P·p + k)]; then n ← m, s ← s·P and x, y swap. No bit reversal is needed.
    /// </summary>
    private void MixedRadix(Span<double> real, Span<double> imag)
    {
        Span<double> xr = real, xi = imag, yr = _workRe, yi = _workIm;
        double[] twr = _stageTwRe!, twi = _stageTwIm!;
        int n = Length, s = 1, at = 0;
        const double h3 = 0.86602540378443864676; // sin(2π/3)
        double c1 = Math.Cos(2 * Math.PI / 5), c2 = Math.Cos(4 * Math.PI / 5), s1 = Math.Sin(2 * Math.PI / 5), s2 = Math.Sin(4 * Math.PI / 5);
        foreach (int radix in _radices!)
        {
            int m = n / radix;
            for (int p = 0; p < m; p++)
            {
                int tw = at + (p * (radix - 1));
                for (int q = 0; q < s; q++)
                {
                    int i0 = q + (s * p), step = s * m, o0 = q + (s * radix * p);
                    switch (radix)
                    {
                        case 2:
                        {
                            double ar = xr[i0], ai = xi[i0], br = xr[i0 + step], bi = xi[i0 + step];
                            yr[o0] = ar + br;
                            yi[o0] = ai + bi;
                            Twiddle(yr, yi, o0 + s, ar - br, ai - bi, twr[tw], twi[tw]);
                            break;
                        }

                        case 4:
                        {
                            double a0r = xr[i0], a0i = xi[i0], a1r = xr[i0 + step], a1i = xi[i0 + step];
                            double a2r = xr[i0 + (2 * step)], a2i = xi[i0 + (2 * step)], a3r = xr[i0 + (3 * step)], a3i = xi[i0 + (3 * step)];
                            double t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
                            double t2r = a1r + a3r, t2i = a1i + a3i, t3r = a1i - a3i, t3i = -(a1r - a3r); // t3 = −i·(a1 − a3)
                            yr[o0] = t0r + t2r;
                            yi[o0] = t0i + t2i;
                            Twiddle(yr, yi, o0 + s, t1r + t3r, t1i + t3i, twr[tw], twi[tw]);
                            Twiddle(yr, yi, o0 + (2 * s), t0r - t2r, t0i - t2i, twr[tw + 1], twi[tw + 1]);
                            Twiddle(yr, yi, o0 + (3 * s), t1r - t3r, t1i - t3i, twr[tw + 2], twi[tw + 2]);
                            break;
                        }

                        case 3:
                        {
                            double a0r = xr[i0], a0i = xi[i0], a1r = xr[i0 + step], a1i = xi[i0 + step], a2r = xr[i0 + (2 * step)], a2i = xi[i0 + (2 * step)];
                            double sr = a1r + a2r, si = a1i + a2i, dr = a1r - a2r, di = a1i - a2i;
                            double mr = a0r - (0.5 * sr), mi = a0i - (0.5 * si);
                            yr[o0] = a0r + sr;
                            yi[o0] = a0i + si;
                            Twiddle(yr, yi, o0 + s, mr + (h3 * di), mi - (h3 * dr), twr[tw], twi[tw]);
                            Twiddle(yr, yi, o0 + (2 * s), mr - (h3 * di), mi + (h3 * dr), twr[tw + 1], twi[tw + 1]);
                            break;
                        }

                        default:
                        {
                            double a0r = xr[i0], a0i = xi[i0];
                            double a1r = xr[i0 + step], a1i = xi[i0 + step], a2r = xr[i0 + (2 * step)], a2i = xi[i0 + (2 * step)];
                            double a3r = xr[i0 + (3 * step)], a3i = xi[i0 + (3 * step)], a4r = xr[i0 + (4 * step)], a4i = xi[i0 + (4 * step)];
                            double t1r = a1r + a4r, t1i = a1i + a4i, t2r = a2r + a3r, t2i = a2i + a3i;
                            double t3r = a1r - a4r, t3i = a1i - a4i, t4r = a2r - a3r, t4i = a2i - a3i;
                            double m1r = a0r + (c1 * t1r) + (c2 * t2r), m1i = a0i + (c1 * t1i) + (c2 * t2i);
                            double m2r = a0r + (c2 * t1r) + (c1 * t2r), m2i = a0i + (c2 * t1i) + (c1 * t2i);
                            double n1r = (s1 * t3r) + (s2 * t4r), n1i = (s1 * t3i) + (s2 * t4i);
                            double n2r = (s2 * t3r) - (s1 * t4r), n2i = (s2 * t3i) - (s1 * t4i);
                            yr[o0] = a0r + t1r + t2r;
                            yi[o0] = a0i + t1i + t2i;
                            // b1 = m1 − i·n1, b4 = m1 + i·n1, b2 = m2 − i·n2, b3 = m2 + i·n2; −i·(x + iy) = y − ix.
                            Twiddle(yr, yi, o0 + s, m1r + n1i, m1i - n1r, twr[tw], twi[tw]);
                            Twiddle(yr, yi, o0 + (2 * s), m2r + n2i, m2i - n2r, twr[tw + 1], twi[tw + 1]);
                            Twiddle(yr, yi, o0 + (3 * s), m2r - n2i, m2i + n2r, twr[tw + 2], twi[tw + 2]);
                            Twiddle(yr, yi, o0 + (4 * s), m1r - n1i, m1i + n1r, twr[tw + 3], twi[tw + 3]);
                            break;
                        }
                    }
                }
            }

            at += m * (radix - 1);
            n = m;
            s *= radix;
            Span<double> tr = xr, ti = xi;
            xr = yr;
            xi = yi;
            yr = tr;
            yi = ti;
        }

        // After an odd number of stages the result sits in the work buffers.
        if (_radices.Length % 2 == 1)
        {
            xr.CopyTo(real);
            xi.CopyTo(imag);
        }
    }

    private static void Twiddle(Span<double> yr, Span<double> yi, int at, double re, double im, double wr, double wi)
    {
        yr[at] = (re * wr) - (im * wi);
        yi[at] = (re * wi) + (im * wr);
    }
}
