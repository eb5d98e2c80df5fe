namespace Edge.Core.Devices;

/// <summary>
/// A temperature sensor whose latest reading any thread can take without blocking or allocating (the sampler thread of
/// its bus writes it; the publisher reads it for the cabinet-temperature alarms).
/// </summary>
public interface ITemperatureSensor
{
    /// <summary>Identifier (the alarm's source).</summary>
    string Id { get; }

    /// <summary>The latest reading; false when there is none yet.</summary>
    bool TryRead(out TemperatureReading reading);
}
