namespace Edge.Core.Devices;

/// <summary>Capability: a digital output (inverter-enable relay, status LED). Logical level: true = asserted.</summary>
public interface IDigitalOutput
{
    /// <summary>Stable identifier used in configuration, topics and logs.</summary>
    string Id { get; }

    /// <summary>The level last written successfully.</summary>
    bool Level { get; }

    /// <summary>Drives the output. Returns false when the write failed (the level is then unknown).</summary>
    bool TryWrite(bool active);
}
