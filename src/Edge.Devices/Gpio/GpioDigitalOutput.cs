using Edge.Core.Devices;

namespace Edge.Devices.Gpio;

/// <summary>
/// Edge.Core's <see cref="IDigitalOutput"/> over a GPIO line (inverter-enable relay, status LED). The level after
/// construction is the line's <see cref="GpioLineSettings.InitialActive"/>, set atomically with the line request.
/// </summary>
public sealed class GpioDigitalOutput : IDigitalOutput, IDisposable
{
    private readonly IGpioLine _line;

    /// <summary>Wraps <paramref name="line"/> (taking ownership) under the identifier <paramref name="id"/>.</summary>
    public GpioDigitalOutput(string id, IGpioLine line)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(line);
        if (line.Settings.Direction != GpioDirection.Output)
        {
            throw new ArgumentException($"GPIO line {line.Name} is not an output.", nameof(line));
        }

        Id = id;
        _line = line;
        Level = line.Settings.InitialActive;
    }

    /// <inheritdoc />
    public string Id { get; }

    /// <inheritdoc />
    public bool Level { get; private set; }

    /// <summary>The underlying line.</summary>
    public IGpioLine Line => _line;

    /// <inheritdoc />
    public bool TryWrite(bool active)
    {
        if (!_line.TryWrite(active))
        {
            return false;
        }

        Level = active;
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _line.Dispose();
}
