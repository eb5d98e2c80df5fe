namespace Edge.Core.Devices;

/// <summary>
/// The latest reading of a temperature sensor (e.g. a battery cabinet's), with the alarm band's verdict.
/// </summary>
/// <param name="TimestampNs">Monotonic time of the sample, ns (0 = none yet).</param>
/// <param name="TemperatureC">Temperature, °C (NaN when none was read yet).</param>
/// <param name="Health">Health of the sensor (bus errors, implausible values).</param>
/// <param name="High">Above the high threshold (raised at it, cleared below it by the hysteresis).</param>
/// <param name="Low">Below the low threshold (raised at it, cleared above it by the hysteresis).</param>
/// <param name="Sequence">Increments with every new sample (0 = none yet).</param>
public readonly record struct TemperatureReading(long TimestampNs, double TemperatureC, SensorHealth Health, bool High, bool Low, uint Sequence)
{
    /// <summary>No reading yet.</summary>
    public static TemperatureReading Missing => new(0, double.NaN, SensorHealth.Missing, false, false, 0);
}
