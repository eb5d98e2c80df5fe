using System.Globalization;
using System.Runtime.InteropServices;
using Edge.Devices.Native;

namespace Edge.Devices.I2c;

/// <summary>
/// A device on a Linux I²C adapter, through the i2c-dev character device <c>/dev/i2c-N</c>.
/// <para>
/// Open: <c>open(O_RDWR|O_CLOEXEC)</c>, <c>ioctl(I2C_FUNCS)</c> (the adapter must do plain I²C, since register reads
/// use I2C_RDWR), <c>ioctl(I2C_SLAVE, address)</c> (for plain read/write; fails with EBUSY when a kernel driver, e.g.
/// hwmon's ina2xx, owns the address). Every failure is a <see cref="DeviceOpenException"/> naming the path.
/// </para>
/// <para>
/// Transfers (the <see cref="II2cDevice"/> path; the throwing <see cref="System.Device.I2c.I2cDevice"/> face comes from
/// <see cref="EdgeI2cDevice"/>): <c>WriteRead</c> is one <c>ioctl(I2C_RDWR)</c> with two <c>struct i2c_msg</c> (write,
/// then read with a repeated START), built on the stack over pinned spans — no allocation, no exception; errno becomes
/// an <see cref="I2cStatus"/>. Not thread-safe: one thread per bus.
/// </para>
/// </summary>
public sealed class LinuxI2cDevice : EdgeI2cDevice
{
    private int _fd;

    private LinuxI2cDevice(int fd, I2cConnectionSettings settings, string devicePath)
        : base(settings, devicePath)
    {
        _fd = fd;
        DevicePath = devicePath;
    }

    /// <summary>The character device this handle was opened on.</summary>
    public string DevicePath { get; }

    /// <summary>Opens <c>/dev/i2c-{BusId}</c> for the device at <c>DeviceAddress</c>.</summary>
    public static LinuxI2cDevice Open(I2cConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Open(settings, settings.DevicePath);
    }

    /// <summary>
    /// Opens <paramref name="devicePath"/> for the device at <paramref name="settings"/>' address. Throws
    /// <see cref="DeviceOpenException"/> (naming the path and what to do) when the bus is missing, not accessible, not
    /// an I²C adapter, SMBus-only, or the address is owned by a kernel driver.
    /// </summary>
    public static unsafe LinuxI2cDevice Open(I2cConnectionSettings settings, string devicePath)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(devicePath);
        settings.Validate();
        string address = "0x" + settings.DeviceAddress.ToString("X2", CultureInfo.InvariantCulture);

        int fd = Libc.Open(devicePath, Libc.ORdWr | Libc.OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string hint = errno switch
            {
                Errno.ENOENT => "the bus does not exist — enable it (Raspberry Pi: dtparam=i2c_arm=on in /boot/firmware/config.txt; " +
                                "elsewhere: modprobe i2c-dev) and check 'ls /dev/i2c-*' (see hardware/README.md)",
                Errno.EACCES or Errno.EPERM => "permission denied — add the service user to the 'i2c' group or run the udev rule from hardware/README.md",
                _ => "open failed",
            };
            throw new DeviceOpenException(devicePath, errno, $"Cannot open I2C bus {devicePath} ({Errno.Name(errno)}): {hint}.");
        }

        try
        {
            nuint functions = 0;
            if (Libc.Ioctl(fd, I2cNative.I2cFuncs, &functions) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new DeviceOpenException(devicePath, errno,
                    $"{devicePath} is not an I2C adapter: ioctl(I2C_FUNCS) failed with {Errno.Name(errno)}.");
            }

            if ((functions & I2cNative.I2cFuncI2c) == 0)
            {
                throw new DeviceOpenException(devicePath, Errno.EOPNOTSUPP,
                    $"I2C adapter {devicePath} is SMBus-only (no I2C_FUNC_I2C): combined register reads (I2C_RDWR) are " +
                    "not possible on it. Use a controller with plain I2C transfers (see hardware/README.md).");
            }

            if (Libc.Ioctl(fd, I2cNative.I2cSlave, (nuint)settings.DeviceAddress) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                string hint = errno == Errno.EBUSY
                    ? $"a kernel driver owns it (see /sys/bus/i2c/devices/{settings.BusId}-00{settings.DeviceAddress:x2}/driver; " +
                      "remove the dtoverlay or unbind the driver)"
                    : "the adapter rejected the address";
                throw new DeviceOpenException(devicePath, errno,
                    $"Cannot claim I2C address {address} on {devicePath} ({Errno.Name(errno)}): {hint}.");
            }

            return new LinuxI2cDevice(fd, settings, devicePath);
        }
        catch
        {
            _ = Libc.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Wraps an already-open file descriptor without any checks (tests use it to drive the transfer path against a
    /// file that is not an adapter). Takes ownership of <paramref name="fd"/>.
    /// </summary>
    internal static LinuxI2cDevice FromOpenDescriptor(int fd, I2cConnectionSettings settings, string devicePath) =>
        new(fd, settings, devicePath);

    /// <summary>Opens a path with the given flags and returns the raw descriptor or −errno (for tests).</summary>
    internal static int OpenRaw(string path)
    {
        int fd = Libc.Open(path, Libc.ORdWr | Libc.OCloExec);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <inheritdoc />
    protected override unsafe I2cStatus TransferRead(Span<byte> buffer)
    {
        if (_fd < 0)
        {
            return Fail(9);
        }

        fixed (byte* p = buffer)
        {
            nint n = Libc.Read(_fd, p, (nuint)buffer.Length);
            if (n < 0)
            {
                return Fail(Marshal.GetLastPInvokeError());
            }

            return n == buffer.Length ? Succeed() : Fail(Errno.EIO);
        }
    }

    /// <inheritdoc />
    protected override unsafe I2cStatus TransferWrite(ReadOnlySpan<byte> buffer)
    {
        if (_fd < 0)
        {
            return Fail(9);
        }

        fixed (byte* p = buffer)
        {
            nint n = Libc.Write(_fd, p, (nuint)buffer.Length);
            if (n < 0)
            {
                return Fail(Marshal.GetLastPInvokeError());
            }

            return n == buffer.Length ? Succeed() : Fail(Errno.EIO);
        }
    }

    /// <inheritdoc />
    protected override unsafe I2cStatus TransferWriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        if (_fd < 0)
        {
            return Fail(9);
        }

        if (writeBuffer.Length > ushort.MaxValue || readBuffer.Length > ushort.MaxValue)
        {
            return Fail(Errno.EINVAL);
        }

        ushort address = (ushort)Settings.DeviceAddress;
        fixed (byte* w = writeBuffer)
        fixed (byte* r = readBuffer)
        {
            I2cNative.I2cMsg* messages = stackalloc I2cNative.I2cMsg[2];
            messages[0] = new I2cNative.I2cMsg { Addr = address, Flags = 0, Len = (ushort)writeBuffer.Length, Buf = w };
            messages[1] = new I2cNative.I2cMsg { Addr = address, Flags = I2cNative.I2cMRd, Len = (ushort)readBuffer.Length, Buf = r };
            var data = new I2cNative.I2cRdwrIoctlData { Msgs = messages, NMsgs = 2 };
            if (Libc.Ioctl(_fd, I2cNative.I2cRdwr, &data) < 0)
            {
                return Fail(Marshal.GetLastPInvokeError());
            }
        }

        return Succeed();
    }

    /// <summary>Closes the file descriptor. Later transfers return <see cref="I2cStatus.Closed"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        int fd = _fd;
        _fd = -1;
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }

        base.Dispose(disposing);
    }

    private I2cStatus Succeed()
    {
        LastErrno = 0;
        return I2cStatus.Ok;
    }

    private I2cStatus Fail(int errno)
    {
        LastErrno = errno;
        return I2cErrors.FromErrno(errno);
    }
}
