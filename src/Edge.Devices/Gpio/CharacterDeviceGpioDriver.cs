using System.Device.Gpio;
using System.Diagnostics;
using System.Globalization;

namespace Edge.Devices.Gpio;

/// <summary>
/// A dotnet/iot <see cref="GpioDriver"/> over Edge's GPIO character-device code (Linux v2 uAPI, <see cref="LinuxGpioChip"/>)
/// or any other <see cref="IGpioChip"/> (the simulator): <c>new GpioController(new CharacterDeviceGpioDriver(chip))</c>
/// gives every Iot.Device.Bindings binding GPIO without libgpiod (System.Device.Gpio's own drivers need libgpiod v1 or
/// v2, or the Raspberry Pi's /dev/gpiomem). Pin numbers are line offsets on the chip.
/// <para>
/// A pin is requested from the kernel when its mode is set (a read before that requests it as an input — the state
/// that drives nothing); changing the mode releases and re-requests the line, so set an output's level with
/// <see cref="SetPinMode(int, PinMode, PinValue)"/> to have it start at that level. Edge's control loop does not go
/// through this class: it holds an <see cref="IGpioLine"/> (allocation-free, no exceptions) for the E-stop and relays.
/// </para>
/// <para>Failures throw <see cref="IOException"/> (reads/writes) or <see cref="DeviceOpenException"/> (requests), as
/// dotnet/iot's drivers do. Pins are not thread-safe, as with dotnet/iot's drivers.</para>
/// </summary>
public sealed class CharacterDeviceGpioDriver : GpioDriver
{
    private const int CallbackPollMs = 50;
    private readonly IGpioChip _chip;
    private readonly bool _ownsChip;
    private readonly Dictionary<int, Pin> _pins = [];

    /// <summary>Drives the lines of <paramref name="chip"/>; <paramref name="ownsChip"/>: dispose it with the driver.</summary>
    public CharacterDeviceGpioDriver(IGpioChip chip, bool ownsChip = false)
    {
        ArgumentNullException.ThrowIfNull(chip);
        _chip = chip;
        _ownsChip = ownsChip;
    }

    /// <summary>Opens a chip by number, path, <c>gpiochipN</c> or label (see <see cref="LinuxGpioChip.Open"/>) and owns it.</summary>
    public CharacterDeviceGpioDriver(string chip)
        : this(LinuxGpioChip.Open(chip), ownsChip: true)
    {
    }

    /// <inheritdoc />
    protected override int PinCount => _chip.LineCount;

    /// <summary>The Edge line behind an opened pin whose mode is set, for callers that need the allocation-free path.</summary>
    public IGpioLine? LineOf(int pinNumber) => _pins.TryGetValue(pinNumber, out Pin? pin) ? pin.Line : null;

    /// <inheritdoc />
    protected override void OpenPin(int pinNumber)
    {
        CheckRange(pinNumber);
        _pins.TryAdd(pinNumber, new Pin(pinNumber));
    }

    /// <inheritdoc />
    protected override void ClosePin(int pinNumber)
    {
        if (_pins.Remove(pinNumber, out Pin? pin))
        {
            pin.Dispose();
        }
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode) => Request(pinNumber, mode, initialHigh: false);

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue) =>
        Request(pinNumber, mode, initialValue == PinValue.High);

    /// <inheritdoc />
    protected override PinMode GetPinMode(int pinNumber) => Opened(pinNumber).Mode;

    /// <inheritdoc />
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    /// <inheritdoc />
    protected override PinValue Read(int pinNumber)
    {
        IGpioLine line = LineFor(pinNumber);
        return line.TryRead(out bool high) ? (high ? PinValue.High : PinValue.Low) : throw Failed(line, "read");
    }

    /// <inheritdoc />
    protected override void Write(int pinNumber, PinValue value)
    {
        Pin pin = Opened(pinNumber);
        if (pin.Line is null || pin.Mode != PinMode.Output)
        {
            throw new InvalidOperationException($"GPIO pin {pinNumber} is not an output: set its mode to Output first.");
        }

        if (!pin.Line.TryWrite(value == PinValue.High))
        {
            throw Failed(pin.Line, "write");
        }
    }

    /// <inheritdoc />
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        IGpioLine line = EdgeLineFor(pinNumber);
        var waited = new Stopwatch();
        while (!cancellationToken.IsCancellationRequested)
        {
            if (WaitForEdge(line, waited) && line.TryReadEdge(out GpioEdgeEvent edge))
            {
                PinEventTypes type = edge.Active ? PinEventTypes.Rising : PinEventTypes.Falling;
                if ((eventTypes & type) != 0)
                {
                    return new WaitForEventResult { EventTypes = type, TimedOut = false };
                }
            }
        }

        return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
    }

    /// <inheritdoc />
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        IGpioLine line = EdgeLineFor(pinNumber);
        Pin pin = _pins[pinNumber];
        lock (pin.Callbacks)
        {
            pin.Callbacks.Add((eventTypes, callback));
        }

        pin.StartDispatcher(this, line);
    }

    /// <inheritdoc />
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        if (_pins.TryGetValue(pinNumber, out Pin? pin))
        {
            lock (pin.Callbacks)
            {
                pin.Callbacks.RemoveAll(c => c.Handler == callback);
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (Pin pin in _pins.Values)
            {
                pin.Dispose();
            }

            _pins.Clear();
            if (_ownsChip)
            {
                _chip.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Waits up to one poll period for an edge; a backend that cannot block (the simulator) does not spin.</summary>
    private static bool WaitForEdge(IGpioLine line, Stopwatch waited)
    {
        waited.Restart();
        if (line.WaitForEdge(CallbackPollMs))
        {
            return true;
        }

        if (waited.ElapsedMilliseconds < CallbackPollMs / 2)
        {
            Thread.Sleep(CallbackPollMs / 5);
        }

        return false;
    }

    private static IOException Failed(IGpioLine line, string what) => new(string.Create(CultureInfo.InvariantCulture,
        $"GPIO {what} on {line.Name} failed ({Native.Errno.Name(line.LastErrno)})."));

    private void CheckRange(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= _chip.LineCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber,
                $"{_chip.Name} has lines 0–{_chip.LineCount - 1}.");
        }
    }

    private Pin Opened(int pinNumber) => _pins.TryGetValue(pinNumber, out Pin? pin)
        ? pin
        : throw new InvalidOperationException($"GPIO pin {pinNumber} is not open.");

    private IGpioLine LineFor(int pinNumber)
    {
        Pin pin = Opened(pinNumber);
        return pin.Line ?? Request(pinNumber, PinMode.Input, initialHigh: false);
    }

    /// <summary>The pin's line with edge detection on both edges (inputs are re-requested with it once).</summary>
    private IGpioLine EdgeLineFor(int pinNumber)
    {
        Pin pin = Opened(pinNumber);
        if (pin.Line is null || pin.Line.Settings.Edges != GpioEdgeDetection.Both)
        {
            if (pin.Mode == PinMode.Output && pin.Line is not null)
            {
                throw new InvalidOperationException($"GPIO pin {pinNumber} is an output: edge events need an input.");
            }

            Request(pinNumber, pin.Line is null ? PinMode.Input : pin.Mode, initialHigh: false, edges: true);
        }

        return pin.Line!;
    }

    private IGpioLine Request(int pinNumber, PinMode mode, bool initialHigh, bool edges = false)
    {
        if (!IsPinModeSupported(pinNumber, mode))
        {
            throw new InvalidOperationException($"GPIO pin mode {mode} is not supported by the character-device driver.");
        }

        Pin pin = Opened(pinNumber);
        var settings = new GpioLineSettings(pinNumber, mode == PinMode.Output ? GpioDirection.Output : GpioDirection.Input)
        {
            Bias = mode switch
            {
                PinMode.InputPullUp => GpioBias.PullUp,
                PinMode.InputPullDown => GpioBias.PullDown,
                _ => GpioBias.AsIs,
            },
            InitialActive = mode == PinMode.Output && initialHigh,
            Edges = edges ? GpioEdgeDetection.Both : GpioEdgeDetection.None,
            Consumer = "edge-gpiodriver",
        };
        pin.ReleaseLine();
        pin.Line = _chip.RequestLine(settings);
        pin.Mode = mode;
        return pin.Line;
    }

    private sealed class Pin(int number) : IDisposable
    {
        private Thread? _dispatcher;
        private volatile bool _stop;

        public int Number { get; } = number;

        public IGpioLine? Line { get; set; }

        public PinMode Mode { get; set; } = PinMode.Input;

        public List<(PinEventTypes Types, PinChangeEventHandler Handler)> Callbacks { get; } = [];

        public void StartDispatcher(object sender, IGpioLine line)
        {
            if (_dispatcher is not null)
            {
                return;
            }

            _stop = false;
            _dispatcher = new Thread(() => Dispatch(sender, line))
            {
                IsBackground = true,
                Name = "gpio-events-" + Number.ToString(CultureInfo.InvariantCulture),
            };
            _dispatcher.Start();
        }

        public void ReleaseLine()
        {
            StopDispatcher();
            Line?.Dispose();
            Line = null;
        }

        public void Dispose() => ReleaseLine();

        private void StopDispatcher()
        {
            _stop = true;
            _dispatcher?.Join();
            _dispatcher = null;
        }

        private void Dispatch(object sender, IGpioLine line)
        {
            var waited = new Stopwatch();
            while (!_stop)
            {
                if (!WaitForEdge(line, waited))
                {
                    continue;
                }

                while (line.TryReadEdge(out GpioEdgeEvent edge))
                {
                    PinEventTypes type = edge.Active ? PinEventTypes.Rising : PinEventTypes.Falling;
                    (PinEventTypes Types, PinChangeEventHandler Handler)[] handlers;
                    lock (Callbacks)
                    {
                        handlers = [.. Callbacks];
                    }

                    foreach ((PinEventTypes types, PinChangeEventHandler handler) in handlers)
                    {
                        if ((types & type) != 0)
                        {
                            handler(sender, new PinValueChangedEventArgs(type, Number));
                        }
                    }
                }
            }
        }
    }
}
