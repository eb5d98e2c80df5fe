using Edge.Core.Control;

namespace Edge.Core.Devices;

/// <summary>
/// The simplest <see cref="IRackSampler"/>: the load is the sum of the sensors. A sensor without a usable reading
/// contributes its last good value (load flagged degraded); with no usable sensor at all the load is missing (the
/// controller then ramps the battery out). A rig with a topology uses its own aggregator instead
/// (Edge.Devices' <c>RigDevices</c>, with per-rack shares and decaying estimates).
/// </summary>
public sealed class SummingRackSampler : IRackSampler
{
    private readonly IPowerSensor[] _sensors;
    private readonly double[] _lastGoodW;
    private readonly bool[] _hasGood;

    /// <summary>Sums <paramref name="sensors"/>.</summary>
    public SummingRackSampler(IReadOnlyList<IPowerSensor> sensors)
    {
        ArgumentNullException.ThrowIfNull(sensors);
        if (sensors.Count == 0)
        {
            throw new ArgumentException("At least one rack sensor is required.", nameof(sensors));
        }

        _sensors = [.. sensors];
        _lastGoodW = new double[_sensors.Length];
        _hasGood = new bool[_sensors.Length];
    }

    /// <inheritdoc />
    public int SensorCount => _sensors.Length;

    /// <inheritdoc />
    public InputHealth FillSnapshot(RackSnapshot snapshot, long nowNs)
    {
        double loadW = 0;
        int usable = 0;
        bool degraded = false;
        PowerReading[] readings = snapshot.Sensors;
        for (int i = 0; i < _sensors.Length; i++)
        {
            if (!_sensors[i].TryRead(out readings[i]))
            {
                readings[i] = PowerReading.Missing;
            }

            if (readings[i].IsUsable)
            {
                loadW += readings[i].PowerW;
                _lastGoodW[i] = readings[i].PowerW;
                _hasGood[i] = true;
                usable++;
            }
            else
            {
                degraded = true;
                loadW += _hasGood[i] ? _lastGoodW[i] : 0;
            }
        }

        snapshot.LoadW = loadW;
        snapshot.LoadDegraded = degraded;
        return usable == 0 ? InputHealth.LoadMissing : degraded ? InputHealth.LoadDegraded : InputHealth.None;
    }
}
