namespace Edge.Devices.I2c;

/// <summary>
/// The status-returning transfer path of an I²C device — the shape of dotnet/iot's <c>I2cDevice</c> (Read / Write /
/// WriteRead on spans, <see cref="ConnectionSettings"/>), but every transfer returns an <see cref="I2cStatus"/> instead
/// of throwing, so drivers can run in the sampling path. <see cref="LinuxI2cDevice"/> (a real <c>/dev/i2c-N</c>) and
/// the register-level simulators in Edge.Simulation are <see cref="System.Device.I2c.I2cDevice"/>s that implement it
/// (explicitly: their public Read/Write/WriteRead are the throwing dotnet/iot ones); any other I2cDevice gets it through
/// <see cref="I2cDeviceStatusAdapter.For"/>. Implementations are allocation-free per transfer.
/// Not thread-safe: one thread per bus.
/// </summary>
public interface II2cDevice : IDisposable
{
    /// <summary>Bus and address of this device.</summary>
    I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>The errno of the last failed transfer (0 when the last transfer succeeded or the backend has none).</summary>
    int LastErrno { get; }

    /// <summary>Reads <paramref name="buffer"/>.Length bytes (START, address+R, data…, STOP).</summary>
    I2cStatus Read(Span<byte> buffer);

    /// <summary>Writes <paramref name="buffer"/> (START, address+W, data…, STOP).</summary>
    I2cStatus Write(ReadOnlySpan<byte> buffer);

    /// <summary>
    /// Writes then reads in one transfer with a repeated START between the two (no STOP), so nobody else can move the
    /// device's register pointer in between. This is how register reads are done.
    /// </summary>
    I2cStatus WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer);
}
