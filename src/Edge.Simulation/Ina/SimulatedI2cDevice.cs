using Edge.Devices.I2c;

namespace Edge.Simulation.Ina;

/// <summary>
/// A device handle on a <see cref="SimulatedI2cBus"/>: a dotnet/iot <see cref="System.Device.I2c.I2cDevice"/> (so any
/// Iot.Device.Bindings binding runs against the simulated chips, and throws <see cref="IOException"/> on a NACK as on a
/// real bus) and Edge's status-returning <see cref="II2cDevice"/> (what Edge's drivers use). Allocation-free.
/// </summary>
public sealed class SimulatedI2cDevice : System.Device.I2c.I2cDevice, II2cDevice
{
    private readonly SimulatedI2cBus _bus;
    private readonly System.Device.I2c.I2cConnectionSettings _iotSettings;
    private bool _disposed;

    internal SimulatedI2cDevice(SimulatedI2cBus bus, I2cConnectionSettings settings)
    {
        _bus = bus;
        Settings = settings;
        _iotSettings = new System.Device.I2c.I2cConnectionSettings(settings.BusId, settings.DeviceAddress);
    }

    /// <summary>Bus and address of this device (Edge's record).</summary>
    public I2cConnectionSettings Settings { get; }

    /// <inheritdoc />
    public override System.Device.I2c.I2cConnectionSettings ConnectionSettings => _iotSettings;

    /// <inheritdoc />
    I2cConnectionSettings II2cDevice.ConnectionSettings => Settings;

    /// <inheritdoc />
    public int LastErrno { get; private set; }

    /// <inheritdoc />
    public override void Read(Span<byte> buffer) => ThrowIfFailed(Run([], buffer, doWrite: false, doRead: true));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer) => ThrowIfFailed(Run(buffer, [], doWrite: true, doRead: false));

    /// <inheritdoc />
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) =>
        ThrowIfFailed(Run(writeBuffer, readBuffer, doWrite: true, doRead: true));

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
    I2cStatus II2cDevice.Read(Span<byte> buffer) => Run([], buffer, doWrite: false, doRead: true);

    /// <inheritdoc />
    I2cStatus II2cDevice.Write(ReadOnlySpan<byte> buffer) => Run(buffer, [], doWrite: true, doRead: false);

    /// <inheritdoc />
    I2cStatus II2cDevice.WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => Run(writeBuffer, readBuffer, doWrite: true, doRead: true);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    private void ThrowIfFailed(I2cStatus status)
    {
        if (status != I2cStatus.Ok)
        {
            throw I2cErrors.TransferFailed(status, LastErrno, "simulated bus " + _bus.BusId, Settings.DeviceAddress);
        }
    }

    private I2cStatus Run(ReadOnlySpan<byte> write, Span<byte> read, bool doWrite, bool doRead)
    {
        if (_disposed)
        {
            LastErrno = 9;
            return I2cStatus.Closed;
        }

        I2cStatus status = _bus.Transfer(Settings.DeviceAddress, write, read, doWrite, doRead, out int errno);
        LastErrno = errno;
        return status;
    }
}
