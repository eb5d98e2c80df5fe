using System.Runtime.InteropServices;

namespace Edge.Devices.I2c;

/// <summary>
/// Lets Edge's drivers run on any dotnet/iot <see cref="System.Device.I2c.I2cDevice"/> that is not one of Edge's own
/// (e.g. <c>I2cDevice.Create</c>'s <c>UnixI2cDevice</c>, a board's bus, a test double): the throwing transfers become
/// <see cref="I2cStatus"/> values. It costs an exception per failed transfer (measured in docs/dotnet-iot.md), which is
/// why <see cref="LinuxI2cDevice"/> and the simulators implement <see cref="II2cDevice"/> directly and are never wrapped.
/// Allocation-free while transfers succeed.
/// </summary>
public sealed class I2cDeviceStatusAdapter : II2cDevice
{
    private readonly System.Device.I2c.I2cDevice _device;

    private I2cDeviceStatusAdapter(System.Device.I2c.I2cDevice device)
    {
        _device = device;
        ConnectionSettings = new I2cConnectionSettings(device.ConnectionSettings.BusId, device.ConnectionSettings.DeviceAddress);
    }

    /// <inheritdoc />
    public I2cConnectionSettings ConnectionSettings { get; }

    /// <inheritdoc />
    public int LastErrno { get; private set; }

    /// <summary>
    /// The status-returning face of <paramref name="device"/>: the device itself when it is one of Edge's (no wrapper, no
    /// exceptions), otherwise an adapter.
    /// </summary>
    public static II2cDevice For(System.Device.I2c.I2cDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device as II2cDevice ?? new I2cDeviceStatusAdapter(device);
    }

    /// <inheritdoc />
    public I2cStatus Read(Span<byte> buffer)
    {
        Marshal.SetLastPInvokeError(0);
        try
        {
            _device.Read(buffer);
            return Succeed();
        }
        catch (IOException)
        {
            return Fail();
        }
    }

    /// <inheritdoc />
    public I2cStatus Write(ReadOnlySpan<byte> buffer)
    {
        Marshal.SetLastPInvokeError(0);
        try
        {
            _device.Write(buffer);
            return Succeed();
        }
        catch (IOException)
        {
            return Fail();
        }
    }

    /// <inheritdoc />
    public I2cStatus WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Marshal.SetLastPInvokeError(0);
        try
        {
            _device.WriteRead(writeBuffer, readBuffer);
            return Succeed();
        }
        catch (IOException)
        {
            return Fail();
        }
    }

    /// <summary>Disposes the wrapped device.</summary>
    public void Dispose() => _device.Dispose();

    private I2cStatus Succeed()
    {
        LastErrno = 0;
        return I2cStatus.Ok;
    }

    private I2cStatus Fail()
    {
        // UnixI2cDevice throws right after the failed ioctl/read/write, so the thread's last P/Invoke error (cleared
        // before the call) is that errno. Implementations without a syscall leave 0 there: the status is then Other.
        LastErrno = Marshal.GetLastPInvokeError();
        I2cStatus status = I2cErrors.FromErrno(LastErrno);
        return status == I2cStatus.Ok ? I2cStatus.Other : status;
    }
}
