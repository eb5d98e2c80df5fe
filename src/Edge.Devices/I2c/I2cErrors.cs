using Edge.Devices.Native;

namespace Edge.Devices.I2c;

/// <summary>Maps Linux errno values of i2c-dev transfers to <see cref="I2cStatus"/>.</summary>
public static class I2cErrors
{
    private const int EBADF = 9;

    /// <summary>The status for an errno returned by read/write/ioctl(I2C_RDWR) on <c>/dev/i2c-N</c>.</summary>
    public static I2cStatus FromErrno(int errno) => errno switch
    {
        0 => I2cStatus.Ok,
        Errno.ENXIO or Errno.EREMOTEIO => I2cStatus.NoAcknowledge,
        Errno.ETIMEDOUT => I2cStatus.Timeout,
        Errno.EIO or Errno.EAGAIN or Errno.EPROTO or Errno.EBADMSG => I2cStatus.BusError,
        Errno.EBUSY => I2cStatus.Busy,
        Errno.EOPNOTSUPP => I2cStatus.NotSupported,
        Errno.EINVAL => I2cStatus.InvalidRequest,
        EBADF or Errno.ENODEV => I2cStatus.Closed,
        _ => I2cStatus.Other,
    };

    /// <summary>
    /// The exception the public <see cref="System.Device.I2c.I2cDevice"/> face throws for a failed transfer (the
    /// <see cref="IOException"/> dotnet/iot's <c>UnixI2cDevice</c> throws), naming the bus, address, status and errno.
    /// Never used on the sampling path.
    /// </summary>
    public static IOException TransferFailed(I2cStatus status, int errno, string bus, int address) =>
        new(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"I2C transfer to 0x{address:X2} on {bus} failed: {status} ({ErrnoName(errno)})."));

    /// <summary>A short name for an errno (e.g. "EREMOTEIO") for logs and error messages.</summary>
    public static string ErrnoName(int errno) => Errno.Name(errno);
}
