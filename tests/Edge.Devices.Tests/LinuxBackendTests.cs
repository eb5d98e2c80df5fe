using Edge.Devices.Gpio;
using Edge.Devices.I2c;

namespace Edge.Devices.Tests;

/// <summary>
/// The Linux backends on a machine without /dev/i2c-* or /dev/gpiochip*: opening fails with errors that name the
/// device path, and the transfer path (P/Invoke, errno, status mapping, no allocation) runs against /dev/null, which
/// answers every ioctl with ENOTTY.
/// </summary>
public class LinuxBackendTests
{
    [Fact]
    public void OpeningAMissingBusNamesThePathAndTheFix()
    {
        var e = Assert.Throws<DeviceOpenException>(() => LinuxI2cDevice.Open(new I2cConnectionSettings(97, 0x40)));
        Assert.Equal("/dev/i2c-97", e.DevicePath);
        Assert.Equal(2, e.Errno); // ENOENT
        Assert.Contains("/dev/i2c-97", e.Message, StringComparison.Ordinal);
        Assert.Contains("ENOENT", e.Message, StringComparison.Ordinal);
        Assert.Contains("dtparam=i2c_arm=on", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpeningSomethingThatIsNotAnAdapterSaysSo()
    {
        var e = Assert.Throws<DeviceOpenException>(() => LinuxI2cDevice.Open(new I2cConnectionSettings(1, 0x40), "/dev/null"));
        Assert.Equal("/dev/null", e.DevicePath);
        Assert.Contains("/dev/null is not an I2C adapter", e.Message, StringComparison.Ordinal);
        Assert.Contains("ENOTTY", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpeningAMissingGpioChipNamesThePath()
    {
        var e = Assert.Throws<DeviceOpenException>(() => LinuxGpioChip.Open("gpiochip97"));
        Assert.Equal("/dev/gpiochip97", e.DevicePath);
        Assert.Contains("/dev/gpiochip97", e.Message, StringComparison.Ordinal);
        Assert.Contains("ENOENT", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpeningAChipByLabelListsWhatWasFound()
    {
        var e = Assert.Throws<DeviceOpenException>(() => LinuxGpioChip.Open("pinctrl-rp1"));
        Assert.Contains("No GPIO chip labelled 'pinctrl-rp1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpeningANonGpioDeviceAsChipSaysSo()
    {
        var e = Assert.Throws<DeviceOpenException>(() => LinuxGpioChip.Open("/dev/null"));
        Assert.Contains("/dev/null is not a GPIO character device", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TransferErrorsBecomeStatusesWithoutAllocating()
    {
        int fd = LinuxI2cDevice.OpenRaw("/dev/null");
        Assert.True(fd >= 0, "cannot open /dev/null");
        using LinuxI2cDevice device = LinuxI2cDevice.FromOpenDescriptor(fd, new I2cConnectionSettings(1, 0x40), "/dev/null");
        byte[] pointer = [0x02];
        byte[] data = new byte[2];

        Assert.Equal(I2cStatus.Other, device.Status.WriteRead(pointer, data)); // ioctl(I2C_RDWR) on /dev/null: ENOTTY
        Assert.Equal(25, device.LastErrno);
        Assert.Equal(I2cStatus.Ok, device.Status.Write(pointer)); // /dev/null swallows writes
        Assert.Equal(I2cStatus.BusError, device.Status.Read(data)); // EOF: a short read is a failed transfer

        long bytes = Allocations.Measure(() => device.Status.WriteRead(pointer, data));
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void ADisposedDeviceReportsClosed()
    {
        int fd = LinuxI2cDevice.OpenRaw("/dev/null");
        LinuxI2cDevice device = LinuxI2cDevice.FromOpenDescriptor(fd, new I2cConnectionSettings(1, 0x40), "/dev/null");
        device.Dispose();
        Assert.Equal(I2cStatus.Closed, device.Status.WriteRead([0], new byte[2]));
    }

    [Theory]
    [InlineData(6, I2cStatus.NoAcknowledge)] // ENXIO
    [InlineData(121, I2cStatus.NoAcknowledge)] // EREMOTEIO
    [InlineData(110, I2cStatus.Timeout)] // ETIMEDOUT
    [InlineData(5, I2cStatus.BusError)] // EIO
    [InlineData(11, I2cStatus.BusError)] // EAGAIN (arbitration lost)
    [InlineData(16, I2cStatus.Busy)] // EBUSY
    [InlineData(95, I2cStatus.NotSupported)] // EOPNOTSUPP
    [InlineData(22, I2cStatus.InvalidRequest)] // EINVAL
    [InlineData(19, I2cStatus.Closed)] // ENODEV
    public void ErrnoMapsToTheDocumentedStatus(int errno, I2cStatus expected) =>
        Assert.Equal(expected, I2cErrors.FromErrno(errno));

    [Fact]
    public void ConnectionSettingsRejectReservedAddresses()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new I2cConnectionSettings(1, 0x78).Validate());
        Assert.Equal("/dev/i2c-3", new I2cConnectionSettings(3, 0x40).DevicePath);
    }
}
