using Edge.Devices.I2c;

namespace Edge.Devices.Shunts;

/// <summary>
/// What <see cref="Sensors.ShuntPowerSensor"/> needs from a shunt-monitor driver (INA226, INA228). All members except
/// <see cref="Initialize"/> are allocation-free and never throw for device faults.
/// </summary>
public interface IShuntMonitor
{
    /// <summary>Chip name, e.g. "INA226".</summary>
    string Model { get; }

    /// <summary>Status of the last transfer.</summary>
    I2cStatus LastStatus { get; }

    /// <summary>Why the last <see cref="Initialize"/> failed, in words (null when it succeeded).</summary>
    string? LastError { get; }

    /// <summary>Time between two results with the cached configuration (conversion times × averaging), ns.</summary>
    long ConversionPeriodNs { get; }

    /// <summary>True when an ALERT-pin conversion-ready event must still be acknowledged by a flag read (INA226).</summary>
    bool AlertNeedsFlagRead { get; }

    /// <summary>Checks identity, resets the chip, writes configuration and calibration and verifies them.</summary>
    InaInitResult Initialize();

    /// <summary>
    /// Reads (and thereby clears) the conversion-ready flag. Returns false on a bus error. <paramref name="overflow"/>
    /// reports the chip's math-overflow flag from the same register.
    /// </summary>
    bool TryReadConversionReady(out bool ready, out bool overflow);

    /// <summary>Reads the registers in <paramref name="set"/>. Returns false on a bus error.</summary>
    bool TryReadMeasurement(ShuntReadSet set, out ShuntMeasurement measurement);
}
