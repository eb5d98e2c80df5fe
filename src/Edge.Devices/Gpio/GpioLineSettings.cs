namespace Edge.Devices.Gpio;

/// <summary>Direction of a GPIO line.</summary>
public enum GpioDirection : byte
{
    /// <summary>The line is read.</summary>
    Input,

    /// <summary>The line is driven.</summary>
    Output,
}

/// <summary>Bias (pull resistor) of an input line.</summary>
public enum GpioBias : byte
{
    /// <summary>Leave the bias as the board configured it.</summary>
    AsIs,

    /// <summary>Enable the internal pull-up (typical for active-low contacts to ground, e.g. E-stop auxiliary contacts).</summary>
    PullUp,

    /// <summary>Enable the internal pull-down.</summary>
    PullDown,

    /// <summary>Disable any internal bias (an external resistor is fitted).</summary>
    Disabled,
}

/// <summary>Which logical edges produce events.</summary>
public enum GpioEdgeDetection : byte
{
    /// <summary>No edge events.</summary>
    None,

    /// <summary>Inactive → active.</summary>
    Rising,

    /// <summary>Active → inactive.</summary>
    Falling,

    /// <summary>Both edges.</summary>
    Both,
}

/// <summary>Output drive of a line.</summary>
public enum GpioDrive : byte
{
    /// <summary>Push-pull (default).</summary>
    PushPull,

    /// <summary>Open drain (drives low only).</summary>
    OpenDrain,

    /// <summary>Open source (drives high only).</summary>
    OpenSource,
}

/// <summary>
/// How to request one line — the information dotnet/iot's <c>GpioController.OpenPin</c> takes, plus what the v2 uAPI
/// offers: logical polarity, bias, edge detection with kernel timestamps and hardware/kernel debounce.
/// "Active" is the logical level: with <see cref="ActiveLow"/> the kernel inverts, so an active-low E-stop contact
/// reads <c>true</c> when pressed.
/// </summary>
/// <param name="Offset">Line offset on the chip (on a Raspberry Pi header: the BCM GPIO number).</param>
/// <param name="Direction">Input or output.</param>
public sealed record GpioLineSettings(int Offset, GpioDirection Direction)
{
    /// <summary>True when the electrical low level means "active".</summary>
    public bool ActiveLow { get; init; }

    /// <summary>Internal pull resistor.</summary>
    public GpioBias Bias { get; init; }

    /// <summary>Edges that are reported as events (inputs only).</summary>
    public GpioEdgeDetection Edges { get; init; }

    /// <summary>Debounce period, µs (inputs only; 0 = none). The kernel debounces in hardware or software.</summary>
    public int DebounceUs { get; init; }

    /// <summary>Output drive (outputs only).</summary>
    public GpioDrive Drive { get; init; }

    /// <summary>Logical level an output takes the moment it is requested.</summary>
    public bool InitialActive { get; init; }

    /// <summary>Consumer label shown by <c>gpioinfo</c>.</summary>
    public string Consumer { get; init; } = "edge";

    /// <summary>Suggested kernel event buffer, events (0 = kernel default of 16 per line).</summary>
    public int EventBufferSize { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for settings the uAPI cannot express.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Offset);
        ArgumentOutOfRangeException.ThrowIfNegative(DebounceUs);
        ArgumentOutOfRangeException.ThrowIfNegative(EventBufferSize);
        if (Direction == GpioDirection.Output && (Edges != GpioEdgeDetection.None || DebounceUs != 0))
        {
            throw new ArgumentException("Edge detection and debounce apply to inputs only.", nameof(Edges));
        }

        if (Direction == GpioDirection.Input && Drive != GpioDrive.PushPull)
        {
            throw new ArgumentException("Drive applies to outputs only.", nameof(Drive));
        }
    }
}
