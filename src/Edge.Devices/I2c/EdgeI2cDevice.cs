namespace Edge.Devices.I2c;

/// <summary>
/// An I²C device with two faces over one transfer path. As a dotnet/iot <see cref="System.Device.I2c.I2cDevice"/> it
/// serves every Iot.Device.Bindings binding: Read / Write / WriteRead throw <see cref="IOException"/> on a failed
/// transfer, as <c>UnixI2cDevice</c> does. As Edge's <see cref="II2cDevice"/> (the drivers' sampling path) every
/// transfer returns an <see cref="I2cStatus"/>: no exception, no allocation. Subclasses implement the status path only:
/// <see cref="LinuxI2cDevice"/> (<c>/dev/i2c-N</c>) and the simulators in Edge.Simulation.
/// Not thread-safe: one thread per bus.
/// </summary>
public abstract class EdgeI2cDevice : System.Device.I2c.I2cDevice, II2cDevice
{
    private readonly System.Device.I2c.I2cConnectionSettings _iotSettings;

    /// <summary>Creates the device; <paramref name="busName"/> names the bus in exception messages (e.g. /dev/i2c-1).</summary>
    protected EdgeI2cDevice(I2cConnectionSettings settings, string busName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(busName);
        Settings = settings;
        BusName = busName;
        _iotSettings = new System.Device.I2c.I2cConnectionSettings(settings.BusId, settings.DeviceAddress);
    }

    /// <summary>Bus and address of this device (Edge's validated record).</summary>
    public I2cConnectionSettings Settings { get; }

    /// <summary>The bus as named in messages.</summary>
    public string BusName { get; }

    /// <inheritdoc />
    public override System.Device.I2c.I2cConnectionSettings ConnectionSettings => _iotSettings;

    /// <inheritdoc />
    I2cConnectionSettings II2cDevice.ConnectionSettings => Settings;

    /// <inheritdoc />
    public int LastErrno { get; protected set; }

    /// <summary>The status-returning path of this device (itself; a typed view for callers that hold the concrete class).</summary>
    public II2cDevice Status => this;

    /// <inheritdoc />
    public override void Read(Span<byte> buffer) => ThrowIfFailed(TransferRead(buffer));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer) => ThrowIfFailed(TransferWrite(buffer));

    /// <inheritdoc />
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) =>
        ThrowIfFailed(TransferWriteRead(writeBuffer, readBuffer));

    /// <inheritdoc />
    public override byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        Read(one);
        return one[0];
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc />
    I2cStatus II2cDevice.Read(Span<byte> buffer) => TransferRead(buffer);

    /// <inheritdoc />
    I2cStatus II2cDevice.Write(ReadOnlySpan<byte> buffer) => TransferWrite(buffer);

    /// <inheritdoc />
    I2cStatus II2cDevice.WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => TransferWriteRead(writeBuffer, readBuffer);

    /// <summary>Reads <paramref name="buffer"/>.Length bytes; sets <see cref="LastErrno"/>. Must not throw or allocate.</summary>
    protected abstract I2cStatus TransferRead(Span<byte> buffer);

    /// <summary>Writes <paramref name="buffer"/>; sets <see cref="LastErrno"/>. Must not throw or allocate.</summary>
    protected abstract I2cStatus TransferWrite(ReadOnlySpan<byte> buffer);

    /// <summary>Write, repeated START, read; sets <see cref="LastErrno"/>. Must not throw or allocate.</summary>
    protected abstract I2cStatus TransferWriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer);

    private void ThrowIfFailed(I2cStatus status)
    {
        if (status != I2cStatus.Ok)
        {
            throw I2cErrors.TransferFailed(status, LastErrno, BusName, Settings.DeviceAddress);
        }
    }
}
