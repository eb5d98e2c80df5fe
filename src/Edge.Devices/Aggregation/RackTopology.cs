namespace Edge.Devices.Aggregation;

/// <summary>
/// Which sensor measures which rack: the cluster load is the sum of racks, a rack's load the sum of its sensors (e.g.
/// its A and B feeds). Each sensor has a weight — its nominal share (e.g. rated power) — used to estimate a missing
/// sensor from its peers. Immutable.
/// </summary>
public sealed class RackTopology
{
    private readonly int[] _rackOfSensor;
    private readonly double[] _weight;

    /// <summary>Creates a topology. <paramref name="sensors"/> gives, in sensor order, each sensor's rack id and weight.</summary>
    public RackTopology(IReadOnlyList<(string SensorId, string RackId, double Weight)> sensors)
    {
        ArgumentNullException.ThrowIfNull(sensors);
        var racks = new List<string>();
        var sensorIds = new string[sensors.Count];
        _rackOfSensor = new int[sensors.Count];
        _weight = new double[sensors.Count];
        for (int i = 0; i < sensors.Count; i++)
        {
            (string sensorId, string rackId, double weight) = sensors[i];
            ArgumentException.ThrowIfNullOrEmpty(sensorId);
            ArgumentException.ThrowIfNullOrEmpty(rackId);
            if (!double.IsFinite(weight) || weight <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(sensors), weight, $"Sensor '{sensorId}': weight must be > 0.");
            }

            int rack = racks.IndexOf(rackId);
            if (rack < 0)
            {
                rack = racks.Count;
                racks.Add(rackId);
            }

            sensorIds[i] = sensorId;
            _rackOfSensor[i] = rack;
            _weight[i] = weight;
        }

        RackIds = racks;
        SensorIds = sensorIds;
    }

    /// <summary>Rack identifiers, in order of first appearance.</summary>
    public IReadOnlyList<string> RackIds { get; }

    /// <summary>Sensor identifiers, in configuration order.</summary>
    public IReadOnlyList<string> SensorIds { get; }

    /// <summary>Number of sensors.</summary>
    public int SensorCount => _rackOfSensor.Length;

    /// <summary>Number of racks.</summary>
    public int RackCount => RackIds.Count;

    /// <summary>Rack index of sensor <paramref name="sensor"/>.</summary>
    public int RackOf(int sensor) => _rackOfSensor[sensor];

    /// <summary>Weight (nominal share) of sensor <paramref name="sensor"/>.</summary>
    public double WeightOf(int sensor) => _weight[sensor];
}
