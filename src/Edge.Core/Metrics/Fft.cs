namespace Edge.Core.Metrics;

/// <summary>
/// In-place iterative radix-2 complex FFT (Cooley–Tukey, decimation in time). No FFT package is served here, and
/// the metrics need only this: forward transforms of real segments whose length is a power of two.
/// Convention: X[k] = Σ x[n]·e^(−2πi·k·n/N) (no scaling), as numpy.fft.fft.
/// </summary>
public static class Fft
{
    /// <summary>True when <paramref name="n"/> is a positive power of two.</summary>
    public static bool IsPowerOfTwo(int n) => n > 0 && (n & (n - 1)) == 0;

    /// <summary>The smallest power of two ≥ <paramref name="n"/> (n ≥ 1).</summary>
    public static int NextPowerOfTwo(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        int p = 1;
        while (p < n)
        {
            p <<= 1;
        }

        return p;
    }

    /// <summary>Transforms (<paramref name="real"/>, <paramref name="imag"/>) in place. Lengths must be equal powers of two.</summary>
    public static void Forward(Span<double> real, Span<double> imag)
    {
        int n = real.Length;
        if (imag.Length != n || !IsPowerOfTwo(n))
        {
            throw new ArgumentException("FFT length must be a power of two and both spans the same length.");
        }

        // Bit-reversal permutation.
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }

            j ^= bit;
            if (i < j)
            {
                (real[i], real[j]) = (real[j], real[i]);
                (imag[i], imag[j]) = (imag[j], imag[i]);
            }
        }

        // Butterflies. Twiddles come from a recurrence per stage, re-anchored with exact sin/cos every 64 steps
        // so rounding error stays at machine precision even for N = 2^20.
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1;
            double theta = -2 * Math.PI / len;
            for (int start = 0; start < n; start += len)
            {
                double wr = 1, wi = 0;
                double stepR = Math.Cos(theta), stepI = Math.Sin(theta);
                for (int k = 0; k < half; k++)
                {
                    if ((k & 63) == 0 && k != 0)
                    {
                        wr = Math.Cos(theta * k);
                        wi = Math.Sin(theta * k);
                    }

                    int a = start + k, b = a + half;
                    double tr = (wr * real[b]) - (wi * imag[b]);
                    double ti = (wr * imag[b]) + (wi * real[b]);
                    real[b] = real[a] - tr;
                    imag[b] = imag[a] - ti;
                    real[a] += tr;
                    imag[a] += ti;
                    double nwr = (wr * stepR) - (wi * stepI);
                    wi = (wr * stepI) + (wi * stepR);
                    wr = nwr;
                }
            }
        }
    }
}
