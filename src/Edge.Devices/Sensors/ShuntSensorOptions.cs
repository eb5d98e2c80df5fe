using Edge.Devices.Shunts;

namespace Edge.Devices.Sensors;

/// <summary>How a <see cref="ShuntPowerSensor"/> samples its chip.</summary>
public sealed class ShuntSensorOptions
{
    /// <summary>How new conversions are detected.</summary>
    public ConversionReadyMode ConversionReady { get; set; } = ConversionReadyMode.Polling;

    /// <summary>Registers read every period (must include <see cref="ShuntReadSet.Power"/>).</summary>
    public ShuntReadSet FastReadSet { get; set; } = ShuntReadSet.Power;

    /// <summary>Registers read in addition, every <see cref="FullReadEveryPeriods"/> periods.</summary>
    public ShuntReadSet SlowReadSet { get; set; } = ShuntReadSet.Current | ShuntReadSet.BusVoltage;

    /// <summary>Read <see cref="SlowReadSet"/> every this many periods (0 = never, 1 = every period).</summary>
    public int FullReadEveryPeriods { get; set; } = 10;

    /// <summary>Which period of the cycle reads the slow set (stagger sensors on one bus so the bus load stays flat).</summary>
    public int FullReadPhase { get; set; }

    /// <summary>Periods between attempts to set up a chip that failed to initialise (0 = never retry).</summary>
    public int RetryInitPeriods { get; set; } = 1000;

    /// <summary>
    /// Consecutive failed periods (NACK, timeout, bus error) after which the sensor backs off: it then tries the chip only
    /// every 2, 4, 8 … periods, up to <see cref="BusErrorBackoffMaxPeriods"/>, so a dead chip does not cost its bus a
    /// failed transfer (and the adapter's timeout) every period. 0 = never back off.
    /// </summary>
    public int BusErrorBackoffAfterPeriods { get; set; } = 10;

    /// <summary>Longest back-off between two attempts on a failing chip, periods (bounds the recovery delay).</summary>
    public int BusErrorBackoffMaxPeriods { get; set; } = 32;

    /// <summary>Health thresholds.</summary>
    public SensorHealthOptions Health { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> for impossible settings.</summary>
    public void Validate()
    {
        if ((FastReadSet & ShuntReadSet.Power) == 0)
        {
            throw new ArgumentException("FastReadSet must include Power.", nameof(FastReadSet));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(FullReadEveryPeriods);
        ArgumentOutOfRangeException.ThrowIfNegative(FullReadPhase);
        ArgumentOutOfRangeException.ThrowIfNegative(RetryInitPeriods);
        ArgumentOutOfRangeException.ThrowIfNegative(BusErrorBackoffAfterPeriods);
        ArgumentOutOfRangeException.ThrowIfLessThan(BusErrorBackoffMaxPeriods, 1);
        ArgumentNullException.ThrowIfNull(Health);
        Health.Validate();
    }
}
