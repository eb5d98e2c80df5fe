using Edge.Devices.I2c;

namespace Edge.Simulation.Ina;

/// <summary>
/// A device handle on a <see cref="SimulatedI2cBus"/>: a dotnet/iot <see cref="System.Device.I2c.I2cDevice"/> (so any
/// Iot.Device.Bindings binding runs against the simulated chips and sees an <see cref="IOException"/> on a NACK, as on
/// a real bus) and Edge's status-returning <see cref="II2cDevice"/> (what Edge's drivers use). Allocation-free.
/// </summary>
public sealed class SimulatedI2cDevice : EdgeI2cDevice
{
    private readonly SimulatedI2cBus _bus;
    private bool _disposed;

    internal SimulatedI2cDevice(SimulatedI2cBus bus, I2cConnectionSettings settings)
        : base(settings, "simulated bus " + bus.BusId.ToString(System.Globalization.CultureInfo.InvariantCulture))
    {
        _bus = bus;
    }

    /// <inheritdoc />
    protected override I2cStatus TransferRead(Span<byte> buffer) => Run([], buffer, doWrite: false, doRead: true);

    /// <inheritdoc />
    protected override I2cStatus TransferWrite(ReadOnlySpan<byte> buffer) => Run(buffer, [], doWrite: true, doRead: false);

    /// <inheritdoc />
    protected override I2cStatus TransferWriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) =>
        Run(writeBuffer, readBuffer, doWrite: true, doRead: true);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
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
