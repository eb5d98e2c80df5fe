using Edge.Devices.I2c;

namespace Edge.Simulation.Ina;

/// <summary>
/// A simulated device on a <see cref="SimulatedI2cBus"/>, seen at the level of I²C transactions: the bytes a master
/// writes after the address, and the bytes it clocks out in a read. Returning anything but <see cref="I2cStatus.Ok"/>
/// makes the transfer fail as on a real bus (a NACK, a bus error).
/// </summary>
public interface II2cTarget
{
    /// <summary>A write transaction's data bytes (START, address+W, <paramref name="data"/>…).</summary>
    I2cStatus OnWrite(ReadOnlySpan<byte> data);

    /// <summary>A read transaction: fill <paramref name="data"/> (START or repeated START, address+R, data…).</summary>
    I2cStatus OnRead(Span<byte> data);

    /// <summary>Lets the device run up to <paramref name="nowNs"/> (conversions, ALERT pin) without a transaction.</summary>
    void Advance(long nowNs);
}
