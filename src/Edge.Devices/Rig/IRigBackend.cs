using Edge.Devices.Gpio;
using Edge.Devices.I2c;

namespace Edge.Devices.Rig;

/// <summary>
/// Opens the physical side of a rig: I²C devices and GPIO lines. <see cref="LinuxRigBackend"/> opens real character
/// devices; Edge.Simulation's backend creates register-level simulators — the drivers above are the same.
/// </summary>
public interface IRigBackend : IDisposable
{
    /// <summary>Opens the device at <paramref name="address"/> on <paramref name="bus"/>. Throws <see cref="DeviceOpenException"/>.</summary>
    II2cDevice OpenI2cDevice(RigBus bus, int address);

    /// <summary>Requests <paramref name="line"/>. Throws <see cref="DeviceOpenException"/>.</summary>
    IGpioLine OpenGpioLine(RigGpioLine line);
}
