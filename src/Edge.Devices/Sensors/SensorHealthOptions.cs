namespace Edge.Devices.Sensors;

/// <summary>
/// Thresholds of <see cref="SensorHealthTracker"/>. Counts are in sampling periods (or new samples, for stuck-at), so
/// "detected within N periods" is exact and testable on virtual time.
/// </summary>
public sealed class SensorHealthOptions
{
    /// <summary>
    /// A reading is <c>Stale</c> once no new conversion has arrived for more than this many periods. Must exceed the
    /// sensor's conversion period expressed in sampling periods.
    /// </summary>
    public int StalePeriods { get; set; } = 3;

    /// <summary>Consecutive failed reads before the reading becomes <c>BusError</c> (1 = the first failure).</summary>
    public int BusErrorPeriods { get; set; } = 2;

    /// <summary>
    /// A reading is <c>StuckAt</c> once this many consecutive new samples carried an identical raw fingerprint (all raw
    /// registers read, bit for bit). 0 disables the check. A live 16/20-bit ADC on a loaded busbar virtually never repeats
    /// every register for long; at 1 kHz the default is 2 s.
    /// </summary>
    public int StuckSamples { get; set; } = 2000;

    /// <summary>Lowest plausible power, W.</summary>
    public double MinPowerW { get; set; } = double.NegativeInfinity;

    /// <summary>Highest plausible power, W.</summary>
    public double MaxPowerW { get; set; } = double.PositiveInfinity;

    /// <summary>Lowest plausible bus voltage, V (a blown VBUS sense fuse reads ≈ 0 V and would zero the power).</summary>
    public double MinBusVoltageV { get; set; } = double.NegativeInfinity;

    /// <summary>Highest plausible bus voltage, V.</summary>
    public double MaxBusVoltageV { get; set; } = double.PositiveInfinity;

    /// <summary>Throws <see cref="ArgumentException"/> when a threshold is impossible.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(StalePeriods, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BusErrorPeriods, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(StuckSamples);
        if (double.IsNaN(MinPowerW) || double.IsNaN(MaxPowerW) || MinPowerW >= MaxPowerW)
        {
            throw new ArgumentException("MinPowerW must be below MaxPowerW.", nameof(MinPowerW));
        }

        if (double.IsNaN(MinBusVoltageV) || double.IsNaN(MaxBusVoltageV) || MinBusVoltageV >= MaxBusVoltageV)
        {
            throw new ArgumentException("MinBusVoltageV must be below MaxBusVoltageV.", nameof(MinBusVoltageV));
        }
    }
}
