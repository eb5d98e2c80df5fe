using Edge.Core.Devices;

namespace Edge.Devices.Sensors;

/// <summary>
/// A temperature sensor on an I²C bus (a battery cabinet's), sampled by its bus's sampler thread like the rack power
/// sensors: <see cref="Sample"/> is called every sampling period and reads the chip every
/// <see cref="TemperatureSensorOptions.ReadEveryPeriods"/>; health as for the INA sensors (<see cref="SensorHealthTracker"/>:
/// consecutive failed reads → BusError, a value outside the plausible range → OutOfRange; no stuck detection — a
/// cabinet's temperature may well stay put); a chip that keeps failing is backed off (<see cref="FailureBackOff"/>), and
/// one that failed to initialise is retried. The alarm band has hysteresis: <see cref="TemperatureReading.High"/> is
/// raised at <see cref="TemperatureSensorOptions.HighC"/> and cleared at HighC − HysteresisC (the low band mirrors it);
/// while the sensor is unhealthy the band keeps its last verdict. The latest reading is published through a sequence
/// lock (<see cref="TryRead"/>: any thread, no lock, no allocation). Allocation-free per sample as long as the chip's
/// driver is; device faults never throw.
/// </summary>
public sealed class TemperatureSensor : ITemperatureSensor
{
    private readonly ITemperatureChip _chip;
    private readonly TemperatureSensorOptions _options;
    private readonly SensorHealthTracker _health;
    private readonly ReadingSlot<TemperatureReading> _slot = new(TemperatureReading.Missing);
    private FailureBackOff _backOff;
    private long _period;
    private long _slotIndex;
    private long _lastInitSlot;
    private bool _initialized;
    private bool _high;
    private bool _low;
    private uint _sequence;
    private long _timestampNs;
    private double _temperatureC = double.NaN;

    /// <summary>Creates the sensor (the chip is set up by <see cref="Initialize"/>).</summary>
    public TemperatureSensor(string id, ITemperatureChip chip, TemperatureSensorOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(chip);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Id = id;
        _chip = chip;
        _options = options;
        _health = new SensorHealthTracker(new SensorHealthOptions
        {
            StalePeriods = int.MaxValue,
            BusErrorPeriods = options.BusErrorReads,
            StuckSamples = 0,
            MinPowerW = options.MinPlausibleC,
            MaxPowerW = options.MaxPlausibleC,
        });
    }

    /// <inheritdoc />
    public string Id { get; }

    /// <summary>The chip driver.</summary>
    public ITemperatureChip Chip => _chip;

    /// <summary>True once the chip has been set up.</summary>
    public bool IsInitialized => _initialized;

    /// <summary>Health after the last read.</summary>
    public SensorHealth Health => _health.Health;

    /// <summary>The health tracker (counters).</summary>
    public SensorHealthTracker HealthTracker => _health;

    /// <summary>Read slots skipped because the chip kept failing (back-off).</summary>
    public long BackedOffReads { get; private set; }

    /// <summary>Read attempts so far (successful or not, init attempts excluded).</summary>
    public long ReadAttempts { get; private set; }

    /// <summary>Sets the chip up. Not for every period (a binding may allocate here).</summary>
    public bool Initialize()
    {
        _lastInitSlot = _slotIndex;
        _initialized = _chip.Initialize();
        if (!_initialized)
        {
            _health.MarkMissing(_chip.LastError ?? "initialisation failed");
        }

        Publish();
        return _initialized;
    }

    /// <summary>One sampling period (the bus's sampler thread). Reads the chip every ReadEveryPeriods. Never throws for device faults.</summary>
    public void Sample(long nowNs)
    {
        if (_period++ % _options.ReadEveryPeriods != 0)
        {
            return;
        }

        _slotIndex++;
        if (!_initialized)
        {
            if (_options.RetryInitReads > 0 && _slotIndex - _lastInitSlot >= _options.RetryInitReads)
            {
                Initialize();
            }

            if (!_initialized)
            {
                return;
            }
        }

        if (_backOff.Skip(_slotIndex))
        {
            BackedOffReads++;
            return;
        }

        ReadAttempts++;
        bool ok = _chip.TryReadCelsius(out double c);
        _backOff.Record(ok, _slotIndex, _options.BackoffAfterReads, _options.BackoffMaxReads);
        _health.Update(ok, ok, ok ? c : double.NaN, double.NaN, 0, overflow: false);
        if (ok)
        {
            _sequence++;
            _timestampNs = nowNs;
            _temperatureC = c;
            if (_health.Health == SensorHealth.Ok)
            {
                _high = _high ? c > _options.HighC - _options.HysteresisC : c >= _options.HighC;
                _low = _low ? c < _options.LowC + _options.HysteresisC : c <= _options.LowC;
            }
        }

        Publish();
    }

    /// <inheritdoc />
    public bool TryRead(out TemperatureReading reading)
    {
        reading = _slot.Read();
        return reading.Sequence != 0;
    }

    private void Publish() => _slot.Write(new TemperatureReading(_timestampNs, _temperatureC, _health.Health, _high, _low, _sequence));
}
