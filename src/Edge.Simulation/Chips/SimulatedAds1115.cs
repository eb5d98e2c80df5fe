using Edge.Devices.I2c;
using Edge.Simulation.Ina;
using Edge.Simulation.Profiles;

namespace Edge.Simulation.Chips;

/// <summary>
/// A register-level TI ADS1115 (16-bit ΔΣ ADC, 4 inputs, PGA) on a <see cref="SimulatedI2cBus"/>, written from the
/// datasheet (SBAS444), so Iot.Device.Bindings' <c>Ads1115</c> binding talks to it through a
/// <see cref="SimulatedI2cDevice"/> as to the real chip: the address-pointer register (a write's first byte, low 2 bits),
/// the conversion register (0, signed, MSB first), the configuration register (1, reset 0x8583: OS, MUX, PGA, MODE,
/// DR, comparator) and the two threshold registers (2, 3). MODE = 1 (single-shot): writing OS = 1 starts one conversion —
/// here it completes at once (the binding's busy-poll then ends on its first read on virtual time, where a real
/// conversion would take 1/DR); MODE = 0 (continuous): a new result every 1/DR on the injected clock. The inputs are
/// functions of time in volts (<see cref="SetInput"/>); results saturate at ±full scale like the chip.
/// Fault injection: <see cref="Nack"/>, <see cref="TransferError"/>, <see cref="FrozenResults"/>. Not thread-safe.
/// </summary>
public sealed class SimulatedAds1115 : II2cTarget
{
    private const ushort ResetConfig = 0x8583;

    private readonly Func<long> _clock;
    private readonly Func<double, double>?[] _inputs = new Func<double, double>?[4];
    private readonly DeterministicRandom _noise;
    private ushort _config = ResetConfig;
    private short _conversion;
    private ushort _loThreshold = 0x8000;
    private ushort _hiThreshold = 0x7FFF;
    private long _cycleStartNs;

    /// <summary>Creates the chip in its power-on state.</summary>
    public SimulatedAds1115(Func<long> clock, ulong noiseSeed = 1)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _noise = new DeterministicRandom(noiseSeed);
        _cycleStartNs = clock();
    }

    /// <summary>The chip stops acknowledging its address.</summary>
    public bool Nack { get; set; }

    /// <summary>Every transfer fails with this status (null = none).</summary>
    public I2cStatus? TransferError { get; set; }

    /// <summary>The conversion register stops changing (a frozen front end).</summary>
    public bool FrozenResults { get; set; }

    /// <summary>RMS noise added to every input, V.</summary>
    public double NoiseVolts { get; set; }

    /// <summary>The register pointer.</summary>
    public byte Pointer { get; private set; }

    /// <summary>The configuration register.</summary>
    public ushort Config => _config;

    /// <summary>Conversions completed.</summary>
    public long ConversionCount { get; private set; }

    /// <summary>Transactions served.</summary>
    public long TransactionCount { get; private set; }

    /// <summary>Sets input AIN<paramref name="index"/>'s voltage as a function of time (s → V); null = 0 V.</summary>
    public void SetInput(int index, Func<double, double>? volts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 3);
        _inputs[index] = volts;
    }

    /// <summary>Full scale of the configured PGA, V.</summary>
    public double FullScaleVolts => ((_config >> 9) & 0x7) switch
    {
        0 => 6.144,
        1 => 4.096,
        2 => 2.048,
        3 => 1.024,
        4 => 0.512,
        _ => 0.256,
    };

    /// <summary>Conversions per second of the configured data rate.</summary>
    public int SamplesPerSecond => ((_config >> 5) & 0x7) switch
    {
        0 => 8,
        1 => 16,
        2 => 32,
        3 => 64,
        4 => 128,
        5 => 250,
        6 => 475,
        _ => 860,
    };

    private bool SingleShot => (_config & 0x0100) != 0;

    /// <inheritdoc />
    public I2cStatus OnWrite(ReadOnlySpan<byte> data)
    {
        I2cStatus status = Begin();
        if (status != I2cStatus.Ok || data.IsEmpty)
        {
            return status;
        }

        Pointer = (byte)(data[0] & 0x03);
        if (data.Length >= 3)
        {
            ushort value = (ushort)((data[1] << 8) | data[2]);
            switch (Pointer)
            {
                case 1:
                    WriteConfig(value);
                    break;
                case 2:
                    _loThreshold = value;
                    break;
                case 3:
                    _hiThreshold = value;
                    break;
            }
        }

        return I2cStatus.Ok;
    }

    /// <inheritdoc />
    public I2cStatus OnRead(Span<byte> data)
    {
        I2cStatus status = Begin();
        if (status != I2cStatus.Ok)
        {
            return status;
        }

        ushort value = Pointer switch
        {
            0 => (ushort)_conversion,
            // OS reads 1 while no conversion is running: always after a single shot (it completes at once), never in continuous mode.
            1 => SingleShot ? (ushort)(_config | 0x8000) : (ushort)(_config & 0x7FFF),
            2 => _loThreshold,
            _ => _hiThreshold,
        };
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (i & 1) == 0 ? (byte)(value >> 8) : (byte)value;
        }

        return I2cStatus.Ok;
    }

    /// <inheritdoc />
    public void Advance(long nowNs)
    {
        if (SingleShot)
        {
            _cycleStartNs = Math.Max(_cycleStartNs, nowNs);
            return;
        }

        long period = 1_000_000_000L / SamplesPerSecond;
        if (nowNs - _cycleStartNs < period)
        {
            return;
        }

        // Only the newest result matters; catch up without replaying every missed conversion.
        long due = (nowNs - _cycleStartNs) / period;
        _cycleStartNs += due * period;
        ConversionCount += due;
        Convert(_cycleStartNs);
    }

    private void WriteConfig(ushort value)
    {
        _config = (ushort)(value & 0x7FFF);
        long now = _clock();
        if (SingleShot)
        {
            if ((value & 0x8000) != 0)
            {
                ConversionCount++;
                Convert(now);
            }
        }
        else
        {
            _cycleStartNs = now;
        }
    }

    private void Convert(long atNs)
    {
        if (FrozenResults)
        {
            return;
        }

        double tS = atNs * 1e-9;
        int mux = (_config >> 12) & 0x7;
        double volts = mux switch
        {
            0 => In(0, tS) - In(1, tS),
            1 => In(0, tS) - In(3, tS),
            2 => In(1, tS) - In(3, tS),
            3 => In(2, tS) - In(3, tS),
            _ => In(mux - 4, tS),
        };
        double counts = Math.Round(volts / FullScaleVolts * 32768.0);
        _conversion = (short)Math.Clamp(counts, short.MinValue, short.MaxValue);
    }

    private double In(int index, double tS) =>
        (_inputs[index]?.Invoke(tS) ?? 0) + (NoiseVolts > 0 ? NoiseVolts * _noise.Gaussian() : 0);

    private I2cStatus Begin()
    {
        TransactionCount++;
        if (Nack)
        {
            return I2cStatus.NoAcknowledge;
        }

        if (TransferError is I2cStatus error)
        {
            return error;
        }

        Advance(_clock());
        return I2cStatus.Ok;
    }
}
