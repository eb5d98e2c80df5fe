namespace Edge.Devices.Ina226;

/// <summary>
/// INA226 ADC conversion time, the 3-bit VBUSCT (CONFIG 8:6) and VSHCT (5:3) codes (SBOS547 Tables 7-4/7-5):
/// 140 µs, 204 µs, 332 µs, 588 µs, 1.1 ms (default), 2.116 ms, 4.156 ms, 8.244 ms.
/// </summary>
public enum Ina226ConversionTime : byte
{
    /// <summary>140 µs.</summary>
    Us140 = 0,
    /// <summary>204 µs.</summary>
    Us204 = 1,
    /// <summary>332 µs.</summary>
    Us332 = 2,
    /// <summary>588 µs.</summary>
    Us588 = 3,
    /// <summary>1.1 ms (reset default).</summary>
    Us1100 = 4,
    /// <summary>2.116 ms.</summary>
    Us2116 = 5,
    /// <summary>4.156 ms.</summary>
    Us4156 = 6,
    /// <summary>8.244 ms.</summary>
    Us8244 = 7,
}

/// <summary>Microsecond values of <see cref="Ina226ConversionTime"/>.</summary>
public static class Ina226ConversionTimes
{
    private static readonly int[] Micros = [140, 204, 332, 588, 1100, 2116, 4156, 8244];

    /// <summary>The conversion time in µs.</summary>
    public static int Microseconds(this Ina226ConversionTime time) => Micros[(int)time & 7];

    /// <summary>The code for exactly <paramref name="microseconds"/>; false if the chip has no such setting.</summary>
    public static bool TryFromMicroseconds(int microseconds, out Ina226ConversionTime time)
    {
        int i = Array.IndexOf(Micros, microseconds);
        time = i < 0 ? Ina226ConversionTime.Us1100 : (Ina226ConversionTime)i;
        return i >= 0;
    }

    /// <summary>The supported values in µs, for error messages.</summary>
    public static IReadOnlyList<int> Supported => Micros;
}
