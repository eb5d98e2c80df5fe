using Edge.Devices.I2c;
using Edge.Simulation.Gpio;

namespace Edge.Simulation.Ina;

/// <summary>
/// What the TI INA226 and INA228 simulators share: the register-pointer protocol (a write's first byte sets the
/// pointer, further bytes write the register MSB first; a read clocks out the register at the pointer, MSB first, and
/// the pointer does not auto-increment, so longer reads repeat the register), conversion timing on an injected clock
/// (one result every conversion period; averaging = the mean of the signal over that period, sampled at up to 16 points),
/// the ALERT pin, and fault injection (<see cref="InaFaults"/>). Chip specifics — register map, scaling, flags — live in
/// the derived classes and are written from the datasheets, independently of the drivers.
/// </summary>
public abstract class SimulatedInaChip : II2cTarget
{
    private const int MaxSignalSamples = 16;
    private const int MaxCatchUpConversions = 1000;

    private readonly Func<long> _clock;
    private long _cycleStartNs;
    private bool _triggerPending;
    private ulong _noiseState = 0x9E3779B97F4A7C15UL;

    /// <summary>Creates the chip in its power-on state at the clock's current time.</summary>
    protected SimulatedInaChip(InaSignal signal, Func<long> clock)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(clock);
        Signal = signal;
        _clock = clock;
        _cycleStartNs = clock();
    }

    /// <summary>The analog input.</summary>
    public InaSignal Signal { get; }

    /// <summary>Injected faults.</summary>
    public InaFaults Faults { get; } = new();

    /// <summary>The GPIO input the chip's ALERT output is wired to (open drain, active low), if any.</summary>
    public SimulatedGpioLine? AlertPin { get; set; }

    /// <summary>Conversions completed since power-on.</summary>
    public long ConversionCount { get; private set; }

    /// <summary>Transactions served.</summary>
    public long TransactionCount { get; private set; }

    /// <summary>The register pointer.</summary>
    public byte Pointer { get; private set; }

    /// <summary>Time of one conversion with the current configuration, ns (0 = not converting).</summary>
    protected abstract long ConversionPeriodNs { get; }

    /// <summary>True in continuous modes; false in triggered modes (one conversion per configuration write).</summary>
    protected abstract bool Continuous { get; }

    /// <summary>Samples averaged per result.</summary>
    protected abstract int AveragingSamples { get; }

    /// <inheritdoc />
    public I2cStatus OnWrite(ReadOnlySpan<byte> data)
    {
        I2cStatus status = Begin();
        if (status != I2cStatus.Ok || data.IsEmpty)
        {
            return status;
        }

        Pointer = data[0];
        if (data.Length >= 3)
        {
            WriteRegister(Pointer, (ushort)((data[1] << 8) | data[2]), _clock());
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

        Span<byte> register = stackalloc byte[8];
        long nowNs = _clock();
        int width = ReadRegister(Pointer, register, nowNs);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = register[i % width];
        }

        AfterRead(Pointer, nowNs);
        return I2cStatus.Ok;
    }

    /// <inheritdoc />
    public void Advance(long nowNs)
    {
        long period = ConversionPeriodNs;
        if (period <= 0 || Faults.ConversionsStopped || (!Continuous && !_triggerPending))
        {
            _cycleStartNs = Math.Max(_cycleStartNs, nowNs);
            return;
        }

        long due = (nowNs - _cycleStartNs) / period;
        if (due > MaxCatchUpConversions && Continuous)
        {
            // Time jumped far ahead (nobody looked for a long while): fold the older conversions into one long one, so
            // the accumulators (energy, charge) still integrate the whole interval; the last results come from below.
            long skipped = due - MaxCatchUpConversions;
            long endNs = _cycleStartNs + (skipped * period);
            MeanSignal(_cycleStartNs, endNs, out double currentA, out double busV);
            CompleteConversion(Override(currentA, Faults.CurrentOverrideA), Override(busV, Faults.BusVoltageOverrideV),
                skipped * period * 1e-9, endNs, updateResults: !Faults.FrozenResults);
            ConversionCount += skipped;
            _cycleStartNs = endNs;
        }

        while (nowNs - _cycleStartNs >= period)
        {
            long endNs = _cycleStartNs + period;
            MeanSignal(_cycleStartNs, endNs, out double currentA, out double busV);
            CompleteConversion(Override(currentA, Faults.CurrentOverrideA), Override(busV, Faults.BusVoltageOverrideV),
                period * 1e-9, endNs, updateResults: !Faults.FrozenResults);
            ConversionCount++;
            _cycleStartNs = endNs;
            if (!Continuous)
            {
                _triggerPending = false;
                break;
            }
        }
    }

    /// <summary>Restarts the conversion cycle (configuration written, reset) at <paramref name="nowNs"/>.</summary>
    protected void RestartConversion(long nowNs)
    {
        _cycleStartNs = nowNs;
        _triggerPending = true;
    }

    /// <summary>Drives the ALERT pin: asserted = pulled low.</summary>
    protected void DriveAlert(bool asserted, long timeNs) => AlertPin?.SetElectrical(!asserted, timeNs);

    /// <summary>Fills <paramref name="destination"/> with the register's bytes (MSB first) at <paramref name="nowNs"/> and returns its width.</summary>
    protected abstract int ReadRegister(byte pointer, Span<byte> destination, long nowNs);

    /// <summary>Side effects of a read (flags cleared on read).</summary>
    protected abstract void AfterRead(byte pointer, long nowNs);

    /// <summary>A 16-bit write to the register at <paramref name="pointer"/>; read-only registers ignore it.</summary>
    protected abstract void WriteRegister(byte pointer, ushort value, long nowNs);

    /// <summary>
    /// A conversion finished at <paramref name="endNs"/> with these mean inputs: update the result registers (unless
    /// frozen), accumulators, flags and ALERT.
    /// </summary>
    protected abstract void CompleteConversion(double currentA, double busVoltageV, double periodS, long endNs, bool updateResults);

    /// <summary>One sample of the ADC noise, in LSB (Gaussian, RMS <see cref="InaSignal.NoiseLsb"/>; 0 when noiseless).</summary>
    protected double NoiseLsb()
    {
        if (Signal.NoiseLsb <= 0)
        {
            return 0;
        }

        // Box–Muller over a xorshift64* stream: deterministic, allocation-free.
        double u1 = (Next() >> 11) * (1.0 / (1UL << 53));
        double u2 = (Next() >> 11) * (1.0 / (1UL << 53));
        return Signal.NoiseLsb * Math.Sqrt(-2 * Math.Log(Math.Max(u1, 1e-300))) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Seeds the noise (e.g. with the address, so chips differ).</summary>
    public void SeedNoise(ulong seed) => _noiseState = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

    /// <summary>The device ID to report (honours <see cref="InaFaults.DeviceIdOverride"/>).</summary>
    protected ushort DeviceId(ushort own) => Faults.DeviceIdOverride ?? own;

    private ulong Next()
    {
        _noiseState ^= _noiseState >> 12;
        _noiseState ^= _noiseState << 25;
        _noiseState ^= _noiseState >> 27;
        return _noiseState * 0x2545F4914F6CDD1DUL;
    }

    private static double Override(double value, double forced) => double.IsNaN(forced) ? value : forced;

    private I2cStatus Begin()
    {
        TransactionCount++;
        if (Faults.Nack)
        {
            return I2cStatus.NoAcknowledge;
        }

        if (Faults.TransferError is I2cStatus error)
        {
            return error;
        }

        Advance(_clock());
        return I2cStatus.Ok;
    }

    private void MeanSignal(long startNs, long endNs, out double currentA, out double busV)
    {
        int n = Math.Clamp(AveragingSamples, 1, MaxSignalSamples);
        double sumI = 0, sumV = 0;
        double step = (endNs - startNs) / (double)n;
        for (int k = 0; k < n; k++)
        {
            double tS = (startNs + ((k + 0.5) * step)) * 1e-9;
            (double i, double v) = Signal.At(tS);
            sumI += i;
            sumV += v;
        }

        currentA = sumI / n;
        busV = sumV / n;
    }
}
