namespace Edge.Devices.I2c;

/// <summary>
/// Where an I²C device lives: the bus number (<c>/dev/i2c-{BusId}</c>) and its 7-bit address — the same shape as
/// dotnet/iot's <c>I2cConnectionSettings</c>, so a later move to System.Device.I2c is a one-folder change.
/// </summary>
/// <param name="BusId">Linux bus number N of <c>/dev/i2c-N</c>.</param>
/// <param name="DeviceAddress">7-bit device address, 0x03–0x77.</param>
public sealed record I2cConnectionSettings(int BusId, int DeviceAddress)
{
    /// <summary>Lowest 7-bit address that is not reserved.</summary>
    public const int MinAddress = 0x03;

    /// <summary>Highest 7-bit address that is not reserved.</summary>
    public const int MaxAddress = 0x77;

    /// <summary>The character device of the bus, e.g. <c>/dev/i2c-1</c>.</summary>
    public string DevicePath => "/dev/i2c-" + BusId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when the bus or address is impossible.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(BusId);
        if (DeviceAddress is < MinAddress or > MaxAddress)
        {
            throw new ArgumentOutOfRangeException(nameof(DeviceAddress), DeviceAddress,
                $"I2C address 0x{DeviceAddress:X2} is outside the 7-bit range 0x03–0x77.");
        }
    }
}
