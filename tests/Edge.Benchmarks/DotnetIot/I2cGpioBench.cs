using System.Device.Gpio;
using Edge.Core.Timing;
using Edge.Devices.Gpio;
using Edge.Devices.I2c;
using Edge.Simulation.Gpio;
using Edge.Simulation.Ina;
using Edge.Simulation.Sensors;

namespace Edge.Benchmarks.DotnetIot;

/// <summary>
/// I²C: System.Device.I2c's I2cDevice face (throws on NACK) vs Edge's status path, on the simulated bus and on a real
/// file descriptor (/dev/null: ioctl(I2C_RDWR) fails with ENOTTY — a real syscall failing, as a NACK does).
/// GPIO: GpioController over Edge's CharacterDeviceGpioDriver vs the loop's IGpioLine, on the simulated chip.
/// </summary>
internal static class I2cGpioBench
{
    public static List<(string Name, double Ns, double Bytes)> Run(int iterations)
    {
        var rows = new List<(string, double, double)>();
        void Row(string name, Action op, int n)
        {
            _ = Measure.Run(op, n); // first pass: lets tiered JIT finish (otherwise the first row measured pays for it)
            (double ns, double b) = Measure.Run(op, n);
            rows.Add((name, ns, b));
            Console.Error.WriteLine($"  {name}: {ns:F0} ns, {b:F1} B");
        }

        var clock = new VirtualClock();
        var bus = new SimulatedI2cBus();
        bus.Attach(0x40, new SimulatedIna226(new InaSignal(new Flat(), 1, 12, 0, 0.002), clock.Read));
        SimulatedI2cDevice device = bus.CreateDevice(0x40);
        SimulatedI2cDevice absent = bus.CreateDevice(0x45);
        byte[] pointer = [0x03];
        byte[] data = new byte[2];
        II2cDevice status = device.Status;
        System.Device.I2c.I2cDevice iot = device;
        Row("i2c sim: Edge status path WriteRead (ack)", () => status.WriteRead(pointer, data), iterations);
        Row("i2c sim: I2cDevice.WriteRead (ack)", () => iot.WriteRead(pointer, data), iterations);
        II2cDevice absentStatus = absent.Status;
        System.Device.I2c.I2cDevice absentIot = absent;
        Row("i2c sim: Edge status path WriteRead (NACK)", () => absentStatus.WriteRead(pointer, data), iterations);
        Row("i2c sim: I2cDevice.WriteRead (NACK, caught)", () =>
        {
            try
            {
                absentIot.WriteRead(pointer, data);
            }
            catch (IOException)
            {
            }
        }, iterations / 10);

        int fd = LinuxI2cDevice.OpenRaw("/dev/null");
        if (fd >= 0)
        {
            using LinuxI2cDevice linux = LinuxI2cDevice.FromOpenDescriptor(fd, new Edge.Devices.I2c.I2cConnectionSettings(1, 0x40), "/dev/null");
            II2cDevice linuxStatus = linux.Status;
            Row("i2c fd: Edge status path ioctl(I2C_RDWR) failing", () => linuxStatus.WriteRead(pointer, data), iterations / 10);
            Row("i2c fd: I2cDevice.WriteRead failing (caught)", () =>
            {
                try
                {
                    linux.WriteRead(pointer, data);
                }
                catch (IOException)
                {
                }
            }, iterations / 10);
        }

        var chip = new SimulatedGpioChip("sim", 32, clock.Read);
        IGpioLine line = chip.RequestLine(new GpioLineSettings(17, GpioDirection.Input));
        using var controller = new GpioController(new CharacterDeviceGpioDriver(chip));
        controller.OpenPin(18, PinMode.Input);
        IGpioLine relay = chip.RequestLine(new GpioLineSettings(20, GpioDirection.Output));
        controller.OpenPin(21, PinMode.Output);
        bool level = false;
        Row("gpio sim: IGpioLine.TryRead (loop)", () => line.TryRead(out _), iterations);
        Row("gpio sim: GpioController.Read via CharacterDeviceGpioDriver", () => controller.Read(18), iterations);
        Row("gpio sim: IGpioLine.TryWrite (loop)", () => relay.TryWrite(level = !level), iterations);
        Row("gpio sim: GpioController.Write via CharacterDeviceGpioDriver", () => controller.Write(21, (level = !level) ? PinValue.High : PinValue.Low), iterations);
        return rows;
    }

    private sealed class Flat : Edge.Simulation.Profiles.ILoadProfile
    {
        public string Description => "flat 1 kW";

        public double PeakW => 1000;

        public double DurationS => 1;

        public double PowerAt(double timeS) => 1000;
    }
}
