namespace Edge.Devices.Ina228;

/// <summary>
/// INA228 conversion time, the 3-bit VBUSCT (ADC_CONFIG 11:9), VSHCT (8:6) and VTCT (5:3) codes (SLYS021 Table 7-6):
/// 50, 84, 150, 280, 540, 1052 (default), 2074, 4120 µs.
/// </summary>
public enum Ina228ConversionTime : byte
{
    /// <summary>50 µs.</summary>
    Us50 = 0,
    /// <summary>84 µs.</summary>
    Us84 = 1,
    /// <summary>150 µs.</summary>
    Us150 = 2,
    /// <summary>280 µs.</summary>
    Us280 = 3,
    /// <summary>540 µs.</summary>
    Us540 = 4,
    /// <summary>1052 µs (reset default).</summary>
    Us1052 = 5,
    /// <summary>2074 µs.</summary>
    Us2074 = 6,
    /// <summary>4120 µs.</summary>
    Us4120 = 7,
}

/// <summary>Microsecond values of <see cref="Ina228ConversionTime"/>.</summary>
public static class Ina228ConversionTimes
{
    private static readonly int[] Micros = [50, 84, 150, 280, 540, 1052, 2074, 4120];

    /// <summary>The conversion time in µs.</summary>
    public static int Microseconds(this Ina228ConversionTime time) => Micros[(int)time & 7];

    /// <summary>The code for exactly <paramref name="microseconds"/>; false if the chip has no such setting.</summary>
    public static bool TryFromMicroseconds(int microseconds, out Ina228ConversionTime time)
    {
        int i = Array.IndexOf(Micros, microseconds);
        time = i < 0 ? Ina228ConversionTime.Us1052 : (Ina228ConversionTime)i;
        return i >= 0;
    }

    /// <summary>The supported values in µs, for error messages.</summary>
    public static IReadOnlyList<int> Supported => Micros;
}
