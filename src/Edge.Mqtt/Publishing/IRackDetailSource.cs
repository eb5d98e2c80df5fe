using Edge.Core.Devices;

namespace Edge.Mqtt.Publishing;

/// <summary>
/// Per-sensor and per-inverter detail for the 1 Hz topics: the latest frozen snapshot the loop published (a
/// latest-value mailbox in the runtime), and the configured device ids in snapshot order.
/// </summary>
public interface IRackDetailSource
{
    /// <summary>Sensor ids, in the order of <see cref="RackSnapshot.Sensors"/>.</summary>
    IReadOnlyList<string> SensorIds { get; }

    /// <summary>Inverter ids, in the order of <see cref="RackSnapshot.Inverters"/>.</summary>
    IReadOnlyList<string> InverterIds { get; }

    /// <summary>Cabinet temperature sensors whose alarms the publisher derives (read at the detail rate); none by default.</summary>
    IReadOnlyList<ITemperatureSensor> TemperatureSensors => [];

    /// <summary>Copies the newest snapshot into <paramref name="destination"/> (sized for the ids above); false when none yet.</summary>
    bool TryCopyLatest(RackSnapshot destination);
}
