namespace Edge.Core.Metrics;

/// <summary>
/// A forward complex FFT of one fixed length N — any N ≥ 1, not only powers of two — with every buffer and twiddle
/// table allocated once, so <see cref="Forward"/> allocates nothing. A power-of-two N is one radix-2 transform; any
/// other N uses Bluestein's chirp-z identity, nk = (n² + k² − (k − n)²) / 2, which turns the length-N DFT into
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

    /// <summary>Prepares the transform of length <paramref name="length"/>.</summary>
    public FftPlan(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
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
}
