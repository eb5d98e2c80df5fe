using System.Globalization;
using Edge.Devices.I2c;
using Edge.Devices.Shunts;
using UnitsNet;

namespace Edge.Devices.Ina228;

/// <summary>
/// Driver for the TI INA228 (85 V, 20-bit ΔΣ ADC) — for 48–54 V rack busbars. Register map in <see cref="Register"/>;
/// CONFIG, ADC_CONFIG and DIAG_ALRT are cached words (no read-modify-write over the bus).
/// <para>
/// Scaling facts (TI SLYS021): VSHUNT/VBUS/CURRENT are 24-bit registers holding a 20-bit value in bits 23:4;
/// VSHUNT 312.5 nV/LSB (ADCRANGE 0, ±163.84 mV) or 78.125 nV/LSB (ADCRANGE 1, ±40.96 mV); VBUS 195.3125 µV/LSB;
/// DIETEMP 7.8125 m°C/LSB; POWER 24-bit unsigned × 3.2 × CURRENT_LSB; ENERGY 40-bit unsigned × 16 × 3.2 × CURRENT_LSB;
/// CHARGE 40-bit two's complement × CURRENT_LSB; MANUFACTURER_ID 5449h, DEVICE_ID DIEID (15:4) = 228h.
/// Conversion ready: DIAG_ALRT CNVRF (bit 1). Polling sets ALATCH = 1 so CNVRF holds until DIAG_ALRT is read (with
/// ALATCH = 0 the flag is transparent and could be missed); ALERT-pin mode sets CNVR = 1, ALATCH = 0 so the pin
/// releases by itself. MATHOF (bit 9) flags an arithmetic overflow; MEMSTAT (bit 0) = 0 means a trim-memory checksum error.
/// </para>
/// Not thread-safe: one thread per bus.
/// </summary>
public sealed class Ina228Driver : IShuntMonitor, IShuntRegisterReader
{
    /// <summary>Manufacturer ID of every TI part ("TI").</summary>
    public const ushort ManufacturerIdTi = 0x5449;

    /// <summary>DEVICE_ID bits 15:4 of the INA228.</summary>
    public const ushort DieIdInA228 = 0x228;

    /// <summary>VBUS LSB, V.</summary>
    public const double BusVoltageLsbV = 195.3125e-6;

    /// <summary>DIETEMP LSB, °C.</summary>
    public const double TemperatureLsbC = 7.8125e-3;

    /// <summary>CONFIG RST (bit 15).</summary>
    public const ushort ConfigReset = 0x8000;

    /// <summary>CONFIG RSTACC (bit 14): clears ENERGY and CHARGE.</summary>
    public const ushort ConfigResetAccumulators = 0x4000;

    /// <summary>CONFIG ADCRANGE (bit 4).</summary>
    public const ushort ConfigAdcRange = 0x0010;

    /// <summary>DIAG_ALRT ALATCH (bit 15).</summary>
    public const ushort DiagAlertLatch = 0x8000;

    /// <summary>DIAG_ALRT CNVR (bit 14): ALERT on conversion ready.</summary>
    public const ushort DiagConversionReadyAlert = 0x4000;

    /// <summary>DIAG_ALRT MATHOF (bit 9).</summary>
    public const ushort DiagMathOverflow = 0x0200;

    /// <summary>DIAG_ALRT CNVRF (bit 1).</summary>
    public const ushort DiagConversionReadyFlag = 0x0002;

    /// <summary>DIAG_ALRT MEMSTAT (bit 0): 1 = trim memory checksum good.</summary>
    public const ushort DiagMemoryOk = 0x0001;

    private readonly II2cDevice _device;
    private ushort _config;
    private ushort _adcConfig;
    private readonly ushort _diagAlert;

    /// <summary>
    /// Creates the driver on a dotnet/iot <see cref="System.Device.I2c.I2cDevice"/>, as every Iot.Device.Bindings binding
    /// is constructed. Edge's own devices (<see cref="LinuxI2cDevice"/>, the simulators) are used through their
    /// status-returning path (no exception per failed sample); any other I2cDevice through
    /// <see cref="I2cDeviceStatusAdapter"/>. No bus traffic until <see cref="Initialize"/>. Throws for an impossible calibration.
    /// </summary>
    public Ina228Driver(System.Device.I2c.I2cDevice device, Ina228Options options)
        : this(I2cDeviceStatusAdapter.For(device), options)
    {
    }

    /// <summary>Creates the driver on one of Edge's devices (<see cref="LinuxI2cDevice"/>, a simulator): its status path.</summary>
    public Ina228Driver(EdgeI2cDevice device, Ina228Options options)
        : this((II2cDevice)device, options)
    {
    }

    /// <summary>Creates the driver on Edge's status-returning transfer path (what the rig loader opens).</summary>
    public Ina228Driver(II2cDevice device, Ina228Options options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        _device = device;
        Calibration = Ina228Calibration.Compute(options.ShuntOhm, options.MaxCurrentA, options.AdcRange, options.CurrentLsbA);
        _config = Calibration.AdcRange1 ? ConfigAdcRange : (ushort)0;
        _adcConfig = ComposeAdcConfig(options.Mode, options.BusConversionTime, options.ShuntConversionTime,
            options.TemperatureConversionTime, options.Averaging);
        _diagAlert = options.AlertOnConversionReady ? DiagConversionReadyAlert : DiagAlertLatch;
    }

    /// <inheritdoc />
    public string Model => "INA228";

    /// <summary>The calibration written to the chip.</summary>
    public Ina228Calibration Calibration { get; }

    /// <summary>The cached CONFIG word.</summary>
    public ushort ConfigWord => _config;

    /// <summary>The cached ADC_CONFIG word.</summary>
    public ushort AdcConfigWord => _adcConfig;

    /// <summary>The cached DIAG_ALRT configuration bits.</summary>
    public ushort DiagAlertWord => _diagAlert;

    /// <summary>Operating mode in the cached ADC configuration.</summary>
    public Ina228Mode Mode => (Ina228Mode)(_adcConfig >> 12);

    /// <summary>Averaging in the cached ADC configuration.</summary>
    public InaAveraging Averaging => (InaAveraging)(_adcConfig & 7);

    /// <summary>Bus conversion time in the cached ADC configuration.</summary>
    public Ina228ConversionTime BusConversionTime => (Ina228ConversionTime)((_adcConfig >> 9) & 7);

    /// <summary>Shunt conversion time in the cached ADC configuration.</summary>
    public Ina228ConversionTime ShuntConversionTime => (Ina228ConversionTime)((_adcConfig >> 6) & 7);

    /// <summary>Temperature conversion time in the cached ADC configuration.</summary>
    public Ina228ConversionTime TemperatureConversionTime => (Ina228ConversionTime)((_adcConfig >> 3) & 7);

    /// <inheritdoc />
    public I2cStatus LastStatus { get; private set; }

    /// <inheritdoc />
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public bool AlertNeedsFlagRead => false;

    /// <inheritdoc />
    public long ConversionPeriodNs
    {
        get
        {
            int mode = (int)Mode;
            long us = 0;
            if ((mode & 1) != 0)
            {
                us += BusConversionTime.Microseconds();
            }

            if ((mode & 2) != 0)
            {
                us += ShuntConversionTime.Microseconds();
            }

            if ((mode & 4) != 0)
            {
                us += TemperatureConversionTime.Microseconds();
            }

            return us * Averaging.SampleCount() * 1000;
        }
    }

    /// <summary>Builds ADC_CONFIG: MODE 15:12, VBUSCT 11:9, VSHCT 8:6, VTCT 5:3, AVG 2:0.</summary>
    public static ushort ComposeAdcConfig(Ina228Mode mode, Ina228ConversionTime bus, Ina228ConversionTime shunt, Ina228ConversionTime temperature, InaAveraging averaging) =>
        (ushort)((((int)mode & 0xF) << 12) | (((int)bus & 7) << 9) | (((int)shunt & 7) << 6) | (((int)temperature & 7) << 3) | ((int)averaging & 7));

    /// <summary>The signed 20-bit value in bits 23:4 of a 24-bit register.</summary>
    public static int Value20(uint raw24) => (int)(RegisterIo.SignExtend(raw24 & 0xFFFFFF, 24) >> 4);

    /// <summary>Shunt voltage from the raw VSHUNT register, V.</summary>
    public double ShuntVoltageFromRaw(uint raw24) => Value20(raw24) * Calibration.ShuntVoltageLsbV;

    /// <summary>Bus voltage from the raw VBUS register, V.</summary>
    public static double BusVoltageFromRaw(uint raw24) => Value20(raw24) * BusVoltageLsbV;

    /// <summary>Current from the raw CURRENT register, A.</summary>
    public double CurrentFromRaw(uint raw24) => Value20(raw24) * Calibration.CurrentLsbA;

    /// <summary>Power from the raw POWER register (24-bit unsigned), W.</summary>
    public double PowerFromRaw(uint raw24) => (raw24 & 0xFFFFFF) * Calibration.PowerLsbW;

    /// <summary>Energy from the raw ENERGY register (40-bit unsigned), J.</summary>
    public double EnergyFromRaw(ulong raw40) => (raw40 & 0xFF_FFFF_FFFFUL) * Calibration.EnergyLsbJ;

    /// <summary>Charge from the raw CHARGE register (40-bit two's complement), C.</summary>
    public double ChargeFromRaw(ulong raw40) => RegisterIo.SignExtend(raw40, 40) * Calibration.CurrentLsbA;

    /// <summary>Die temperature from the raw DIETEMP register, °C.</summary>
    public static double TemperatureFromRaw(ushort raw) => (short)raw * TemperatureLsbC;

    /// <inheritdoc />
    public InaInitResult Initialize()
    {
        LastError = null;
        if (!Read16(Register.ManufacturerId, out ushort manufacturer))
        {
            return BusFailure("reading MANUFACTURER_ID");
        }

        if (manufacturer != ManufacturerIdTi)
        {
            LastError = Describe($"MANUFACTURER_ID is 0x{manufacturer:X4}, expected 0x{ManufacturerIdTi:X4} (TI): not an INA228");
            return InaInitResult.WrongManufacturer;
        }

        if (!Read16(Register.DeviceId, out ushort device))
        {
            return BusFailure("reading DEVICE_ID");
        }

        if ((device >> 4) != DieIdInA228)
        {
            LastError = Describe($"DEVICE_ID is 0x{device:X4} (DIEID 0x{device >> 4:X3}), expected DIEID 0x228: wrong chip for an INA228 entry");
            return InaInitResult.WrongDevice;
        }

        if (!Write16(Register.Config, ConfigReset))
        {
            return BusFailure("resetting");
        }

        if (!Write16(Register.Config, _config) || !Write16(Register.ShuntCal, Calibration.Value) ||
            !Write16(Register.AdcConfig, _adcConfig) || !Write16(Register.DiagAlrt, _diagAlert))
        {
            return BusFailure("writing the configuration");
        }

        if (!Read16(Register.Config, out ushort config) || !Read16(Register.ShuntCal, out ushort cal) ||
            !Read16(Register.AdcConfig, out ushort adc) || !Read16(Register.DiagAlrt, out ushort diag))
        {
            return BusFailure("reading the configuration back");
        }

        if ((config & ConfigAdcRange) != (_config & ConfigAdcRange) || (cal & 0x7FFF) != Calibration.Value || adc != _adcConfig)
        {
            LastError = Describe($"read back CONFIG 0x{config:X4} / SHUNT_CAL 0x{cal:X4} / ADC_CONFIG 0x{adc:X4}, wrote 0x{_config:X4} / 0x{Calibration.Value:X4} / 0x{_adcConfig:X4}");
            return InaInitResult.VerifyFailed;
        }

        if ((diag & DiagMemoryOk) == 0)
        {
            LastError = Describe("DIAG_ALRT MEMSTAT = 0: trim-memory checksum error, the chip's readings cannot be trusted");
            return InaInitResult.VerifyFailed;
        }

        return InaInitResult.Ok;
    }

    /// <summary>Writes a new ADC configuration (the whole cached word). Returns false on a bus error (cache unchanged).</summary>
    public bool TryConfigureAdc(Ina228Mode mode, Ina228ConversionTime bus, Ina228ConversionTime shunt, Ina228ConversionTime temperature, InaAveraging averaging)
    {
        ushort word = ComposeAdcConfig(mode, bus, shunt, temperature, averaging);
        if (!Write16(Register.AdcConfig, word))
        {
            return false;
        }

        _adcConfig = word;
        return true;
    }

    /// <summary>Clears ENERGY and CHARGE (CONFIG RSTACC, written from the cached word).</summary>
    public bool TryResetAccumulators() => Write16(Register.Config, (ushort)(_config | ConfigResetAccumulators));

    /// <inheritdoc />
    public bool TryReadConversionReady(out bool ready, out bool overflow)
    {
        bool ok = Read16(Register.DiagAlrt, out ushort flags);
        ready = ok && (flags & DiagConversionReadyFlag) != 0;
        overflow = ok && (flags & DiagMathOverflow) != 0;
        return ok;
    }

    /// <summary>Reads the shunt voltage, V.</summary>
    public bool TryReadShuntVoltage(out double volts) => TryReadQuantity(ShuntReadSet.ShuntVoltage, out volts, out _);

    /// <summary>Reads the bus voltage, V.</summary>
    public bool TryReadBusVoltage(out double volts) => TryReadQuantity(ShuntReadSet.BusVoltage, out volts, out _);

    /// <summary>Reads the current, A.</summary>
    public bool TryReadCurrent(out double amperes) => TryReadQuantity(ShuntReadSet.Current, out amperes, out _);

    /// <summary>Reads the power (magnitude), W.</summary>
    public bool TryReadPower(out double watts) => TryReadQuantity(ShuntReadSet.Power, out watts, out _);

    /// <summary>Reads the energy accumulator, J (valid in continuous modes; wraps at 2^40 LSB, ENERGYOF flags it).</summary>
    public bool TryReadEnergy(out double joules)
    {
        LastStatus = RegisterIo.ReadU40(_device, (byte)Register.Energy, out ulong raw);
        joules = LastStatus == I2cStatus.Ok ? EnergyFromRaw(raw) : 0;
        return LastStatus == I2cStatus.Ok;
    }

    /// <summary>Reads the charge accumulator, C.</summary>
    public bool TryReadCharge(out double coulombs)
    {
        LastStatus = RegisterIo.ReadU40(_device, (byte)Register.Charge, out ulong raw);
        coulombs = LastStatus == I2cStatus.Ok ? ChargeFromRaw(raw) : 0;
        return LastStatus == I2cStatus.Ok;
    }

    /// <summary>Reads the die temperature, °C.</summary>
    public bool TryReadDieTemperature(out double celsius)
    {
        bool ok = Read16(Register.DieTemp, out ushort raw);
        celsius = ok ? TemperatureFromRaw(raw) : 0;
        return ok;
    }

    /// <summary>Reads the shunt voltage. Throws <see cref="IOException"/> on a bus error (use <see cref="TryReadShuntVoltage"/> in loops).</summary>
    public ElectricPotential ReadShuntVoltage() => ElectricPotential.FromVolts(Require(TryReadShuntVoltage(out double v), v));

    /// <summary>Reads the bus voltage. Throws <see cref="IOException"/> on a bus error.</summary>
    public ElectricPotential ReadBusVoltage() => ElectricPotential.FromVolts(Require(TryReadBusVoltage(out double v), v));

    /// <summary>Reads the current (signed: negative = into the shunt's IN− side). Throws <see cref="IOException"/> on a bus error.</summary>
    public ElectricCurrent ReadCurrent() => ElectricCurrent.FromAmperes(Require(TryReadCurrent(out double a), a));

    /// <summary>Reads the power register (a magnitude, as the chip reports it). Throws <see cref="IOException"/> on a bus error.</summary>
    public Power ReadPower() => Power.FromWatts(Require(TryReadPower(out double w), w));

    /// <summary>Reads the energy accumulator. Throws <see cref="IOException"/> on a bus error.</summary>
    public Energy ReadEnergy() => Energy.FromJoules(Require(TryReadEnergy(out double j), j));

    /// <summary>Reads the charge accumulator. Throws <see cref="IOException"/> on a bus error.</summary>
    public ElectricCharge ReadCharge() => ElectricCharge.FromCoulombs(Require(TryReadCharge(out double c), c));

    /// <summary>Reads the die temperature. Throws <see cref="IOException"/> on a bus error.</summary>
    public Temperature ReadDieTemperature() => Temperature.FromDegreesCelsius(Require(TryReadDieTemperature(out double t), t));

    /// <inheritdoc />
    public bool TryReadMeasurement(ShuntReadSet set, out ShuntMeasurement measurement) => ShuntMeasurementReader.TryRead(this, set, out measurement);

    /// <inheritdoc />
    bool IShuntRegisterReader.TryReadQuantity(ShuntReadSet quantity, out double value, out ulong raw) => TryReadQuantity(quantity, out value, out raw);

    private bool TryReadQuantity(ShuntReadSet quantity, out double value, out ulong raw)
    {
        Register register = quantity switch
        {
            ShuntReadSet.Power => Register.Power,
            ShuntReadSet.Current => Register.Current,
            ShuntReadSet.BusVoltage => Register.VBus,
            _ => Register.VShunt,
        };
        bool ok = Read24(register, out uint word);
        raw = word;
        value = !ok ? 0 : quantity switch
        {
            ShuntReadSet.Power => PowerFromRaw(word),
            ShuntReadSet.Current => CurrentFromRaw(word),
            ShuntReadSet.BusVoltage => BusVoltageFromRaw(word),
            _ => ShuntVoltageFromRaw(word),
        };
        return ok;
    }

    private bool Read16(Register register, out ushort value)
    {
        LastStatus = RegisterIo.ReadU16(_device, (byte)register, out value);
        return LastStatus == I2cStatus.Ok;
    }

    private bool Read24(Register register, out uint value)
    {
        LastStatus = RegisterIo.ReadU24(_device, (byte)register, out value);
        return LastStatus == I2cStatus.Ok;
    }

    private bool Write16(Register register, ushort value)
    {
        LastStatus = RegisterIo.WriteU16(_device, (byte)register, value);
        return LastStatus == I2cStatus.Ok;
    }

    private double Require(bool ok, double value) => ok ? value : throw RegisterIo.TransferFailed(_device, LastStatus);

    private InaInitResult BusFailure(string step)
    {
        LastError = Describe($"{step} failed: {LastStatus} ({I2cErrors.ErrnoName(_device.LastErrno)})");
        return InaInitResult.BusError;
    }

    private string Describe(string what) => string.Create(CultureInfo.InvariantCulture,
        $"INA228 at 0x{_device.ConnectionSettings.DeviceAddress:X2} on bus {_device.ConnectionSettings.BusId}: {what}.");
}
