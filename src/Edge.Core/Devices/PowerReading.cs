namespace Edge.Core.Devices;

/// <summary>
/// One timestamped power reading. Quantities a sensor does not measure are <see cref="double.NaN"/>;
/// check <see cref="Health"/> before using <see cref="PowerW"/>.
/// </summary>
/// <param name="TimestampNs">Monotonic time of the conversion (the loop clock, ns).</param>
/// <param name="PowerW">Active power in W; positive = consumed by the load.</param>
/// <param name="BusVoltageV">Bus voltage in V, or NaN.</param>
/// <param name="CurrentA">Current in A, or NaN.</param>
/// <param name="Sequence">Increments on every new conversion; equal sequence = same sample (used for staleness).</param>
/// <param name="Health">Health of this reading.</param>
public readonly record struct PowerReading(
    long TimestampNs,
    double PowerW,
    double BusVoltageV,
    double CurrentA,
    uint Sequence,
    SensorHealth Health)
{
    /// <summary>True when <see cref="Health"/> is <see cref="SensorHealth.Ok"/> and the power is finite.</summary>
    public bool IsUsable => Health == SensorHealth.Ok && double.IsFinite(PowerW);

    /// <summary>A reading that says "nothing known".</summary>
    public static PowerReading Missing => new(0, double.NaN, double.NaN, double.NaN, 0, SensorHealth.Missing);
}
