namespace Edge.Devices.Sensors;

/// <summary>How a <see cref="TemperatureSensor"/> samples its chip and when its alarm band is entered and left.</summary>
public sealed class TemperatureSensorOptions
{
    /// <summary>Read the chip every this many sampling periods (a cabinet's temperature changes over minutes).</summary>
    public int ReadEveryPeriods { get; set; } = 1000;

    /// <summary>High alarm threshold, °C: raised at or above it.</summary>
    public double HighC { get; set; } = double.PositiveInfinity;

    /// <summary>Low alarm threshold, °C: raised at or below it (−∞ = none).</summary>
    public double LowC { get; set; } = double.NegativeInfinity;

    /// <summary>Hysteresis, K: the high alarm clears at or below <see cref="HighC"/> − this, the low one at or above <see cref="LowC"/> + this.</summary>
    public double HysteresisC { get; set; } = 2;

    /// <summary>Plausible range, °C: a value outside it is a sensor fault (OutOfRange), not a temperature.</summary>
    public double MinPlausibleC { get; set; } = -40;

    /// <summary>Upper end of the plausible range, °C.</summary>
    public double MaxPlausibleC { get; set; } = 125;

    /// <summary>Consecutive failed reads → BusError.</summary>
    public int BusErrorReads { get; set; } = 2;

    /// <summary>Consecutive failed reads after which reads are backed off (2, 4 … <see cref="BackoffMaxReads"/> read slots skipped).</summary>
    public int BackoffAfterReads { get; set; } = 3;

    /// <summary>Longest back-off, read slots.</summary>
    public int BackoffMaxReads { get; set; } = 32;

    /// <summary>Read slots between attempts to set up a chip that failed to initialise (0 = never retry).</summary>
    public int RetryInitReads { get; set; } = 10;

    /// <summary>Throws <see cref="ArgumentException"/> for impossible settings.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadEveryPeriods, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(HysteresisC);
        ArgumentOutOfRangeException.ThrowIfLessThan(BusErrorReads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(BackoffAfterReads);
        ArgumentOutOfRangeException.ThrowIfLessThan(BackoffMaxReads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(RetryInitReads);
        if (!(MaxPlausibleC > MinPlausibleC))
        {
            throw new ArgumentException("MaxPlausibleC must be above MinPlausibleC.", nameof(MaxPlausibleC));
        }

        if (!(HighC > LowC))
        {
            throw new ArgumentException("HighC must be above LowC.", nameof(HighC));
        }
    }
}
