using Edge.Core.Devices;

namespace Edge.Devices.Sensors;

/// <summary>
/// Turns what one sensor delivered each period into a <see cref="SensorHealth"/> with a reason. Generic: the INA
/// sensors use it, and so can Modbus meters. Pure and allocation-free (reasons are constant strings).
/// <para>
/// Rules, evaluated once per sampling period, first match wins:
/// <list type="number">
/// <item><c>BusError</c> — the last <see cref="SensorHealthOptions.BusErrorPeriods"/> reads all failed. Fewer failures
///   keep the previous health (one glitch does not degrade the load estimate).</item>
/// <item><c>Stale</c> — no new conversion for more than <see cref="SensorHealthOptions.StalePeriods"/> periods.</item>
/// <item><c>NotANumber</c> — the new value is NaN or infinite.</item>
/// <item><c>OutOfRange</c> — power or bus voltage outside the plausible range, or the chip flagged a math overflow.</item>
/// <item><c>StuckAt</c> — the raw fingerprint was identical for <see cref="SensorHealthOptions.StuckSamples"/> new samples.</item>
/// <item><c>Ok</c>.</item>
/// </list>
/// A good new sample clears any fault at once (no hysteresis: the aggregator's decay already smooths the transition).
/// </para>
/// </summary>
public sealed class SensorHealthTracker
{
    private readonly SensorHealthOptions _options;
    private int _consecutiveFailures;
    private int _periodsWithoutSample;
    private int _identicalSamples;
    private ulong _lastFingerprint;
    private bool _haveSample;
    private SensorHealth _valueHealth = SensorHealth.Missing;

    /// <summary>Creates a tracker; the state starts as <see cref="SensorHealth.Missing"/> until the first sample.</summary>
    public SensorHealthTracker(SensorHealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The health after the last <see cref="Update"/>.</summary>
    public SensorHealth Health { get; private set; } = SensorHealth.Missing;

    /// <summary>Why <see cref="Health"/> is what it is, in words.</summary>
    public string Reason { get; private set; } = "no sample yet";

    /// <summary>Failed reads since start.</summary>
    public long BusErrorCount { get; private set; }

    /// <summary>New samples since start.</summary>
    public long SampleCount { get; private set; }

    /// <summary>Periods in which the health changed.</summary>
    public long TransitionCount { get; private set; }

    /// <summary>Periods since the last new sample.</summary>
    public int PeriodsWithoutSample => _periodsWithoutSample;

    /// <summary>Marks the sensor as missing (never answered / failed to initialise).</summary>
    public SensorHealth MarkMissing(string reason)
    {
        Set(SensorHealth.Missing, reason);
        return Health;
    }

    /// <summary>
    /// Feeds one period. <paramref name="readOk"/>: the transfers succeeded; <paramref name="newSample"/>: they carried a
    /// new conversion; the remaining arguments describe that sample (ignored when there is none). Pass NaN for a bus
    /// voltage that was not read this period.
    /// </summary>
    public SensorHealth Update(bool readOk, bool newSample, double powerW, double busVoltageV, ulong rawFingerprint, bool overflow)
    {
        if (!readOk)
        {
            BusErrorCount++;
            _consecutiveFailures++;
            _periodsWithoutSample++;
            if (_consecutiveFailures >= _options.BusErrorPeriods)
            {
                Set(SensorHealth.BusError, "consecutive bus errors (NACK, timeout or bus fault)");
            }

            return Health;
        }

        _consecutiveFailures = 0;
        if (!newSample)
        {
            _periodsWithoutSample++;
            if (!_haveSample)
            {
                Set(SensorHealth.Missing, "no conversion yet");
            }
            else if (_periodsWithoutSample > _options.StalePeriods)
            {
                Set(SensorHealth.Stale, "no new conversion within the stale limit");
            }
            else
            {
                Set(_valueHealth, Health == _valueHealth ? Reason : ValueReason(_valueHealth));
            }

            return Health;
        }

        SampleCount++;
        _periodsWithoutSample = 0;
        _haveSample = true;
        _identicalSamples = rawFingerprint == _lastFingerprint && SampleCount > 1 ? _identicalSamples + 1 : 1;
        _lastFingerprint = rawFingerprint;

        if (!double.IsFinite(powerW))
        {
            _valueHealth = SensorHealth.NotANumber;
        }
        else if (overflow || powerW < _options.MinPowerW || powerW > _options.MaxPowerW ||
                 (!double.IsNaN(busVoltageV) && (busVoltageV < _options.MinBusVoltageV || busVoltageV > _options.MaxBusVoltageV)))
        {
            _valueHealth = SensorHealth.OutOfRange;
        }
        else if (_options.StuckSamples > 0 && _identicalSamples >= _options.StuckSamples)
        {
            _valueHealth = SensorHealth.StuckAt;
        }
        else
        {
            _valueHealth = SensorHealth.Ok;
        }

        Set(_valueHealth, ValueReason(_valueHealth));
        return Health;
    }

    private static string ValueReason(SensorHealth health) => health switch
    {
        SensorHealth.Ok => "ok",
        SensorHealth.NotANumber => "value is not a number",
        SensorHealth.OutOfRange => "power or bus voltage outside the plausible range, or ADC overflow",
        SensorHealth.StuckAt => "identical raw registers for too many samples (frozen ADC?)",
        _ => "no sample yet",
    };

    private void Set(SensorHealth health, string reason)
    {
        if (health != Health)
        {
            TransitionCount++;
        }

        Health = health;
        Reason = reason;
    }
}
