using Edge.Devices.I2c;
using Edge.Devices.Ina226;
using Edge.Devices.Shunts;
using Edge.Simulation.Ina;
using Edge.Core.Timing;
using Edge.Simulation.Sensors;

namespace Edge.Devices.Tests;

public class Ina226Tests
{
    // ---- Golden vectors: TI SBOS547, "Configure/Measure/Calculate Example": 10 A load, 12 V bus, 2 mΩ shunt, 1 mA LSB.

    [Fact]
    public void CalibrationMatchesTheDatasheetExample()
    {
        Ina226Calibration cal = Ina226Calibration.Compute(0.002, 10, currentLsbA: 0.001);
        Assert.Equal(2560, cal.Value); // 0A00h
        Assert.Equal(0.001, cal.CurrentLsbA, 12);
        Assert.Equal(0.025, cal.PowerLsbW, 12); // 25 × Current_LSB
    }

    [Fact]
    public void DriverScalesTheDatasheetRegistersToTheDatasheetValues()
    {
        var target = new FixedRegisterTarget()
            .Set16(0xFE, 0x5449).Set16(0xFF, 0x2260)
            .Set16(0x01, 0x1F40) // shunt: 8000 × 2.5 µV = 20 mV
            .Set16(0x02, 0x2570) // bus: 9584 × 1.25 mV = 11.98 V
            .Set16(0x04, 0x2710) // current: 10000 × 1 mA = 10 A
            .Set16(0x03, 0x12B8); // power: 4792 × 25 mW = 119.8 W
        var bus = new SimulatedI2cBus();
        bus.Attach(0x40, target);
        var driver = new Ina226Driver(bus.CreateDevice(0x40), new Ina226Options { ShuntOhm = 0.002, MaxCurrentA = 10, CurrentLsbA = 0.001 });

        Assert.True(driver.TryReadMeasurement(ShuntReadSet.All, out ShuntMeasurement m));
        Assert.Equal(0.020, m.ShuntVoltageV, 9);
        Assert.Equal(11.98, m.BusVoltageV, 9);
        Assert.Equal(10.0, m.CurrentA, 9);
        Assert.Equal(119.8, m.PowerW, 9);
        Assert.Equal(0x4127, Ina226Driver.ComposeConfiguration(InaAveraging.Samples1, Ina226ConversionTime.Us1100, Ina226ConversionTime.Us1100, Ina226Mode.ShuntAndBusContinuous));
    }

    [Fact]
    public void NegativeRegistersAreTwosComplement()
    {
        Assert.Equal(-0.020, Ina226Driver.ShuntVoltageFromRaw(unchecked((ushort)-8000)), 12);
        Assert.Equal(40.95875, Ina226Driver.BusVoltageFromRaw(0xFFFF), 9); // bit 15 ignored: 32767 × 1.25 mV
    }

    [Theory]
    // Hand-computed: LSB = max/32768; CAL = trunc(0.00512 / (LSB × R)).
    [InlineData(0.002, 40.0, 2097)] // 0.00512 / (1.220703125 mA × 2 mΩ) = 2097.152
    [InlineData(0.0005, 100.0, 3355)] // 0.00512 / (3.0517578125 mA × 0.5 mΩ) = 3355.443
    [InlineData(0.01, 8.0, 2097)] // 0.00512 / (244.140625 µA × 10 mΩ) = 2097.152
    [InlineData(0.001, 20.0, 8388)] // 0.00512 / (610.3515625 µA × 1 mΩ) = 8388.608
    public void CalibrationForSeveralShunts(double shuntOhm, double maxCurrentA, int expected)
    {
        Ina226Calibration cal = Ina226Calibration.Compute(shuntOhm, maxCurrentA);
        Assert.Equal(expected, cal.Value);
        // The effective LSB is what the chip applies, and never makes the range smaller than requested.
        Assert.Equal(0.00512 / (cal.Value * shuntOhm), cal.CurrentLsbA, 15);
        Assert.True(cal.FullScaleCurrentA >= maxCurrentA * (32767.0 / 32768.0));
    }

    [Fact]
    public void ImpossibleShuntsAreRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => Ina226Calibration.Compute(0.01, 10)); // 100 mV > 81.92 mV
        Assert.Contains("81.92 mV", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ina226Calibration.Compute(-0.001, 10));
    }

    // ---- Against the register-level simulator.

    private static (Ina226Driver Driver, SimulatedIna226 Chip, VirtualClock Clock, SimulatedI2cBus Bus) Rig(double loadW = 120, Ina226Options? options = null)
    {
        var clock = new VirtualClock();
        var chip = new SimulatedIna226(new InaSignal(new ConstantProfile(loadW), 1, 12, 0, 0.002), clock.Read);
        var bus = new SimulatedI2cBus();
        bus.Attach(0x41, chip);
        var driver = new Ina226Driver(bus.CreateDevice(0x41), options ?? new Ina226Options { ShuntOhm = 0.002, MaxCurrentA = 40 });
        return (driver, chip, clock, bus);
    }

    [Fact]
    public void InitialisesAndMeasuresTheSimulatedLoad()
    {
        var (driver, chip, clock, _) = Rig(120);
        Assert.Equal(InaInitResult.Ok, driver.Initialize());
        Assert.Equal(driver.Calibration.Value, chip.RegisterValue(Register.Calibration));
        clock.Advance(1_000_000);
        Assert.True(driver.TryReadMeasurement(ShuntReadSet.All, out ShuntMeasurement m));
        Assert.Equal(12.0, m.BusVoltageV, 3);
        Assert.Equal(10.0, m.CurrentA, 2); // 120 W / 12 V
        Assert.Equal(120.0, m.PowerW, 0); // within one power LSB (30.5 mW)
        Assert.Equal(0.020, m.ShuntVoltageV, 5);
    }

    [Fact]
    public void ConversionReadyFollowsConversionTimeAndAveraging()
    {
        var options = new Ina226Options
        {
            ShuntOhm = 0.002,
            MaxCurrentA = 40,
            Averaging = InaAveraging.Samples4,
            BusConversionTime = Ina226ConversionTime.Us588,
            ShuntConversionTime = Ina226ConversionTime.Us1100,
        };
        var (driver, _, clock, _) = Rig(120, options);
        Assert.Equal(InaInitResult.Ok, driver.Initialize());
        Assert.Equal((588 + 1100) * 4 * 1000L, driver.ConversionPeriodNs);

        clock.Advance(6_700_000); // 6.7 ms < 6.752 ms
        Assert.True(driver.TryReadConversionReady(out bool ready, out _));
        Assert.False(ready);
        clock.Advance(60_000); // 6.76 ms
        Assert.True(driver.TryReadConversionReady(out ready, out _));
        Assert.True(ready);
        Assert.True(driver.TryReadConversionReady(out ready, out _)); // reading Mask/Enable cleared CVRF
        Assert.False(ready);
    }

    [Fact]
    public void ChangingAveragingWritesTheCachedWordOnceAndNeverReads()
    {
        var target = new FixedRegisterTarget();
        var bus = new SimulatedI2cBus();
        bus.Attach(0x40, target);
        var driver = new Ina226Driver(bus.CreateDevice(0x40), new Ina226Options());
        Assert.True(driver.TryConfigureAdc(InaAveraging.Samples64, Ina226ConversionTime.Us140, Ina226ConversionTime.Us204, Ina226Mode.ShuntAndBusContinuous));
        Assert.Equal(0, target.Reads);
        (byte register, ushort value) = Assert.Single(target.Writes);
        Assert.Equal(0x00, register);
        Assert.Equal(0x4000 | (3 << 9) | (0 << 6) | (1 << 3) | 7, value);
        Assert.Equal(InaAveraging.Samples64, driver.Averaging);
    }

    [Fact]
    public void AWrongChipIsRefused()
    {
        var (driver, chip, _, _) = Rig();
        chip.Faults.DeviceIdOverride = 0x2280; // an INA228's DEVICE_ID where an INA226 was configured
        Assert.Equal(InaInitResult.WrongDevice, driver.Initialize());
        Assert.Contains("expected DID 0x226", driver.LastError, StringComparison.Ordinal);

        var target = new FixedRegisterTarget().Set16(0xFE, 0x1234);
        var bus = new SimulatedI2cBus();
        bus.Attach(0x40, target);
        var other = new Ina226Driver(bus.CreateDevice(0x40), new Ina226Options());
        Assert.Equal(InaInitResult.WrongManufacturer, other.Initialize());
        Assert.Contains("0x1234", other.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void BusErrorsAreResultsNotExceptions()
    {
        var (driver, chip, _, bus) = Rig();
        chip.Faults.Nack = true;
        Assert.Equal(InaInitResult.BusError, driver.Initialize());
        Assert.Equal(I2cStatus.NoAcknowledge, driver.LastStatus);
        Assert.Contains("EREMOTEIO", driver.LastError, StringComparison.Ordinal);

        chip.Faults.Nack = false;
        Assert.Equal(InaInitResult.Ok, driver.Initialize());
        bus.FailNextTransfers(1, I2cStatus.Timeout);
        Assert.False(driver.TryReadPower(out _));
        Assert.Equal(I2cStatus.Timeout, driver.LastStatus);
        Assert.True(driver.TryReadPower(out _));
    }

    [Fact]
    public void NothingAtTheAddressIsANack()
    {
        var bus = new SimulatedI2cBus();
        using var device = bus.CreateDevice(0x45);
        var driver = new Ina226Driver(device, new Ina226Options());
        Assert.Equal(InaInitResult.BusError, driver.Initialize());
        Assert.Equal(6, device.LastErrno); // ENXIO
    }

    [Fact]
    public void ResetRestoresPowerOnValuesInTheSimulator()
    {
        var (driver, chip, _, _) = Rig();
        Assert.Equal(InaInitResult.Ok, driver.Initialize());
        Assert.NotEqual(0, chip.RegisterValue(Register.Calibration));
        var bus = new SimulatedI2cBus();
        bus.Attach(0x40, chip);
        using var device = bus.CreateDevice(0x40);
        Assert.Equal(I2cStatus.Ok, device.Status.Write([0x00, 0x80, 0x00])); // RST
        Assert.Equal(0x4127, chip.RegisterValue(Register.Configuration));
        Assert.Equal(0, chip.RegisterValue(Register.Calibration));
        Assert.Equal(I2cStatus.Ok, device.Status.Write([0x04, 0x12, 0x34])); // Current is read-only: ignored
        Assert.Equal(0, chip.RegisterValue(Register.Current));
    }

    [Fact]
    public void ReadingTheMeasurementDoesNotAllocate()
    {
        var (driver, _, clock, _) = Rig();
        Assert.Equal(InaInitResult.Ok, driver.Initialize());
        long bytes = Allocations.Measure(() =>
        {
            clock.Advance(1_000_000);
            driver.TryReadConversionReady(out _, out _);
            driver.TryReadMeasurement(ShuntReadSet.All, out _);
        });
        Assert.Equal(0, bytes);
    }
}
