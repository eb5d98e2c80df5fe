using Edge.Devices.Ina228;

namespace Edge.Simulation.Ina;

/// <summary>
/// A register-level INA228 (TI SLYS021), written from the datasheet: power-on CONFIG 0, ADC_CONFIG FB68h,
/// SHUNT_CAL 1000h, DIAG_ALRT 0001h, MANUFACTURER_ID 5449h, DEVICE_ID 2281h. VSHUNT/VBUS/CURRENT are 20-bit values in
/// bits 23:4 of 24-bit registers; VSHUNT = V/312.5 nV (ADCRANGE 0) or V/78.125 nV (ADCRANGE 1); VBUS = V/195.3125 µV;
/// CURRENT = VSHUNT × 4096 / SHUNT_CAL (which is what CURRENT_LSB = V/(R·13107.2e6·LSB) reduces to in either range,
/// the ×4 of ADCRANGE 1 living in SHUNT_CAL); POWER = |CURRENT| × VBUS / 16384 (24-bit, so that
/// P = 3.2 × CURRENT_LSB × POWER); ENERGY += POWER × t / 16 and CHARGE += CURRENT × t per conversion (40-bit; wrap sets
/// ENERGYOF/CHARGEOF); DIETEMP 25 °C. DIAG_ALRT: CNVRF (bit 1) set per conversion; with ALATCH (bit 15) it holds until
/// DIAG_ALRT is read; without, it is transparent and lasts one tenth of a conversion period (an approximation of
/// "clears automatically"). CNVR (bit 14) pulses ALERT low for 1 µs (transparent) or holds it until the read (latched).
/// CONFIG RST restores every register; RSTACC clears the accumulators; writing ADC_CONFIG restarts conversion.
/// </summary>
public sealed class SimulatedIna228 : SimulatedInaChip
{
    private const ushort PorAdcConfig = 0xFB68;
    private const ushort PorShuntCal = 0x1000;
    private const ushort DiagWritable = 0xF000; // ALATCH, CNVR, SLOWALERT, APOL
    private static readonly int[] ConversionUs = [50, 84, 150, 280, 540, 1052, 2074, 4120];
    private static readonly int[] Averages = [1, 4, 16, 64, 128, 256, 512, 1024];

    private ushort _config;
    private ushort _adcConfig;
    private ushort _shuntCal;
    private ushort _tempco;
    private int _vshunt;
    private int _vbus;
    private int _current;
    private uint _power;
    private double _energy;
    private double _charge;
    private ushort _diag;
    private readonly ushort[] _limits = new ushort[6];
    private long _flagSetNs;
    private bool _alertAsserted;

    /// <summary>Creates an INA228 in its power-on state.</summary>
    public SimulatedIna228(InaSignal signal, Func<long> clock)
        : base(signal, clock)
    {
        if (signal.OpenCircuitVoltageV > 85)
        {
            throw new ArgumentOutOfRangeException(nameof(signal), signal.OpenCircuitVoltageV, "The INA228's bus input is limited to 85 V.");
        }

        PowerOnReset();
        RestartConversion(clock());
    }

    /// <summary>DIAG_ALRT as it stands (without the read side effect), for tests.</summary>
    public ushort DiagAlert => _diag;

    /// <summary>ENERGY register value (40-bit), for tests.</summary>
    public ulong EnergyRaw => (ulong)_energy & 0xFF_FFFF_FFFFUL;

    /// <inheritdoc />
    protected override long ConversionPeriodNs
    {
        get
        {
            int mode = _adcConfig >> 12;
            long us = 0;
            if ((mode & 1) != 0)
            {
                us += ConversionUs[(_adcConfig >> 9) & 7];
            }

            if ((mode & 2) != 0)
            {
                us += ConversionUs[(_adcConfig >> 6) & 7];
            }

            if ((mode & 4) != 0)
            {
                us += ConversionUs[(_adcConfig >> 3) & 7];
            }

            return us * AveragingSamples * 1000;
        }
    }

    /// <inheritdoc />
    protected override bool Continuous => (_adcConfig & 0x8000) != 0;

    /// <inheritdoc />
    protected override int AveragingSamples => Averages[_adcConfig & 7];

    private bool AdcRange1 => (_config & 0x0010) != 0;

    private bool Latched => (_diag & 0x8000) != 0;

    /// <inheritdoc />
    protected override int ReadRegister(byte pointer, Span<byte> destination, long nowNs)
    {
        switch ((Register)pointer)
        {
            case Register.Config: return Put16(destination, _config);
            case Register.AdcConfig: return Put16(destination, _adcConfig);
            case Register.ShuntCal: return Put16(destination, _shuntCal);
            case Register.ShuntTempco: return Put16(destination, _tempco);
            case Register.VShunt: return Put24(destination, (uint)(_vshunt << 4));
            case Register.VBus: return Put24(destination, (uint)(_vbus << 4));
            case Register.DieTemp: return Put16(destination, 3200); // 25 °C / 7.8125 m°C
            case Register.Current: return Put24(destination, (uint)(_current << 4));
            case Register.Power: return Put24(destination, _power);
            case Register.Energy: return Put40(destination, (ulong)_energy);
            case Register.Charge: return Put40(destination, (ulong)(long)_charge);
            case Register.DiagAlrt: return Put16(destination, VisibleDiag(nowNs));
            case >= Register.Sovl and <= Register.PwrLimit: return Put16(destination, _limits[pointer - (byte)Register.Sovl]);
            case Register.ManufacturerId: return Put16(destination, 0x5449);
            case Register.DeviceId: return Put16(destination, DeviceId(0x2281));
            default: return Put16(destination, 0);
        }
    }

    /// <inheritdoc />
    protected override void AfterRead(byte pointer, long nowNs)
    {
        if (pointer == (byte)Register.DiagAlrt && Latched)
        {
            _diag = (ushort)(_diag & ~0x0002);
            if (_alertAsserted)
            {
                _alertAsserted = false;
                DriveAlert(false, nowNs);
            }
        }
    }

    /// <inheritdoc />
    protected override void WriteRegister(byte pointer, ushort value, long nowNs)
    {
        switch ((Register)pointer)
        {
            case Register.Config:
                if ((value & 0x8000) != 0)
                {
                    PowerOnReset();
                    DriveAlert(false, nowNs);
                    RestartConversion(nowNs);
                    return;
                }

                if ((value & 0x4000) != 0)
                {
                    _energy = 0;
                    _charge = 0;
                }

                _config = (ushort)(value & 0x3FF0); // RST and RSTACC self-clear
                break;
            case Register.AdcConfig:
                _adcConfig = value;
                RestartConversion(nowNs);
                break;
            case Register.ShuntCal:
                _shuntCal = (ushort)(value & 0x7FFF);
                break;
            case Register.ShuntTempco:
                _tempco = (ushort)(value & 0x3FFF);
                break;
            case Register.DiagAlrt:
                _diag = (ushort)((_diag & ~DiagWritable) | (value & DiagWritable));
                break;
            case >= Register.Sovl and <= Register.PwrLimit:
                _limits[pointer - (byte)Register.Sovl] = value;
                break;
            default:
                break; // read-only or reserved
        }
    }

    /// <inheritdoc />
    protected override void CompleteConversion(double currentA, double busVoltageV, double periodS, long endNs, bool updateResults)
    {
        const int Max20 = (1 << 19) - 1;
        bool mathOverflow = false;
        if (updateResults)
        {
            double lsb = AdcRange1 ? 78.125e-9 : 312.5e-9;
            int mode = _adcConfig >> 12;
            if ((mode & 2) != 0)
            {
                _vshunt = (int)Math.Clamp(Math.Round((currentA * Signal.ShuntOhm / lsb) + NoiseLsb()), -Max20 - 1, Max20);
            }

            if ((mode & 1) != 0)
            {
                _vbus = (int)Math.Clamp(Math.Round((busVoltageV / 195.3125e-6) + NoiseLsb()), 0, Max20);
            }

            long current = _shuntCal == 0 ? 0 : (long)_vshunt * 4096 / _shuntCal;
            mathOverflow = current is > Max20 or < -Max20 - 1;
            _current = (int)Math.Clamp(current, -Max20 - 1, Max20);
            long power = Math.Abs((long)_current) * _vbus / 16384;
            mathOverflow |= power > 0xFFFFFF;
            _power = (uint)Math.Min(power, 0xFFFFFF);
        }

        _energy += _power * periodS / 16;
        _charge += _current * periodS;
        if (_energy >= 1UL << 40)
        {
            _energy -= 1UL << 40;
            _diag |= 0x0800;
        }

        if (Math.Abs(_charge) >= 1L << 39)
        {
            _charge = 0;
            _diag |= 0x0400;
        }

        _diag = (ushort)((_diag & ~0x0200) | 0x0002 | (mathOverflow ? 0x0200 : 0));
        _flagSetNs = endNs;
        if ((_diag & 0x4000) != 0)
        {
            DriveAlert(true, endNs);
            if (Latched)
            {
                _alertAsserted = true;
            }
            else
            {
                DriveAlert(false, endNs + 1000);
            }
        }
    }

    private ushort VisibleDiag(long nowNs)
    {
        if (Latched || (_diag & 0x0002) == 0)
        {
            return _diag;
        }

        // Transparent mode: the flag is only seen shortly after the conversion finished.
        long window = Math.Max(1, ConversionPeriodNs / 10);
        return _flagSetNs + window >= nowNs ? _diag : (ushort)(_diag & ~0x0002);
    }

    private void PowerOnReset()
    {
        _config = 0;
        _adcConfig = PorAdcConfig;
        _shuntCal = PorShuntCal;
        _tempco = 0;
        _vshunt = _vbus = _current = 0;
        _power = 0;
        _energy = _charge = 0;
        _diag = 0x0001; // MEMSTAT = 1: trim memory good
        _limits[0] = 0x7FFF; // SOVL
        _limits[1] = 0x8000; // SUVL
        _limits[2] = 0x7FFF; // BOVL
        _limits[3] = 0x0000; // BUVL
        _limits[4] = 0x7FFF; // TEMP_LIMIT
        _limits[5] = 0xFFFF; // PWR_LIMIT
        _alertAsserted = false;
    }

    private static int Put16(Span<byte> d, ushort v)
    {
        d[0] = (byte)(v >> 8);
        d[1] = (byte)v;
        return 2;
    }

    private static int Put24(Span<byte> d, uint v)
    {
        d[0] = (byte)(v >> 16);
        d[1] = (byte)(v >> 8);
        d[2] = (byte)v;
        return 3;
    }

    private static int Put40(Span<byte> d, ulong v)
    {
        d[0] = (byte)(v >> 32);
        d[1] = (byte)(v >> 24);
        d[2] = (byte)(v >> 16);
        d[3] = (byte)(v >> 8);
        d[4] = (byte)v;
        return 5;
    }
}
