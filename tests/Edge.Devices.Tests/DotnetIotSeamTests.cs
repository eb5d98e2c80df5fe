using System.Device.I2c;
using Edge.Devices.I2c;
using Edge.Devices.Ina226;
using Edge.Devices.Ina228;
using Edge.Devices.Shunts;
using Edge.Simulation.Ina;
using UnitsNet;

namespace Edge.Devices.Tests;

/// <summary>
/// The .NET IoT seams: Edge's drivers are constructed from a System.Device.I2c <see cref="I2cDevice"/>, Edge's devices
/// are I2cDevices for any dotnet/iot binding, and a NACK is an exception only on the public face, never on the loop path.
/// </summary>
public class DotnetIotSeamTests
{
    private static SimulatedI2cBus BusWith(int address, II2cTarget target)
    {
        var bus = new SimulatedI2cBus();
        bus.Attach(address, target);
        return bus;
    }

    [Fact]
    public void Ina226FromAnI2cDeviceReadsTheDatasheetExampleAsUnitsNetQuantities()
    {
        // TI SBOS547 "Configure/Measure/Calculate Example": 2 mΩ, 1 mA LSB, 10 A at 12 V.
        var target = new FixedRegisterTarget()
            .Set16(0x01, 0x1F40).Set16(0x02, 0x2570).Set16(0x04, 0x2710).Set16(0x03, 0x12B8);
        I2cDevice device = BusWith(0x40, target).CreateDevice(0x40);
        var ina = new Ina226Driver(device, new Ina226Options { ShuntOhm = 0.002, MaxCurrentA = 10, CurrentLsbA = 0.001 });

        Assert.Equal(20.0, ina.ReadShuntVoltage().Millivolts, 9);
        Assert.Equal(11.98, ina.ReadBusVoltage().Volts, 9);
        Assert.Equal(10.0, ina.ReadCurrent().Amperes, 9);
        Assert.Equal(119.8, (double)ina.ReadPower().Watts, 9);
    }

    [Fact]
    public void Ina228FromAnI2cDeviceReadsTheDatasheetExampleAsUnitsNetQuantities()
    {
        // TI SBOSA20 application example: 16.2 mΩ, 10 A max, 48 V, 6 A, 288 W, 25 °C.
        var target = new FixedRegisterTarget()
            .Set24(0x04, 0xB4100u << 4).Set24(0x05, 245760u << 4).Set24(0x07, 314572u << 4).Set24(0x08, 4718604)
            .Set40(0x09, 1061683200).Set40(0x0A, 1132462080).Set16(0x06, 3200);
        I2cDevice device = BusWith(0x40, target).CreateDevice(0x40);
        var ina = new Ina228Driver(device, new Ina228Options { ShuntOhm = 0.0162, MaxCurrentA = 10 });

        Assert.Equal(-97.2, ina.ReadShuntVoltage().Millivolts, 6);
        Assert.Equal(48.0, ina.ReadBusVoltage().Volts, 9);
        Assert.Equal(6.0, ina.ReadCurrent().Amperes, 4);
        Assert.Equal(288.0, (double)ina.ReadPower().Watts, 2);
        Assert.Equal(1036800.0, ina.ReadEnergy().Joules, 3);
        Assert.Equal(21600.0, ina.ReadCharge().Coulombs, 2);
        Assert.Equal(25.0, ina.ReadDieTemperature().DegreesCelsius, 9);
    }

    [Fact]
    public void ANackThrowsOnThePublicFaceAndIsAnAllocationFreeStatusOnTheLoopPath()
    {
        var bus = new SimulatedI2cBus();
        using SimulatedI2cDevice device = bus.CreateDevice(0x45); // nothing there
        byte[] pointer = [0x03];
        byte[] data = new byte[2];

        IOException e = Assert.Throws<IOException>(() => device.WriteRead(pointer, data));
        Assert.Contains("0x45", e.Message, StringComparison.Ordinal);
        Assert.Contains("NoAcknowledge", e.Message, StringComparison.Ordinal);
        Assert.Contains("ENXIO", e.Message, StringComparison.Ordinal);

        Assert.Equal(I2cStatus.NoAcknowledge, device.Status.WriteRead(pointer, data));
        Assert.Equal(0, Allocations.Measure(() => device.Status.WriteRead(pointer, data)));

        var ina = new Ina226Driver(device, new Ina226Options());
        Assert.Equal(0, Allocations.Measure(() => ina.TryReadMeasurement(ShuntReadSet.Power | ShuntReadSet.Current, out _)));
        Assert.False(ina.TryReadPower(out _));
        Assert.Throws<IOException>(() => ina.ReadPower());
    }

    [Fact]
    public void TheLinuxDeviceIsAnI2cDeviceThatThrowsOnlyOnItsPublicFace()
    {
        int fd = LinuxI2cDevice.OpenRaw("/dev/null");
        Assert.True(fd >= 0, "cannot open /dev/null");
        using I2cDevice device = LinuxI2cDevice.FromOpenDescriptor(fd, new Edge.Devices.I2c.I2cConnectionSettings(1, 0x40), "/dev/null");
        Assert.Equal(1, device.ConnectionSettings.BusId);
        Assert.Equal(0x40, device.ConnectionSettings.DeviceAddress);
        IOException e = Assert.Throws<IOException>(() => device.WriteRead([0x02], new byte[2])); // ENOTTY
        Assert.Contains("/dev/null", e.Message, StringComparison.Ordinal);
        device.Write([0x02]); // /dev/null swallows writes
        Assert.Equal(I2cStatus.Other, ((II2cDevice)device).WriteRead([0x02], new byte[2]));
    }

    [Fact]
    public void AForeignI2cDeviceIsAdaptedAndItsExceptionsBecomeStatuses()
    {
        using var foreign = new NackingI2cDevice();
        var ina = new Ina226Driver(foreign, new Ina226Options());
        Assert.Equal(InaInitResult.BusError, ina.Initialize()); // no exception escapes
        Assert.Equal(I2cStatus.Other, ina.LastStatus); // no syscall behind this device: no errno to map, never a stale one
        Assert.Contains("0x41", ina.LastError, StringComparison.Ordinal);
        Assert.False(ina.TryReadConversionReady(out _, out _));
        Assert.Throws<IOException>(() => ina.ReadBusVoltage());
        Assert.True(foreign.Transfers >= 3);
    }

    [Fact]
    public void EdgeDevicesAreNotWrapped()
    {
        var bus = new SimulatedI2cBus();
        SimulatedI2cDevice device = bus.CreateDevice(0x40);
        Assert.Same(device, I2cDeviceStatusAdapter.For(device));
        Assert.IsType<I2cDeviceStatusAdapter>(I2cDeviceStatusAdapter.For(new NackingI2cDevice()));
    }

    [Fact]
    public void ADotnetIotBindingRunsOnEdgesSimulatedBus()
    {
        // Iot.Device.Bindings' Ina219 on Edge's bus: BUS register 0x02 = 12.0 V (3000 × 4 mV in bits 15:3).
        var target = new FixedRegisterTarget().Set16(0x02, 3000 << 3);
        I2cDevice device = BusWith(0x40, target).CreateDevice(0x40);
        using var ina219 = new Iot.Device.Adc.Ina219(device);
        Assert.Equal(12.0, ina219.ReadBusVoltage().Volts, 9);
        Assert.True(target.Reads > 0); // the transfer went through Edge's bus to the target
    }

    /// <summary>A dotnet/iot device from elsewhere that NACKs every transfer by throwing, as UnixI2cDevice does.</summary>
    private sealed class NackingI2cDevice : I2cDevice
    {
        public int Transfers { get; private set; }

        public override System.Device.I2c.I2cConnectionSettings ConnectionSettings { get; } = new(3, 0x41);

        public override byte ReadByte() => throw Nack();

        public override void Read(Span<byte> buffer) => throw Nack();

        public override void WriteByte(byte value) => throw Nack();

        public override void Write(ReadOnlySpan<byte> buffer) => throw Nack();

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => throw Nack();

        private IOException Nack()
        {
            Transfers++;
            return new IOException("Error 121 performing I2C data transfer.");
        }
    }
}
