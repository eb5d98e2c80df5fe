using Edge.Devices.Ina228;
using Edge.Devices.Shunts;
using Edge.Simulation.Ina;
using Edge.Core.Timing;
using Edge.Simulation.Sensors;

namespace Edge.Devices.Tests;

public class Ina228Tests
{
    // ---- Golden vectors: the INA228/INA229 application example (SLYS023 Table 8-4): 10 A maximum, 16.2 mΩ, 48 V, 6 A.

    private static Ina228Driver GoldenDriver(FixedRegisterTarget target)
    {
        var bus = new SimulatedI2cBus();
        bus.Attach(0x40, target);
        return new Ina228Driver(bus.CreateDevice(0x40), new Ina228Options { ShuntOhm = 0.0162, MaxCurrentA = 10 });
    }

    [Fact]
    public void CalibrationMatchesTheDatasheetExample()
    {
        Ina228Calibration cal = Ina228Calibration.Compute(0.0162, 10);
        Assert.False(cal.AdcRange1); // 162 mV needs ±163.84 mV
        Assert.Equal(4050, cal.Value); // 13107.2e6 × 10/2^19 × 0.0162
        Assert.Equal(19.073486e-6, cal.CurrentLsbA, 12);
        Assert.Equal(61.035156e-6, cal.PowerLsbW, 11);
        Assert.Equal(976.5625e-6, cal.EnergyLsbJ, 12);
    }

    [Fact]
    public void AdcRangeOneMultipliesShuntCalByFour()
    {
        // 2 mΩ × 20 A = 40 mV fits ±40.96 mV → ADCRANGE 1: SHUNT_CAL = 4 × 13107.2e6 × 20/2^19 × 0.002 = 4000.
        Ina228Calibration fine = Ina228Calibration.Compute(0.002, 20);
        Assert.True(fine.AdcRange1);
        Assert.Equal(4000, fine.Value);
        Assert.Equal(78.125e-9, fine.ShuntVoltageLsbV, 15);
        Ina228Calibration coarse = Ina228Calibration.Compute(0.002, 20, Ina228AdcRange.Range163mV);
        Assert.Equal(1000, coarse.Value);
        Assert.Equal(fine.CurrentLsbA, coarse.CurrentLsbA, 15);
    }

    [Theory]
    // Rack busbar shunts (hand-computed): SHUNT_CAL = ceil(13107.2e6 × I/2^19 × R × (4 if ≤ 40.96 mV)).
    [InlineData(0.0001, 400.0, 4000)] // 40 mV → range 1: 4 × 25000 × 400 × 1e-4 = 4000
    [InlineData(0.000025, 3000.0, 1875)] // 75 mV → range 0: 25000 × 3000 × 2.5e-5 = 1875
    [InlineData(0.0005, 300.0, 3750)] // 150 mV → range 0: 25000 × 300 × 5e-4 = 3750
    public void CalibrationForBusbarShunts(double shuntOhm, double maxCurrentA, int expected) =>
        Assert.Equal(expected, Ina228Calibration.Compute(shuntOhm, maxCurrentA).Value);

    [Fact]
    public void TooLargeAShuntIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => Ina228Calibration.Compute(0.001, 200)); // 200 mV
        Assert.Contains("163.84 mV", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DriverScalesTheDatasheetRegistersToTheDatasheetValues()
    {
        var target = new FixedRegisterTarget()
            .Set24(0x04, 0xB4100u << 4) // VSHUNT "1011 0100 0001 0000 0000" = −311040 → −97.2 mV
            .Set24(0x05, 245760u << 4) // VBUS 48 V
            .Set24(0x07, 314572u << 4) // CURRENT 6 A
            .Set24(0x08, 4718604) // POWER 288 W
            .Set40(0x09, 1061683200) // ENERGY 1036800 J
            .Set40(0x0A, 1132462080) // CHARGE 21600 C
            .Set16(0x06, 3200); // DIETEMP 25 °C
        Ina228Driver driver = GoldenDriver(target);

        Assert.True(driver.TryReadShuntVoltage(out double shuntV));
        Assert.Equal(-0.0972, shuntV, 9);
        Assert.True(driver.TryReadBusVoltage(out double busV));
        Assert.Equal(48.0, busV, 9);
        Assert.True(driver.TryReadCurrent(out double currentA));
        Assert.Equal(6.0, currentA, 4);
        Assert.True(driver.TryReadPower(out double powerW));
        Assert.Equal(288.0, powerW, 2);
        Assert.True(driver.TryReadEnergy(out double energyJ));
        Assert.Equal(1036800.0, energyJ, 3);
        Assert.True(driver.TryReadCharge(out double chargeC));
        Assert.Equal(21600.0, chargeC, 2);
        Assert.True(driver.TryReadDieTemperature(out double celsius));
        Assert.Equal(25.0, celsius, 9);
    }

    [Fact]
    public void ResetDefaultAdcConfigDecodesToTheDatasheetDefaults()
    {
        // ADC_CONFIG reset FB68h: MODE Fh, VBUSCT 1052 µs, VSHCT 1052 µs, VTCT 1052 µs, AVG 1.
        Assert.Equal(0xFB68, Ina228Driver.ComposeAdcConfig(Ina228Mode.ContinuousAll, Ina228ConversionTime.Us1052,
            Ina228ConversionTime.Us1052, Ina228ConversionTime.Us1052, InaAveraging.Samples1));
    }

    private static (Ina228Driver Driver, SimulatedIna228 Chip, VirtualClock Clock) Rig(double loadW, Ina228Options options)
    {
        var clock = new VirtualClock();
        var chip = new SimulatedIna228(new InaSignal(new ConstantProfile(loadW), 1, 48, 0, options.ShuntOhm), clock.Read);
        var bus = new SimulatedI2cBus();
        bus.Attach(0x44, chip);
        return (new Ina228Driver(bus.CreateDevice(0x44), options), chip, clock);
    }

    [Fact]
    public void MeasuresTheSimulatedRackAndAccumulatesEnergy()
    {
        var options = new Ina228Options { ShuntOhm = 0.0001, MaxCurrentA = 400 };
        var (driver, _, clock) = Rig(9600, options); // 200 A at 48 V
        Assert.Equal(InaInitResult.Ok, driver.Initialize());
        Assert.True(driver.Calibration.AdcRange1);
        clock.Advance(1_000_000);
        Assert.True(driver.TryReadMeasurement(ShuntReadSet.All, out ShuntMeasurement m));
        Assert.Equal(48.0, m.BusVoltageV, 3);
        Assert.Equal(200.0, m.CurrentA, 2);
        Assert.Equal(9600.0, m.PowerW, 0);
        Assert.Equal(0.020, m.ShuntVoltageV, 6);

        Assert.True(driver.TryResetAccumulators());
        clock.Advance(1_000_000_000);
        Assert.True(driver.TryReadEnergy(out double joules));
        Assert.InRange(joules, 9600 * 0.99, 9600 * 1.01); // one second at 9.6 kW
        Assert.True(driver.TryReadCharge(out double coulombs));
        Assert.InRange(coulombs, 200 * 0.99, 200 * 1.01);
    }

    [Fact]
    public void PollingUsesTheLatchedConversionFlag()
    {
        var options = new Ina228Options
        {
            ShuntOhm = 0.0001,
            MaxCurrentA = 400,
            BusConversionTime = Ina228ConversionTime.Us540,
            ShuntConversionTime = Ina228ConversionTime.Us1052,
            Averaging = InaAveraging.Samples16,
        };
        var (driver, chip, clock) = Rig(4800, options);
        Assert.Equal(InaInitResult.Ok, driver.Initialize());
        Assert.Equal((540 + 1052) * 16 * 1000L, driver.ConversionPeriodNs);
        Assert.Equal(Ina228Driver.DiagAlertLatch, (ushort)(chip.DiagAlert & 0xF000));

        clock.Advance(25_000_000); // 25 ms < 25.472 ms
        Assert.True(driver.TryReadConversionReady(out bool ready, out _));
        Assert.False(ready);
        clock.Advance(5_000_000); // past the conversion: the latched flag waits for us however late we come
        Assert.True(driver.TryReadConversionReady(out ready, out _));
        Assert.True(ready);
        Assert.True(driver.TryReadConversionReady(out ready, out _));
        Assert.False(ready);
    }

    [Fact]
    public void AWrongChipIsRefused()
    {
        var (driver, chip, _) = Rig(100, new Ina228Options { ShuntOhm = 0.0001, MaxCurrentA = 400 });
        chip.Faults.DeviceIdOverride = 0x2260; // an INA226 strapped at this address
        Assert.Equal(InaInitResult.WrongDevice, driver.Initialize());
        Assert.Contains("expected DIEID 0x228", driver.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void OverflowIsFlagged()
    {
        var (driver, chip, clock) = Rig(100, new Ina228Options { ShuntOhm = 0.0001, MaxCurrentA = 400 });
        Assert.Equal(InaInitResult.Ok, driver.Initialize());
        chip.Faults.CurrentOverrideA = 2000; // 200 mV on a ±40.96 mV range: saturates, CURRENT overflows the LSB range
        clock.Advance(2_000_000);
        Assert.True(driver.TryReadConversionReady(out bool ready, out bool overflow));
        Assert.True(ready);
        Assert.True(overflow);
    }
}
