namespace Edge.Devices.Gpio;

/// <summary>A GPIO controller from which lines are requested (the role of dotnet/iot's <c>GpioController</c>).</summary>
public interface IGpioChip : IDisposable
{
    /// <summary>The chip's name or path, e.g. <c>/dev/gpiochip0</c>.</summary>
    string Name { get; }

    /// <summary>Number of lines on the chip.</summary>
    int LineCount { get; }

    /// <summary>
    /// Requests a line. Throws <see cref="DeviceOpenException"/> (naming chip and line) when the line is out of range,
    /// in use, or the request is refused.
    /// </summary>
    IGpioLine RequestLine(GpioLineSettings settings);
}
