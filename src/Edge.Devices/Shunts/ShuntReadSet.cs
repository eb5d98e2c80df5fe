namespace Edge.Devices.Shunts;

/// <summary>
/// Which result registers one sample reads. Each register is one I²C write-read (≈ 115 µs at 400 kHz), so a 1 kHz loop
/// reads only <see cref="Power"/> (plus the conversion-ready poll) every period and the rest every few periods.
/// </summary>
[Flags]
public enum ShuntReadSet : byte
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>The POWER register (the chip's own V·I product; unsigned).</summary>
    Power = 1 << 0,
    /// <summary>The CURRENT register (signed; also gives the sign of the power).</summary>
    Current = 1 << 1,
    /// <summary>The bus-voltage register.</summary>
    BusVoltage = 1 << 2,
    /// <summary>The shunt-voltage register.</summary>
    ShuntVoltage = 1 << 3,
    /// <summary>Every result register.</summary>
    All = Power | Current | BusVoltage | ShuntVoltage,
}
