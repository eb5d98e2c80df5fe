using System.Globalization;
using Edge.Devices.I2c;
using Edge.Devices.Shunts;
using UnitsNet;

namespace Edge.Devices.Ina226;

/// <summary>
/// Driver for the TI INA226 current/power monitor (36 V common mode, 16-bit ADC) — dotnet/iot style: register map in
/// <see cref="Register"/>, span-based register I/O with big-endian words, <c>TryRead…</c> methods instead of NaN.
/// The configuration and Mask/Enable words are cached: changing one setting writes the whole cached word, never a
/// read-modify-write over the bus.
/// <para>
/// Scaling facts (TI SBOS547): shunt LSB 2.5 µV (two's complement), bus LSB 1.25 mV (15 bits), Current = Shunt ×
/// CAL / 2048 (eq. 3) with LSB Current_LSB, Power = Current × Bus / 20000 (eq. 4) with LSB 25 × Current_LSB;
/// manufacturer ID FEh = 5449h, die ID FFh = 2260h. Conversion ready: Mask/Enable CVRF (bit 3), cleared by reading
/// Mask/Enable or writing Configuration; OVF (bit 2) = math overflow.
/// </para>
/// Not thread-safe: one thread per bus.
/// </summary>
public sealed class Ina226Driver : IShuntMonitor, IShuntRegisterReader
{
    /// <summary>Manufacturer ID register value of every TI part ("TI" in ASCII).</summary>
    public const ushort ManufacturerIdTi = 0x5449;

    /// <summary>Die ID bits 15:4 of the INA226.</summary>
    public const ushort DieIdInA226 = 0x226;

    /// <summary>Shunt-voltage LSB, V.</summary>
    public const double ShuntVoltageLsbV = 2.5e-6;

    /// <summary>Bus-voltage LSB, V.</summary>
    public const double BusVoltageLsbV = 1.25e-3;

    /// <summary>CONFIG bit 15: reset all registers (self-clearing).</summary>
    public const ushort ConfigReset = 0x8000;

    /// <summary>CONFIG bits 14:12 read 100b at power-on; Edge writes them back unchanged.</summary>
    public const ushort ConfigFixedBits = 0x4000;

    /// <summary>Mask/Enable CNVR (bit 10): ALERT asserts on conversion ready.</summary>
    public const ushort MaskConversionReadyAlert = 1 << 10;

    /// <summary>Mask/Enable CVRF (bit 3): conversion ready flag.</summary>
    public const ushort MaskConversionReadyFlag = 1 << 3;

    /// <summary>Mask/Enable OVF (bit 2): math overflow flag.</summary>
    public const ushort MaskOverflowFlag = 1 << 2;

    private readonly II2cDevice _device;
    private ushort _configuration;
    private ushort _maskEnable;

    /// <summary>
    /// Creates the driver on a dotnet/iot <see cref="System.Device.I2c.I2cDevice"/>, as every Iot.Device.Bindings binding
    /// is constructed. Edge's own devices (<see cref="LinuxI2cDevice"/>, the simulators) are used through their
    /// status-returning path (no exception per failed sample); any other I2cDevice through
    /// <see cref="I2cDeviceStatusAdapter"/>. No bus traffic until <see cref="Initialize"/>. Throws for an impossible calibration.
    /// </summary>
    public Ina226Driver(System.Device.I2c.I2cDevice device, Ina226Options options)
        : this(I2cDeviceStatusAdapter.For(device), options)
    {
    }

    /// <summary>Creates the driver on one of Edge's devices (<see cref="LinuxI2cDevice"/>, a simulator): its status path.</summary>
    public Ina226Driver(EdgeI2cDevice device, Ina226Options options)
        : this((II2cDevice)device, options)
    {
    }

    /// <summary>Creates the driver on Edge's status-returning transfer path (what the rig loader opens).</summary>
    public Ina226Driver(II2cDevice device, Ina226Options options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        _device = device;
        Calibration = Ina226Calibration.Compute(options.ShuntOhm, options.MaxCurrentA, options.CurrentLsbA);
        _configuration = ComposeConfiguration(options.Averaging, options.BusConversionTime, options.ShuntConversionTime, options.Mode);
        _maskEnable = options.AlertOnConversionReady ? MaskConversionReadyAlert : (ushort)0;
    }

    /// <inheritdoc />
    public string Model => "INA226";

    /// <summary>The calibration written to the chip.</summary>
    public Ina226Calibration Calibration { get; }

    /// <summary>The cached configuration word (what the chip holds after a successful write).</summary>
    public ushort ConfigurationWord => _configuration;

    /// <summary>The cached Mask/Enable word.</summary>
    public ushort MaskEnableWord => _maskEnable;

    /// <summary>Averaging in the cached configuration.</summary>
    public InaAveraging Averaging => (InaAveraging)((_configuration >> 9) & 7);

    /// <summary>Bus conversion time in the cached configuration.</summary>
    public Ina226ConversionTime BusConversionTime => (Ina226ConversionTime)((_configuration >> 6) & 7);

    /// <summary>Shunt conversion time in the cached configuration.</summary>
    public Ina226ConversionTime ShuntConversionTime => (Ina226ConversionTime)((_configuration >> 3) & 7);

    /// <summary>Mode in the cached configuration.</summary>
    public Ina226Mode Mode => (Ina226Mode)(_configuration & 7);

    /// <inheritdoc />
    public I2cStatus LastStatus { get; private set; }

    /// <inheritdoc />
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public bool AlertNeedsFlagRead => true;

    /// <inheritdoc />
    public long ConversionPeriodNs
    {
        get
        {
            // Continuous shunt+bus: one result every (tSH + tBUS) × AVG; single-channel modes convert one channel.
            long shunt = ShuntConversionTime.Microseconds();
            long bus = BusConversionTime.Microseconds();
            long perResultUs = Mode switch
            {
                Ina226Mode.ShuntContinuous or Ina226Mode.ShuntTriggered => shunt,
                Ina226Mode.BusContinuous or Ina226Mode.BusTriggered => bus,
                _ => shunt + bus,
            };
            return perResultUs * Averaging.SampleCount() * 1000;
        }
    }

    /// <summary>Builds the CONFIG word: fixed bits 14:12 = 100b, AVG 11:9, VBUSCT 8:6, VSHCT 5:3, MODE 2:0.</summary>
    public static ushort ComposeConfiguration(InaAveraging averaging, Ina226ConversionTime bus, Ina226ConversionTime shunt, Ina226Mode mode) =>
        (ushort)(ConfigFixedBits | (((int)averaging & 7) << 9) | (((int)bus & 7) << 6) | (((int)shunt & 7) << 3) | ((int)mode & 7));

    /// <summary>Shunt voltage from the raw register (two's complement × 2.5 µV), V.</summary>
    public static double ShuntVoltageFromRaw(ushort raw) => (short)raw * ShuntVoltageLsbV;

    /// <summary>Bus voltage from the raw register (bits 14:0 × 1.25 mV), V.</summary>
    public static double BusVoltageFromRaw(ushort raw) => (raw & 0x7FFF) * BusVoltageLsbV;

    /// <summary>Current from the raw register (two's complement × Current_LSB), A.</summary>
    public double CurrentFromRaw(ushort raw) => (short)raw * Calibration.CurrentLsbA;

    /// <summary>Power from the raw register (unsigned × 25 × Current_LSB), W.</summary>
    public double PowerFromRaw(ushort raw) => raw * Calibration.PowerLsbW;

    /// <inheritdoc />
    public InaInitResult Initialize()
    {
        LastError = null;
        if (!Read(Register.ManufacturerId, out ushort manufacturer))
        {
            return BusFailure("reading the manufacturer ID");
        }

        if (manufacturer != ManufacturerIdTi)
        {
            LastError = Describe($"manufacturer ID is 0x{manufacturer:X4}, expected 0x{ManufacturerIdTi:X4} (TI): not an INA226");
            return InaInitResult.WrongManufacturer;
        }

        if (!Read(Register.DieId, out ushort die))
        {
            return BusFailure("reading the die ID");
        }

        if ((die >> 4) != DieIdInA226)
        {
            LastError = Describe($"die ID is 0x{die:X4} (DID 0x{die >> 4:X3}), expected DID 0x226: wrong chip for an INA226 entry");
            return InaInitResult.WrongDevice;
        }

        if (!Write(Register.Configuration, ConfigReset))
        {
            return BusFailure("resetting");
        }

        if (!Write(Register.Calibration, Calibration.Value) || !Write(Register.Configuration, _configuration) ||
            !Write(Register.MaskEnable, _maskEnable))
        {
            return BusFailure("writing the configuration");
        }

        if (!Read(Register.Calibration, out ushort calibration) || !Read(Register.Configuration, out ushort configuration))
        {
            return BusFailure("reading the configuration back");
        }

        if ((calibration & 0x7FFF) != Calibration.Value || (configuration & 0x0FFF) != (_configuration & 0x0FFF))
        {
            LastError = Describe($"read back CONFIG 0x{configuration:X4} / CAL 0x{calibration:X4}, wrote 0x{_configuration:X4} / 0x{Calibration.Value:X4}");
            return InaInitResult.VerifyFailed;
        }

        return InaInitResult.Ok;
    }

    /// <summary>Writes a new ADC configuration (the whole cached word). Returns false on a bus error (cache unchanged).</summary>
    public bool TryConfigureAdc(InaAveraging averaging, Ina226ConversionTime bus, Ina226ConversionTime shunt, Ina226Mode mode)
    {
        ushort word = ComposeConfiguration(averaging, bus, shunt, mode);
        if (!Write(Register.Configuration, word))
        {
            return false;
        }

        _configuration = word;
        return true;
    }

    /// <summary>Enables or disables ALERT on conversion ready (whole cached Mask/Enable word).</summary>
    public bool TrySetAlertOnConversionReady(bool enabled)
    {
        ushort word = enabled ? (ushort)(_maskEnable | MaskConversionReadyAlert) : (ushort)(_maskEnable & ~MaskConversionReadyAlert);
        if (!Write(Register.MaskEnable, word))
        {
            return false;
        }

        _maskEnable = word;
        return true;
    }

    /// <inheritdoc />
    public bool TryReadConversionReady(out bool ready, out bool overflow)
    {
        bool ok = Read(Register.MaskEnable, out ushort flags);
        ready = ok && (flags & MaskConversionReadyFlag) != 0;
        overflow = ok && (flags & MaskOverflowFlag) != 0;
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

    /// <summary>Reads the shunt voltage. Throws <see cref="IOException"/> on a bus error (use <see cref="TryReadShuntVoltage"/> in loops).</summary>
    public ElectricPotential ReadShuntVoltage() => ElectricPotential.FromVolts(Require(TryReadShuntVoltage(out double v), v));

    /// <summary>Reads the bus voltage. Throws <see cref="IOException"/> on a bus error.</summary>
    public ElectricPotential ReadBusVoltage() => ElectricPotential.FromVolts(Require(TryReadBusVoltage(out double v), v));

    /// <summary>Reads the current (signed: negative = into the shunt's IN− side). Throws <see cref="IOException"/> on a bus error.</summary>
    public ElectricCurrent ReadCurrent() => ElectricCurrent.FromAmperes(Require(TryReadCurrent(out double a), a));

    /// <summary>Reads the power register (a magnitude, as the chip reports it). Throws <see cref="IOException"/> on a bus error.</summary>
    public Power ReadPower() => Power.FromWatts(Require(TryReadPower(out double w), w));

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
            ShuntReadSet.BusVoltage => Register.BusVoltage,
            _ => Register.ShuntVoltage,
        };
        bool ok = Read(register, out ushort word);
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

    private bool Read(Register register, out ushort value)
    {
        LastStatus = RegisterIo.ReadU16(_device, (byte)register, out value);
        return LastStatus == I2cStatus.Ok;
    }

    private bool Write(Register register, ushort value)
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
        $"INA226 at 0x{_device.ConnectionSettings.DeviceAddress:X2} on bus {_device.ConnectionSettings.BusId}: {what}.");
}
