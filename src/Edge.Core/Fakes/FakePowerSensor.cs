using Edge.Core.Devices;

namespace Edge.Core.Fakes;

/// <summary>
/// Test dummy for <see cref="IPowerSensor"/> (in the spirit of OpenEMS' DummyManagedSymmetricEss): tests set the
/// reading; every set bumps the sequence like a new conversion.
/// </summary>
public sealed class FakePowerSensor(string id) : IPowerSensor
{
    private PowerReading _reading = PowerReading.Missing;
    private bool _hasValue;

    /// <inheritdoc />
    public string Id { get; } = id;

    /// <summary>Sets a healthy reading of <paramref name="powerW"/> at <paramref name="timestampNs"/>.</summary>
    public void Set(double powerW, long timestampNs = 0, SensorHealth health = SensorHealth.Ok)
    {
        _reading = new PowerReading(timestampNs, powerW, double.NaN, double.NaN, _reading.Sequence + 1, health);
        _hasValue = true;
    }

    /// <inheritdoc />
    public bool TryRead(out PowerReading reading)
    {
        reading = _reading;
        return _hasValue;
    }
}
