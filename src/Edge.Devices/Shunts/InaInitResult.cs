namespace Edge.Devices.Shunts;

/// <summary>Outcome of setting up a shunt monitor.</summary>
public enum InaInitResult : byte
{
    /// <summary>Identified, reset, configured and verified.</summary>
    Ok = 0,
    /// <summary>A transfer failed (see the driver's LastStatus / LastError).</summary>
    BusError,
    /// <summary>The manufacturer ID is not Texas Instruments' 0x5449 ("TI").</summary>
    WrongManufacturer,
    /// <summary>The device/die ID is not the expected chip (e.g. an INA219 or INA228 where an INA226 was configured).</summary>
    WrongDevice,
    /// <summary>The registers read back differ from what was written.</summary>
    VerifyFailed,
}
