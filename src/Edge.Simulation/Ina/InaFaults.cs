using Edge.Devices.I2c;

namespace Edge.Simulation.Ina;

/// <summary>
/// Faults a simulated INA can be told to have. Set the properties at any time; they act from the next transaction or
/// conversion.
/// </summary>
public sealed class InaFaults
{
    /// <summary>The chip stops acknowledging its address (unplugged, dead, address strap changed).</summary>
    public bool Nack { get; set; }

    /// <summary>Every transfer to the chip fails with this status (e.g. <see cref="I2cStatus.BusError"/>,
    /// <see cref="I2cStatus.Timeout"/>); null = none.</summary>
    public I2cStatus? TransferError { get; set; }

    /// <summary>The ADC keeps converting (flags and timing as usual) but the result registers never change: a frozen
    /// front end or a stuck-at value.</summary>
    public bool FrozenResults { get; set; }

    /// <summary>Conversions stop altogether: no conversion-ready flag, no ALERT, no new results (stale).</summary>
    public bool ConversionsStopped { get; set; }

    /// <summary>Forces the true current, A (NaN = follow the load profile) — for out-of-range and overflow cases.</summary>
    public double CurrentOverrideA { get; set; } = double.NaN;

    /// <summary>Forces the true bus voltage, V (NaN = nominal minus source drop) — e.g. 0 V for a blown sense fuse.</summary>
    public double BusVoltageOverrideV { get; set; } = double.NaN;

    /// <summary>Makes the chip report this device/die ID (e.g. another part strapped at the same address); null = its own.</summary>
    public ushort? DeviceIdOverride { get; set; }
}
