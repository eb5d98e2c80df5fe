namespace Edge.Devices.Shunts;

/// <summary>
/// One result set read from a shunt monitor, scaled to SI units. Quantities not read this time are NaN.
/// </summary>
/// <param name="PowerW">Power, W (the chip's POWER register; signed by the current when the current was read).</param>
/// <param name="CurrentA">Current, A (positive = into the load), or NaN.</param>
/// <param name="BusVoltageV">Bus voltage, V, or NaN.</param>
/// <param name="ShuntVoltageV">Shunt voltage, V, or NaN.</param>
/// <param name="RawFingerprint">A combination of the raw register words read (used to detect a frozen ADC).</param>
/// <param name="Overflow">The chip flagged a math overflow (current/power invalid), seen when the flags were read.</param>
public readonly record struct ShuntMeasurement(
    double PowerW,
    double CurrentA,
    double BusVoltageV,
    double ShuntVoltageV,
    ulong RawFingerprint,
    bool Overflow);
