using Edge.Devices.Ina226;

namespace Edge.Simulation.Ina;

/// <summary>
/// A register-level INA226 (TI SBOS547), written from the datasheet:
/// power-on values CONFIG 4127h, CAL 0, MASK 0, manufacturer FEh = 5449h, die FFh = 2260h; shunt = V/2.5 µV (int16,
/// saturating), bus = V/1.25 mV (15 bits), Current = trunc(Shunt × CAL / 2048), Power = trunc(|Current| × Bus / 20000)
/// — equations 3 and 4; a result that does not fit sets OVF. CVRF (Mask/Enable bit 3) is set when a conversion
/// completes and cleared by reading Mask/Enable or writing CONFIG; with CNVR (bit 10) the ALERT pin is pulled low until
/// then. Writing CONFIG with RST (bit 15) restores every register. Read-only registers ignore writes; CAL keeps bits 14:0;
/// Mask/Enable's flag bits (4:2) are read-only. Conversion period = (VSHCT + VBUSCT) × AVG in shunt-and-bus modes.
/// </summary>
public sealed class SimulatedIna226 : SimulatedInaChip
{
    private const ushort PorConfig = 0x4127;
    private const ushort MaskWritable = 0xFC03; // SOL..CNVR (15:10), APOL (1), LEN (0)
    private static readonly int[] ConversionUs = [140, 204, 332, 588, 1100, 2116, 4156, 8244];
    private static readonly int[] Averages = [1, 4, 16, 64, 128, 256, 512, 1024];

    private ushort _config;
    private ushort _shunt;
    private ushort _bus;
    private ushort _power;
    private ushort _current;
    private ushort _calibration;
    private ushort _mask;
    private ushort _alertLimit;
    private bool _alertAsserted;

    /// <summary>Creates an INA226 in its power-on state.</summary>
    public SimulatedIna226(InaSignal signal, Func<long> clock)
        : base(signal, clock)
    {
        if (signal.OpenCircuitVoltageV > 36)
        {
            throw new ArgumentOutOfRangeException(nameof(signal), signal.OpenCircuitVoltageV, "The INA226's bus input is limited to 36 V.");
        }

        PowerOnReset();
        RestartConversion(clock());
    }

    /// <summary>Raw register value, for tests.</summary>
    public ushort RegisterValue(Register register) => register switch
    {
        Register.Configuration => _config,
        Register.ShuntVoltage => _shunt,
        Register.BusVoltage => _bus,
        Register.Power => _power,
        Register.Current => _current,
        Register.Calibration => _calibration,
        Register.MaskEnable => _mask,
        Register.AlertLimit => _alertLimit,
        Register.ManufacturerId => 0x5449,
        Register.DieId => DeviceId(0x2260),
        _ => 0,
    };

    /// <inheritdoc />
    protected override long ConversionPeriodNs
    {
        get
        {
            int mode = _config & 7;
            long shunt = ConversionUs[(_config >> 3) & 7];
            long bus = ConversionUs[(_config >> 6) & 7];
            long us = (mode & 3) switch
            {
                0 => 0, // power-down
                1 => shunt,
                2 => bus,
                _ => shunt + bus,
            };
            return us * AveragingSamples * 1000;
        }
    }

    /// <inheritdoc />
    protected override bool Continuous => (_config & 4) != 0;

    /// <inheritdoc />
    protected override int AveragingSamples => Averages[(_config >> 9) & 7];

    /// <inheritdoc />
    protected override int ReadRegister(byte pointer, Span<byte> destination, long nowNs)
    {
        ushort value = RegisterValue((Register)pointer);
        destination[0] = (byte)(value >> 8);
        destination[1] = (byte)value;
        return 2;
    }

    /// <inheritdoc />
    protected override void AfterRead(byte pointer, long nowNs)
    {
        if (pointer == (byte)Register.MaskEnable)
        {
            ClearConversionReady(nowNs);
        }
    }

    /// <inheritdoc />
    protected override void WriteRegister(byte pointer, ushort value, long nowNs)
    {
        switch ((Register)pointer)
        {
            case Register.Configuration:
                if ((value & 0x8000) != 0)
                {
                    PowerOnReset();
                    DriveAlert(false, nowNs);
                }
                else
                {
                    _config = value;
                    ClearConversionReady(nowNs);
                }

                RestartConversion(nowNs);
                break;
            case Register.Calibration:
                _calibration = (ushort)(value & 0x7FFF);
                break;
            case Register.MaskEnable:
                _mask = (ushort)((_mask & ~MaskWritable) | (value & MaskWritable));
                break;
            case Register.AlertLimit:
                _alertLimit = value;
                break;
            default:
                break; // read-only or unknown: the chip acknowledges and ignores the data
        }
    }

    /// <inheritdoc />
    protected override void CompleteConversion(double currentA, double busVoltageV, double periodS, long endNs, bool updateResults)
    {
        bool overflow = false;
        if (updateResults)
        {
            int mode = _config & 3;
            if (mode is 1 or 3)
            {
                double shuntRaw = Math.Round((currentA * Signal.ShuntOhm / 2.5e-6) + NoiseLsb());
                _shunt = (ushort)(short)Math.Clamp(shuntRaw, short.MinValue, short.MaxValue);
            }

            if (mode is 2 or 3)
            {
                _bus = (ushort)Math.Clamp(Math.Round((busVoltageV / 1.25e-3) + NoiseLsb()), 0, 0x7FFF);
            }

            long current = (short)_shunt * (long)_calibration / 2048;
            overflow = current is > short.MaxValue or < short.MinValue;
            _current = (ushort)(short)Math.Clamp(current, short.MinValue, short.MaxValue);
            long power = Math.Abs((long)(short)_current) * _bus / 20000;
            overflow |= power > ushort.MaxValue;
            _power = (ushort)Math.Min(power, ushort.MaxValue);
        }

        _mask = (ushort)((_mask & ~0x000C) | 0x0008 | (overflow ? 0x0004 : 0));
        if ((_mask & 0x0400) != 0 && !_alertAsserted)
        {
            _alertAsserted = true;
            DriveAlert(true, endNs);
        }
    }

    private void ClearConversionReady(long nowNs)
    {
        _mask = (ushort)(_mask & ~0x0008);
        if (_alertAsserted)
        {
            _alertAsserted = false;
            DriveAlert(false, nowNs);
        }
    }

    private void PowerOnReset()
    {
        _config = PorConfig;
        _shunt = _bus = _power = _current = _calibration = _mask = _alertLimit = 0;
        _alertAsserted = false;
    }
}
