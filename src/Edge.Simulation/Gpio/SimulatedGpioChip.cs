using System.Globalization;
using Edge.Devices;
using Edge.Devices.Gpio;

namespace Edge.Simulation.Gpio;

/// <summary>
/// A simulated GPIO chip: lines requested like on the kernel's character device (out of range or already requested →
/// <see cref="DeviceOpenException"/>), then driven by tests or simulated chips through <see cref="Line"/>.
/// </summary>
public sealed class SimulatedGpioChip : IGpioChip
{
    private readonly Func<long> _clock;
    private readonly Dictionary<int, SimulatedGpioLine> _lines = [];
    private readonly Dictionary<int, bool> _idleHigh = [];

    /// <summary>Creates a chip with <paramref name="lineCount"/> lines on the clock <paramref name="clock"/> (ns).</summary>
    public SimulatedGpioChip(string name, int lineCount, Func<long> clock)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(lineCount, 1);
        ArgumentNullException.ThrowIfNull(clock);
        Name = name;
        LineCount = lineCount;
        _clock = clock;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int LineCount { get; }

    /// <summary>Sets the electrical level an input line idles at before it is requested (e.g. a pulled-up contact).</summary>
    public void SetIdleLevel(int offset, bool high) => _idleHigh[offset] = high;

    /// <inheritdoc />
    public IGpioLine RequestLine(GpioLineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        string name = Name + ":" + settings.Offset.ToString(CultureInfo.InvariantCulture);
        if (settings.Offset >= LineCount)
        {
            throw new DeviceOpenException(Name, 22, $"GPIO line {name} does not exist: the chip has {LineCount} lines.");
        }

        if (_lines.TryGetValue(settings.Offset, out SimulatedGpioLine? existing) && !existing.IsDisposed)
        {
            throw new DeviceOpenException(Name, 16, $"Cannot request GPIO line {name} (EBUSY): already requested.");
        }

        // Unless told otherwise, an input starts at its inactive level (a released E-stop with the run permit present,
        // an idle ALERT line).
        bool idle = _idleHigh.TryGetValue(settings.Offset, out bool high) ? high : settings.ActiveLow;
        var line = new SimulatedGpioLine(name, settings, _clock, idle);
        _lines[settings.Offset] = line;
        return line;
    }

    /// <summary>The requested line at <paramref name="offset"/>.</summary>
    public SimulatedGpioLine Line(int offset) => _lines.TryGetValue(offset, out SimulatedGpioLine? line)
        ? line
        : throw new InvalidOperationException($"GPIO line {Name}:{offset} has not been requested.");

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
