namespace Edge.Devices.Shunts;

/// <summary>
/// Number of ADC samples averaged per result — the same 3-bit code on INA226 (CONFIG bits 11:9) and INA228
/// (ADC_CONFIG bits 2:0): 0→1, 1→4, 2→16, 3→64, 4→128, 5→256, 6→512, 7→1024 (both datasheets' AVG tables).
/// </summary>
public enum InaAveraging : byte
{
    /// <summary>1 sample (reset default).</summary>
    Samples1 = 0,
    /// <summary>4 samples.</summary>
    Samples4 = 1,
    /// <summary>16 samples.</summary>
    Samples16 = 2,
    /// <summary>64 samples.</summary>
    Samples64 = 3,
    /// <summary>128 samples.</summary>
    Samples128 = 4,
    /// <summary>256 samples.</summary>
    Samples256 = 5,
    /// <summary>512 samples.</summary>
    Samples512 = 6,
    /// <summary>1024 samples.</summary>
    Samples1024 = 7,
}

/// <summary>Conversions between <see cref="InaAveraging"/> codes and sample counts.</summary>
public static class InaAveragingCounts
{
    private static readonly int[] Counts = [1, 4, 16, 64, 128, 256, 512, 1024];

    /// <summary>The number of samples the code averages.</summary>
    public static int SampleCount(this InaAveraging averaging) => Counts[(int)averaging & 7];

    /// <summary>The code for exactly <paramref name="samples"/> samples; false if the chips have no such setting.</summary>
    public static bool TryFromCount(int samples, out InaAveraging averaging)
    {
        int i = Array.IndexOf(Counts, samples);
        averaging = i < 0 ? InaAveraging.Samples1 : (InaAveraging)i;
        return i >= 0;
    }

    /// <summary>The sample counts the chips support, for error messages.</summary>
    public static IReadOnlyList<int> Supported => Counts;
}
