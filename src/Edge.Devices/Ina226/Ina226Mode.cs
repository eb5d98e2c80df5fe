namespace Edge.Devices.Ina226;

/// <summary>INA226 operating mode, CONFIG bits 2:0 (SBOS547 Table 7-6).</summary>
public enum Ina226Mode : byte
{
    /// <summary>000b power-down.</summary>
    PowerDown = 0,
    /// <summary>001b shunt voltage, triggered.</summary>
    ShuntTriggered = 1,
    /// <summary>010b bus voltage, triggered.</summary>
    BusTriggered = 2,
    /// <summary>011b shunt and bus, triggered.</summary>
    ShuntAndBusTriggered = 3,
    /// <summary>100b power-down.</summary>
    PowerDownAlt = 4,
    /// <summary>101b shunt voltage, continuous.</summary>
    ShuntContinuous = 5,
    /// <summary>110b bus voltage, continuous.</summary>
    BusContinuous = 6,
    /// <summary>111b shunt and bus, continuous (reset default; what Edge uses).</summary>
    ShuntAndBusContinuous = 7,
}
