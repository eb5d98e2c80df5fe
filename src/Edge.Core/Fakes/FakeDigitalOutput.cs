using Edge.Core.Devices;

namespace Edge.Core.Fakes;

/// <summary>Test dummy for <see cref="IDigitalOutput"/>: records writes; can be told to fail.</summary>
public sealed class FakeDigitalOutput(string id) : IDigitalOutput
{
    /// <inheritdoc />
    public string Id { get; } = id;

    /// <inheritdoc />
    public bool Level { get; private set; }

    /// <summary>Number of successful writes.</summary>
    public int WriteCount { get; private set; }

    /// <summary>When true, writes fail.</summary>
    public bool FailWrites { get; set; }

    /// <inheritdoc />
    public bool TryWrite(bool active)
    {
        if (FailWrites)
        {
            return false;
        }

        Level = active;
        WriteCount++;
        return true;
    }
}
