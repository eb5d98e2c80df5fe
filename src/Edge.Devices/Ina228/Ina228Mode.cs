namespace Edge.Devices.Ina228;

/// <summary>
/// INA228 ADC_CONFIG MODE (bits 15:12). Bit 0 = bus voltage, bit 1 = shunt voltage, bit 2 = temperature,
/// bit 3 = continuous (0h and 8h are shutdown).
/// </summary>
public enum Ina228Mode : byte
{
    /// <summary>0h shutdown.</summary>
    Shutdown = 0x0,
    /// <summary>3h triggered shunt + bus.</summary>
    TriggeredShuntBus = 0x3,
    /// <summary>7h triggered bus, shunt and temperature.</summary>
    TriggeredAll = 0x7,
    /// <summary>9h continuous bus voltage only.</summary>
    ContinuousBus = 0x9,
    /// <summary>Ah continuous shunt voltage only.</summary>
    ContinuousShunt = 0xA,
    /// <summary>Bh continuous shunt + bus (what Edge uses: the temperature adds a conversion and is not needed per period).</summary>
    ContinuousShuntBus = 0xB,
    /// <summary>Fh continuous bus, shunt and temperature (reset default).</summary>
    ContinuousAll = 0xF,
}
