using Edge.Core.Devices;
using Edge.Devices.Aggregation;
using Edge.Devices.Gpio;
using Edge.Devices.I2c;
using Edge.Devices.Sensors;
using Edge.Devices.Shunts;

namespace Edge.Devices.Rig;

/// <summary>
/// The opened devices of a rig (built by <see cref="RigAssembler"/>): sensors grouped by bus, the load aggregator over
/// the rig's rack topology, and the GPIO inputs/outputs by role. Owns everything it opened.
/// </summary>
public sealed class RigDevices : IRackSampler, IDisposable
{
    private readonly List<IDisposable> _owned;
    private readonly ShuntPowerSensor[][] _byBus;
    private readonly TemperatureSensor[][] _thermometersByBus;

    internal RigDevices(
        RigDefinition rig,
        IReadOnlyList<ShuntPowerSensor> sensors,
        ShuntPowerSensor[][] byBus,
        IReadOnlyList<TemperatureSensor> temperatureSensors,
        TemperatureSensor[][] thermometersByBus,
        IReadOnlyList<GpioDigitalInput> inputs,
        IReadOnlyList<GpioDigitalOutput> outputs,
        List<IDisposable> owned)
    {
        Rig = rig;
        Sensors = sensors;
        _byBus = byBus;
        TemperatureSensors = temperatureSensors;
        _thermometersByBus = thermometersByBus;
        Inputs = inputs;
        Outputs = outputs;
        _owned = owned;
        Topology = new RackTopology([.. rig.Sensors.Select(s => (s.Id, s.Rack, s.Weight)), .. rig.PowerChannels.Select(c => (c.Id, c.Rack, c.Weight))]);
        Aggregator = new LoadAggregator(Topology, new LoadAggregatorOptions
        {
            DecayTimeConstantS = rig.Aggregation.DecayS,
            MaxEstimatedFraction = rig.Aggregation.MaxEstimatedFraction,
        });
        EmergencyStop = Find(inputs, rig, RigGpioRole.EmergencyStop);
        InverterEnable = Find(outputs, rig, RigGpioRole.InverterEnable);
        StatusLed = Find(outputs, rig, RigGpioRole.StatusLed);
    }

    /// <summary>The rig definition.</summary>
    public RigDefinition Rig { get; }

    /// <summary>Rack power sensors in rig order (the order of <see cref="RackSnapshot.Sensors"/>): the INA sensors, then the power channels.</summary>
    public IReadOnlyList<ShuntPowerSensor> Sensors { get; }

    /// <summary>Cabinet temperature sensors in rig order (sampled with their bus; read by the publisher for the alarms).</summary>
    public IReadOnlyList<TemperatureSensor> TemperatureSensors { get; }

    /// <summary>Number of buses with devices (rig bus order).</summary>
    public int BusCount => _byBus.Length;

    /// <summary>Rack topology (from the sensors' "rack" and "weight").</summary>
    public RackTopology Topology { get; }

    /// <summary>Load aggregator over <see cref="Topology"/>.</summary>
    public LoadAggregator Aggregator { get; }

    /// <summary>All GPIO inputs.</summary>
    public IReadOnlyList<GpioDigitalInput> Inputs { get; }

    /// <summary>All GPIO outputs.</summary>
    public IReadOnlyList<GpioDigitalOutput> Outputs { get; }

    /// <summary>The E-stop sense input, if the rig has one.</summary>
    public GpioDigitalInput? EmergencyStop { get; }

    /// <summary>The inverter-enable relay output, if the rig has one.</summary>
    public GpioDigitalOutput? InverterEnable { get; }

    /// <summary>The status LED output, if the rig has one.</summary>
    public GpioDigitalOutput? StatusLed { get; }

    /// <summary>The sensors on bus <paramref name="bus"/> (sample them from one thread).</summary>
    public ReadOnlySpan<ShuntPowerSensor> SensorsOnBus(int bus) => _byBus[bus];

    /// <inheritdoc />
    public int SensorCount => Sensors.Count;

    /// <summary>Initialises every sensor; returns one line per sensor that failed (empty when all are ready).</summary>
    public IReadOnlyList<string> InitializeAll()
    {
        var failures = new List<string>();
        foreach (ShuntPowerSensor sensor in Sensors)
        {
            if (sensor.Initialize() != InaInitResult.Ok)
            {
                failures.Add($"{sensor.Id}: {sensor.InitResult}: {sensor.Monitor.LastError}");
            }
        }

        foreach (TemperatureSensor thermometer in TemperatureSensors)
        {
            if (!thermometer.Initialize())
            {
                failures.Add($"{thermometer.Id}: {thermometer.Chip.Model}: {thermometer.Chip.LastError}");
            }
        }

        return failures;
    }

    /// <summary>Samples the devices of one bus (the job of that bus's sampler). Allocation-free.</summary>
    public void SampleBus(int bus, long nowNs)
    {
        foreach (ShuntPowerSensor sensor in _byBus[bus])
        {
            sensor.Sample(nowNs);
        }

        foreach (TemperatureSensor thermometer in _thermometersByBus[bus])
        {
            thermometer.Sample(nowNs);
        }
    }

    /// <summary>Samples every bus in turn from the calling thread (simulation, tests, slow rigs). Allocation-free.</summary>
    public void SampleAll(long nowNs)
    {
        for (int b = 0; b < _byBus.Length; b++)
        {
            SampleBus(b, nowNs);
        }
    }

    /// <summary>
    /// The sample phase's snapshot fill: copies each sensor's latest reading into <paramref name="snapshot"/>, stamps
    /// it with <paramref name="nowNs"/>, aggregates, and returns the load flags for the controller. Allocation-free.
    /// </summary>
    public Core.Control.InputHealth FillSnapshot(RackSnapshot snapshot, long nowNs)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.TimestampNs = nowNs;
        PowerReading[] readings = snapshot.Sensors;
        for (int i = 0; i < readings.Length; i++)
        {
            readings[i] = Sensors[i].TryRead(out PowerReading r) ? r : PowerReading.Missing;
        }

        return Aggregator.Apply(snapshot);
    }

    /// <summary>Closes every device the rig opened.</summary>
    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _owned.Clear();
    }

    private static T? Find<T>(IReadOnlyList<T> items, RigDefinition rig, RigGpioRole role)
        where T : class
    {
        RigGpioLine? line = rig.Gpio.FirstOrDefault(g => g.Role == role);
        if (line is null)
        {
            return null;
        }

        foreach (T item in items)
        {
            string id = item switch
            {
                GpioDigitalInput i => i.Id,
                GpioDigitalOutput o => o.Id,
                _ => string.Empty,
            };
            if (id == line.Id)
            {
                return item;
            }
        }

        return null;
    }
}
