using Edge.Devices.I2c;

namespace Edge.Simulation.Ina;

/// <summary>The <see cref="II2cDevice"/> the drivers use against a <see cref="SimulatedI2cBus"/>. Allocation-free.</summary>
public sealed class SimulatedI2cDevice : II2cDevice
{
    private readonly SimulatedI2cBus _bus;
    private bool _disposed;

    internal SimulatedI2cDevice(SimulatedI2cBus bus, I2cConnectionSettings settings)
    {
        _bus = bus;
        ConnectionSettings = settings;
    }

    /// <inheritdoc />
    public I2cConnectionSettings ConnectionSettings { get; }

    /// <inheritdoc />
    public int LastErrno { get; private set; }

    /// <inheritdoc />
    public I2cStatus Read(Span<byte> buffer) => Run([], buffer, doWrite: false, doRead: true);

    /// <inheritdoc />
    public I2cStatus Write(ReadOnlySpan<byte> buffer) => Run(buffer, [], doWrite: true, doRead: false);

    /// <inheritdoc />
    public I2cStatus WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => Run(writeBuffer, readBuffer, doWrite: true, doRead: true);

    /// <inheritdoc />
    public void Dispose() => _disposed = true;

    private I2cStatus Run(ReadOnlySpan<byte> write, Span<byte> read, bool doWrite, bool doRead)
    {
        if (_disposed)
        {
            LastErrno = 9;
            return I2cStatus.Closed;
        }

        I2cStatus status = _bus.Transfer(ConnectionSettings.DeviceAddress, write, read, doWrite, doRead, out int errno);
        LastErrno = errno;
        return status;
    }
}
