using Edge.Devices.I2c;
using Edge.Simulation.Ina;

namespace Edge.Simulation.Chips;

/// <summary>
/// A register-level NXP LM75B temperature sensor on a <see cref="SimulatedI2cBus"/>, written from the datasheet, so
/// Iot.Device.Bindings' <c>Lm75</c> binding talks to it through a <see cref="SimulatedI2cDevice"/> as to the real chip:
/// the pointer register (a write's first byte), Temp (0, 11-bit two's complement left-justified in 16 bits, 0.125 °C/LSB,
/// read-only), Conf (1, 8 bits; bit 0 = shutdown), Thyst (2, default 75 °C) and Tos (3, default 80 °C), both 9-bit in
/// 16 bits (0.5 °C/LSB). In shutdown the Temp register keeps its last value. <see cref="TemperatureC"/> is the cabinet's
/// temperature; faults: <see cref="Nack"/>, <see cref="TransferError"/>. Not thread-safe.
/// </summary>
public sealed class SimulatedLm75 : II2cTarget
{
    private byte _config;
    private ushort _thyst = 75 << 8;
    private ushort _tos = 80 << 8;
    private ushort _temp;

    /// <summary>Creates the chip at <paramref name="temperatureC"/>.</summary>
    public SimulatedLm75(double temperatureC = 25)
    {
        TemperatureC = temperatureC;
        _temp = Encode(temperatureC);
    }

    /// <summary>The temperature the chip senses, °C (clamped to its −55…125 °C range when converted).</summary>
    public double TemperatureC { get; set; }

    /// <summary>The chip stops acknowledging its address.</summary>
    public bool Nack { get; set; }

    /// <summary>Every transfer fails with this status (null = none).</summary>
    public I2cStatus? TransferError { get; set; }

    /// <summary>True while the shutdown bit is set.</summary>
    public bool Shutdown => (_config & 0x01) != 0;

    /// <summary>The register pointer.</summary>
    public byte Pointer { get; private set; }

    /// <summary>Transactions served.</summary>
    public long TransactionCount { get; private set; }

    /// <inheritdoc />
    public I2cStatus OnWrite(ReadOnlySpan<byte> data)
    {
        I2cStatus status = Begin();
        if (status != I2cStatus.Ok || data.IsEmpty)
        {
            return status;
        }

        Pointer = (byte)(data[0] & 0x03);
        switch (Pointer)
        {
            case 1 when data.Length >= 2:
                _config = (byte)(data[1] & 0x1F);
                break;
            case 2 when data.Length >= 3:
                _thyst = (ushort)(((data[1] << 8) | data[2]) & 0xFF80);
                break;
            case 3 when data.Length >= 3:
                _tos = (ushort)(((data[1] << 8) | data[2]) & 0xFF80);
                break;
        }

        return I2cStatus.Ok;
    }

    /// <inheritdoc />
    public I2cStatus OnRead(Span<byte> data)
    {
        I2cStatus status = Begin();
        if (status != I2cStatus.Ok)
        {
            return status;
        }

        if (!Shutdown)
        {
            _temp = Encode(TemperatureC);
        }

        if (Pointer == 1)
        {
            data.Fill(_config);
            return I2cStatus.Ok;
        }

        ushort value = Pointer switch
        {
            0 => _temp,
            2 => _thyst,
            _ => _tos,
        };
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (i & 1) == 0 ? (byte)(value >> 8) : (byte)value;
        }

        return I2cStatus.Ok;
    }

    /// <inheritdoc />
    public void Advance(long nowNs)
    {
    }

    /// <summary>The Temp register for <paramref name="celsius"/>: 11-bit two's complement, 0.125 °C per LSB, in bits 15..5.</summary>
    public static ushort Encode(double celsius)
    {
        int counts = (int)Math.Round(Math.Clamp(celsius, -55, 125) / 0.125);
        return (ushort)((counts & 0x7FF) << 5);
    }

    private I2cStatus Begin()
    {
        TransactionCount++;
        if (Nack)
        {
            return I2cStatus.NoAcknowledge;
        }

        return TransferError is I2cStatus error ? error : I2cStatus.Ok;
    }
}
