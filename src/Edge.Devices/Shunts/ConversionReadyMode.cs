namespace Edge.Devices.Shunts;

/// <summary>How the sampler learns that a shunt monitor has a new conversion.</summary>
public enum ConversionReadyMode : byte
{
    /// <summary>
    /// Read the flag register every period (INA226 Mask/Enable CVRF, INA228 DIAG_ALRT CNVRF) — one extra register read,
    /// no wiring. Results are read only when the flag is set.
    /// </summary>
    Polling,

    /// <summary>
    /// The chip's ALERT pin is wired to a GPIO input (CNVR enabled): an asserted edge means a new conversion. INA226 still
    /// needs a Mask/Enable read to release the pin; INA228 (ALATCH = 0) releases it by itself.
    /// </summary>
    AlertPin,

    /// <summary>
    /// Read the results every period without knowing whether they are new (cheapest on the bus; staleness cannot be
    /// detected, only a frozen value).
    /// </summary>
    None,
}
