using Edge.Devices.Bindings;

namespace Edge.Devices.Rig;

/// <summary>
/// One rack power channel read through an Iot.Device.Bindings binding (today an ADS1115 input carrying a Hall/CT power
/// transducer): validated <c>$.powerChannels[i]</c>. In the snapshot after the INA sensors, in file order.
/// </summary>
public sealed record RigPowerChannel
{
    /// <summary>Identifier (a rack power sensor's id).</summary>
    public required string Id { get; init; }

    /// <summary>Bus id.</summary>
    public required string Bus { get; init; }

    /// <summary>7-bit address (ADS1115 ADDR pin: 0x48–0x4B).</summary>
    public required int Address { get; init; }

    /// <summary>The input, range, rate and the transfer function.</summary>
    public required Ads1115ChannelOptions Channel { get; init; }

    /// <summary>Plausible power range, W.</summary>
    public double MinPowerW { get; init; } = double.NegativeInfinity;

    /// <summary>Plausible power range, W.</summary>
    public double MaxPowerW { get; init; } = double.PositiveInfinity;

    /// <summary>Rack this channel measures.</summary>
    public required string Rack { get; init; }

    /// <summary>Nominal share used for estimates when the channel drops out.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Share of the cluster load on a simulated bus (NaN = weight / total weight).</summary>
    public double SimulatedLoadShare { get; init; } = double.NaN;

    /// <summary>RMS noise on the simulated transducer output, V.</summary>
    public double SimulatedNoiseVolts { get; init; }

    /// <summary>JSON path of the entry.</summary>
    public required string Path { get; init; }
}

/// <summary>One cabinet temperature sensor read through an Iot.Device.Bindings binding (today an LM75): validated <c>$.temperatureSensors[i]</c>.</summary>
public sealed record RigTemperatureSensor
{
    /// <summary>Identifier (the alarms' source).</summary>
    public required string Id { get; init; }

    /// <summary>Bus id.</summary>
    public required string Bus { get; init; }

    /// <summary>7-bit address (LM75 A2..A0: 0x48–0x4F).</summary>
    public required int Address { get; init; }

    /// <summary>Alarm band, hysteresis, plausible range and read interval (in sampling periods).</summary>
    public required Sensors.TemperatureSensorOptions Options { get; init; }

    /// <summary>The simulated cabinet temperature, °C (simulated buses).</summary>
    public double SimulatedTemperatureC { get; init; } = 25;

    /// <summary>JSON path of the entry.</summary>
    public required string Path { get; init; }
}
