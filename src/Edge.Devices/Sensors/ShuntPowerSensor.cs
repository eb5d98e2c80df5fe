using Edge.Core.Devices;
using Edge.Devices.Shunts;

namespace Edge.Devices.Sensors;

/// <summary>
/// Edge.Core's <see cref="IPowerSensor"/> for a shunt monitor (INA226/INA228 driver) on an I²C bus.
/// <para>
/// Two sides: <see cref="Sample"/> does the bus I/O — called once per period by whoever owns the bus (the control
/// thread if the bus time fits the budget, otherwise the bus's own sampler thread); <see cref="TryRead"/> returns the
/// latest published reading from any thread (a sequence lock: no lock, no allocation).
/// </para>
/// <para>
/// Per period: learn whether a conversion is ready (poll the flag register, take ALERT-pin edges, or assume so), read
/// <see cref="ShuntSensorOptions.FastReadSet"/> (and the slow set every N periods), feed
/// <see cref="SensorHealthTracker"/>, and publish a <see cref="PowerReading"/> whose <see cref="PowerReading.Sequence"/>
/// increments with every new conversion and whose timestamp is the period in which that conversion was read.
/// Allocation-free; device faults become health, never exceptions.
/// </para>
/// </summary>
public sealed class ShuntPowerSensor : IPowerSensor
{
    private readonly IShuntMonitor _monitor;
    private readonly IDigitalInput? _alert;
    private readonly ShuntSensorOptions _options;
    private readonly SensorHealthTracker _health;
    private readonly ReadingSlot<PowerReading> _slot = new(PowerReading.Missing);
    private long _period;
    private long _lastInitPeriod;
    private bool _initialized;
    private bool _everPublished;
    private FailureBackOff _backOff;
    private uint _sequence;
    private long _sampleTimestampNs;
    private double _powerW = double.NaN;
    private double _busVoltageV = double.NaN;
    private double _currentA = double.NaN;

    /// <summary>Creates the sensor. <paramref name="alert"/> is required for <see cref="ConversionReadyMode.AlertPin"/>.</summary>
    public ShuntPowerSensor(string id, IShuntMonitor monitor, ShuntSensorOptions options, IDigitalInput? alert = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.ConversionReady == ConversionReadyMode.AlertPin && alert is null)
        {
            throw new ArgumentException($"Sensor '{id}' uses the ALERT pin for conversion ready but no input was given.", nameof(alert));
        }

        Id = id;
        _monitor = monitor;
        _options = options;
        _alert = alert;
        _health = new SensorHealthTracker(options.Health);
    }

    /// <inheritdoc />
    public string Id { get; }

    /// <summary>The chip driver.</summary>
    public IShuntMonitor Monitor => _monitor;

    /// <summary>Result of the last initialisation attempt.</summary>
    public InaInitResult InitResult { get; private set; } = InaInitResult.BusError;

    /// <summary>True once the chip has been set up successfully.</summary>
    public bool IsInitialized => _initialized;

    /// <summary>Health after the last <see cref="Sample"/>.</summary>
    public SensorHealth Health => _health.Health;

    /// <summary>Why <see cref="Health"/> is what it is.</summary>
    public string HealthReason => _health.Reason;

    /// <summary>Periods in which the bus I/O was skipped because the chip kept failing (back-off).</summary>
    public long BackedOffPeriods { get; private set; }

    /// <summary>The health tracker (counters).</summary>
    public SensorHealthTracker HealthTracker => _health;

    /// <summary>Sets the chip up (identity, reset, configuration, verification). Not for the hot path (≈ 12 transfers).</summary>
    public InaInitResult Initialize()
    {
        _lastInitPeriod = _period;
        InitResult = _monitor.Initialize();
        _initialized = InitResult == InaInitResult.Ok;
        if (!_initialized)
        {
            _health.MarkMissing(_monitor.LastError ?? "initialisation failed");
        }

        return InitResult;
    }

    /// <summary>
    /// One sampling period: bus I/O, health, publish. <paramref name="nowNs"/> is the sampling clock's time (monotonic).
    /// Allocation-free; never throws for device faults.
    /// </summary>
    public void Sample(long nowNs)
    {
        _period++;
        if (!_initialized)
        {
            if (_options.RetryInitPeriods > 0 && _period - _lastInitPeriod >= _options.RetryInitPeriods)
            {
                Initialize();
            }

            if (!_initialized)
            {
                Publish();
                return;
            }
        }

        if (_backOff.Skip(_period))
        {
            // Backing off a failing chip: no transfer this period; the health stays what the failures made it.
            BackedOffPeriods++;
            Publish();
            return;
        }

        bool ok = true;
        bool ready;
        bool overflow = false;
        switch (_options.ConversionReady)
        {
            case ConversionReadyMode.Polling:
                ok = _monitor.TryReadConversionReady(out ready, out overflow);
                break;
            case ConversionReadyMode.AlertPin:
                ready = false;
                while (_alert!.TryTakeEdge(out DigitalEdge edge))
                {
                    ready |= edge.Active;
                }

                if (ready && _monitor.AlertNeedsFlagRead)
                {
                    ok = _monitor.TryReadConversionReady(out _, out overflow);
                }

                break;
            default:
                ready = true;
                break;
        }

        ShuntMeasurement fast = default;
        ShuntMeasurement slow = default;
        bool readSlow = false;
        if (ok && ready)
        {
            ok = _monitor.TryReadMeasurement(_options.FastReadSet, out fast);
            ShuntReadSet slowSet = _options.SlowReadSet & ~_options.FastReadSet;
            readSlow = ok && slowSet != ShuntReadSet.None && _options.FullReadEveryPeriods > 0 &&
                       _period % _options.FullReadEveryPeriods == _options.FullReadPhase % _options.FullReadEveryPeriods;
            if (readSlow)
            {
                ok = _monitor.TryReadMeasurement(slowSet, out slow);
            }
        }

        _backOff.Record(ok, _period, _options.BusErrorBackoffAfterPeriods, _options.BusErrorBackoffMaxPeriods);
        bool newSample = ok && ready;
        double busForHealth = readSlow ? Pick(slow.BusVoltageV, fast.BusVoltageV) : fast.BusVoltageV;
        _health.Update(ok, newSample, fast.PowerW, busForHealth, fast.RawFingerprint, overflow || fast.Overflow);
        if (newSample)
        {
            _sequence++;
            _sampleTimestampNs = nowNs;
            double current = readSlow ? Pick(slow.CurrentA, fast.CurrentA) : fast.CurrentA;
            if (!double.IsNaN(current))
            {
                _currentA = current;
            }

            if (!double.IsNaN(busForHealth))
            {
                _busVoltageV = busForHealth;
            }

            // An INA's POWER is a magnitude: the latest current (this period's or the last one read) gives the direction.
            // A monitor that reads no current (an ADC channel with a transfer function) reports signed power itself.
            double magnitude = Math.Abs(fast.PowerW);
            _powerW = double.IsNaN(_currentA) ? fast.PowerW : _currentA < 0 ? -magnitude : magnitude;
        }

        Publish();
    }

    /// <inheritdoc />
    public bool TryRead(out PowerReading reading)
    {
        reading = _slot.Read();
        return Volatile.Read(ref _everPublished) && reading.Sequence != 0;
    }

    private static double Pick(double preferred, double fallback) => double.IsNaN(preferred) ? fallback : preferred;

    private void Publish()
    {
        _slot.Write(new PowerReading(_sampleTimestampNs, _powerW, _busVoltageV, _currentA, _sequence, _health.Health));
        Volatile.Write(ref _everPublished, true);
    }
}
