using System.Globalization;
using Edge.Devices.Gpio;
using Edge.Devices.I2c;

namespace Edge.Devices.Rig;

/// <summary>Opens rig devices on Linux: <c>/dev/i2c-N</c> through i2c-dev, GPIO chips through the v2 character device.</summary>
public sealed class LinuxRigBackend : IRigBackend
{
    private readonly Dictionary<string, LinuxGpioChip> _chips = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public II2cDevice OpenI2cDevice(RigBus bus, int address)
    {
        ArgumentNullException.ThrowIfNull(bus);
        if (bus.Kind != RigBusKind.Linux || bus.Device is null)
        {
            throw new DeviceOpenException(bus.Path, 0, $"{bus.Path}: bus \"{bus.Id}\" is not a Linux bus; it needs the simulation backend.");
        }

        string digits = bus.Device.StartsWith("/dev/i2c-", StringComparison.Ordinal) ? bus.Device["/dev/i2c-".Length..] : string.Empty;
        int busNumber = int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
        return LinuxI2cDevice.Open(new I2cConnectionSettings(busNumber, address), bus.Device);
    }

    /// <inheritdoc />
    public IGpioLine OpenGpioLine(RigGpioLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!_chips.TryGetValue(line.Chip, out LinuxGpioChip? chip))
        {
            chip = LinuxGpioChip.Open(line.Chip);
            _chips[line.Chip] = chip;
        }

        return chip.RequestLine(line.Settings);
    }

    /// <summary>Closes the chips (requested lines stay valid until disposed themselves).</summary>
    public void Dispose()
    {
        foreach (LinuxGpioChip chip in _chips.Values)
        {
            chip.Dispose();
        }

        _chips.Clear();
    }
}
