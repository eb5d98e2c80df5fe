using Edge.Core.Devices;

namespace Edge.Devices.Gpio;

/// <summary>
/// Edge.Core's <see cref="IDigitalInput"/> over a GPIO line (E-stop sense, enable feedback, an INA's ALERT pin).
/// Polarity and debounce are the line's (<see cref="GpioLineSettings.ActiveLow"/>, <see cref="GpioLineSettings.DebounceUs"/>).
/// Safety inputs: a caller must treat <c>TryRead == false</c> as "asserted" (fail safe) — this class only reports.
/// </summary>
public sealed class GpioDigitalInput : IDigitalInput, IDisposable
{
    private readonly IGpioLine _line;

    /// <summary>Wraps <paramref name="line"/> (taking ownership) under the identifier <paramref name="id"/>.</summary>
    public GpioDigitalInput(string id, IGpioLine line)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(line);
        if (line.Settings.Direction != GpioDirection.Input)
        {
            throw new ArgumentException($"GPIO line {line.Name} is not an input.", nameof(line));
        }

        Id = id;
        _line = line;
    }

    /// <inheritdoc />
    public string Id { get; }

    /// <summary>The underlying line.</summary>
    public IGpioLine Line => _line;

    /// <inheritdoc />
    public bool TryRead(out bool active) => _line.TryRead(out active);

    /// <inheritdoc />
    public bool TryTakeEdge(out DigitalEdge edge)
    {
        if (_line.TryReadEdge(out GpioEdgeEvent e))
        {
            edge = new DigitalEdge(e.TimestampNs, e.Active, e.LineSequence);
            return true;
        }

        edge = default;
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _line.Dispose();
}
