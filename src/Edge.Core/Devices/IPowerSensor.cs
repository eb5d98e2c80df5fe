namespace Edge.Core.Devices;

/// <summary>
/// Capability: something that measures electrical power (a shunt monitor, a PDU meter, the site meter).
/// Implementations never block the caller for longer than their configured read budget: a sensor that cannot
/// answer within the control period is read by its own sampler thread and returns the latest value here.
/// </summary>
public interface IPowerSensor
{
    /// <summary>Stable identifier used in configuration, topics and logs.</summary>
    string Id { get; }

    /// <summary>
    /// Reads the newest available sample. Returns false only when no value has ever been obtained;
    /// otherwise the reading's <see cref="PowerReading.Health"/> tells whether it can be trusted.
    /// Never throws for device faults (they are reported through health).
    /// </summary>
    bool TryRead(out PowerReading reading);
}
