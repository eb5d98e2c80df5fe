namespace Edge.Core.Devices;

/// <summary>
/// Capability: a debounced digital input (E-stop, conversion-ready, enable feedback). Logical level:
/// <c>true</c> = asserted, whatever the electrical polarity.
/// </summary>
public interface IDigitalInput
{
    /// <summary>Stable identifier used in configuration, topics and logs.</summary>
    string Id { get; }

    /// <summary>Reads the current logical level. Returns false when the line cannot be read.</summary>
    bool TryRead(out bool active);

    /// <summary>Takes the oldest edge not yet taken. Returns false when there is none. Allocation-free.</summary>
    bool TryTakeEdge(out DigitalEdge edge);
}
