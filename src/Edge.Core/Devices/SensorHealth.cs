namespace Edge.Core.Devices;

/// <summary>Health of one sensor reading. Anything but <see cref="Ok"/> carries the reason the value must not be trusted.</summary>
public enum SensorHealth : byte
{
    /// <summary>Fresh, in range, plausible.</summary>
    Ok = 0,
    /// <summary>No new conversion within the configured number of periods.</summary>
    Stale,
    /// <summary>Outside the sensor's configured plausible range.</summary>
    OutOfRange,
    /// <summary>The value is NaN or infinite.</summary>
    NotANumber,
    /// <summary>The identical raw value has been returned for too long (frozen ADC, stuck bus).</summary>
    StuckAt,
    /// <summary>The bus or link reported an error (NACK, timeout, Modbus exception).</summary>
    BusError,
    /// <summary>The sensor has never answered or is not configured.</summary>
    Missing,
}
