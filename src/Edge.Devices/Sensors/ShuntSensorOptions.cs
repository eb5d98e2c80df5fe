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
        ArgumentNullException.ThrowIfNull(Health);
        Health.Validate();
    }
}
