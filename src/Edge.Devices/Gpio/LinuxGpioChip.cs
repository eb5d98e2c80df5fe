using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Edge.Devices.Native;

namespace Edge.Devices.Gpio;

/// <summary>
/// A GPIO chip through the Linux GPIO character device, uAPI v2 (<c>/dev/gpiochipN</c>; no sysfs). Lines are requested
/// with GPIO_V2_GET_LINE_IOCTL; each <see cref="LinuxGpioLine"/> owns the line file descriptor the kernel returns.
/// </summary>
public sealed class LinuxGpioChip : IGpioChip
{
    private int _fd;

    private LinuxGpioChip(int fd, string path, string kernelName, string label, int lineCount)
    {
        _fd = fd;
        Name = path;
        KernelName = kernelName;
        Label = label;
        LineCount = lineCount;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The kernel's name of the chip (e.g. "gpiochip0").</summary>
    public string KernelName { get; }

    /// <summary>The chip's label (e.g. "pinctrl-rp1" on a Raspberry Pi 5, "pinctrl-bcm2711" on a Pi 4).</summary>
    public string Label { get; }

    /// <inheritdoc />
    public int LineCount { get; }

    /// <summary>
    /// Opens a chip named by path (<c>/dev/gpiochip0</c>), kernel name (<c>gpiochip0</c>), number (<c>0</c>) or label
    /// (<c>pinctrl-rp1</c> — the stable way to name the Raspberry Pi header across kernel versions). Throws
    /// <see cref="DeviceOpenException"/> naming the path (or listing the chips seen) when it cannot.
    /// </summary>
    public static LinuxGpioChip Open(string chip)
    {
        ArgumentException.ThrowIfNullOrEmpty(chip);
        if (chip.StartsWith('/'))
        {
            return OpenPath(chip);
        }

        if (int.TryParse(chip, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            return OpenPath("/dev/gpiochip" + number.ToString(CultureInfo.InvariantCulture));
        }

        if (chip.StartsWith("gpiochip", StringComparison.Ordinal))
        {
            return OpenPath("/dev/" + chip);
        }

        return OpenByLabel(chip);
    }

    /// <summary>Opens the chip at <paramref name="path"/>.</summary>
    public static unsafe LinuxGpioChip OpenPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int fd = Libc.Open(path, Libc.ORdWr | Libc.OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string hint = errno switch
            {
                Errno.ENOENT => "the GPIO chip does not exist — check 'ls /dev/gpiochip*' or gpiodetect; on a Raspberry Pi 5 " +
                                "name the header chip by its label 'pinctrl-rp1' (see hardware/README.md)",
                Errno.EACCES or Errno.EPERM => "permission denied — add the service user to the 'gpio' group",
                _ => "open failed",
            };
            throw new DeviceOpenException(path, errno, $"Cannot open GPIO chip {path} ({Errno.Name(errno)}): {hint}.");
        }

        GpioNative.GpioChipInfo info;
        if (Libc.Ioctl(fd, GpioNative.GetChipInfoIoctl, &info) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = Libc.Close(fd);
            throw new DeviceOpenException(path, errno,
                $"{path} is not a GPIO character device: ioctl(GPIO_GET_CHIPINFO_IOCTL) failed with {Errno.Name(errno)}.");
        }

        string name = CString(info.Name, GpioNative.MaxNameSize);
        string label = CString(info.Label, GpioNative.MaxNameSize);
        return new LinuxGpioChip(fd, path, name, label, checked((int)info.Lines));
    }

    /// <summary>Finds the chip whose label is <paramref name="label"/> among <c>/dev/gpiochip*</c>.</summary>
    public static LinuxGpioChip OpenByLabel(string label)
    {
        var seen = new List<string>();
        string[] paths = Directory.Exists("/dev")
            ? Directory.GetFiles("/dev", "gpiochip*")
            : [];
        Array.Sort(paths, StringComparer.Ordinal);
        foreach (string path in paths)
        {
            LinuxGpioChip chip;
            try
            {
                chip = OpenPath(path);
            }
            catch (DeviceOpenException e)
            {
                seen.Add($"{path} (unreadable: {Errno.Name(e.Errno)})");
                continue;
            }

            if (string.Equals(chip.Label, label, StringComparison.Ordinal))
            {
                return chip;
            }

            seen.Add($"{path} = '{chip.Label}'");
            chip.Dispose();
        }

        string found = seen.Count == 0 ? "no /dev/gpiochip* at all" : string.Join(", ", seen);
        throw new DeviceOpenException("/dev/gpiochip*", Errno.ENOENT, $"No GPIO chip labelled '{label}' (found: {found}).");
    }

    /// <inheritdoc />
    public unsafe IGpioLine RequestLine(GpioLineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        string lineName = Name + ":" + settings.Offset.ToString(CultureInfo.InvariantCulture);
        if (settings.Offset >= LineCount)
        {
            throw new DeviceOpenException(Name, Errno.EINVAL,
                $"GPIO line {lineName} does not exist: the chip has {LineCount} lines (0–{LineCount - 1}).");
        }

        GpioNative.LineRequest request = BuildRequest(settings);
        if (Libc.Ioctl(_fd, GpioNative.GetLineIoctl, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string hint = errno == Errno.EBUSY
                ? "the line is in use by another consumer or a kernel driver (see gpioinfo)"
                : "the kernel refused the line configuration";
            throw new DeviceOpenException(Name, errno, $"Cannot request GPIO line {lineName} ({Errno.Name(errno)}): {hint}.");
        }

        return new LinuxGpioLine(request.Fd, lineName, settings);
    }

    /// <summary>Builds the kernel's gpio_v2_line_request for one line (internal for the layout tests).</summary>
    internal static unsafe GpioNative.LineRequest BuildRequest(GpioLineSettings settings)
    {
        GpioNative.LineRequest request = default;
        request.Offsets[0] = (uint)settings.Offset;
        request.NumLines = 1;
        request.EventBufferSize = (uint)settings.EventBufferSize;
        int written = Encoding.UTF8.GetBytes(settings.Consumer.AsSpan(), new Span<byte>(request.Consumer, GpioNative.MaxNameSize - 1));
        request.Consumer[written] = 0;

        ulong flags = settings.Direction == GpioDirection.Input ? GpioNative.FlagInput : GpioNative.FlagOutput;
        if (settings.ActiveLow)
        {
            flags |= GpioNative.FlagActiveLow;
        }

        flags |= settings.Bias switch
        {
            GpioBias.PullUp => GpioNative.FlagBiasPullUp,
            GpioBias.PullDown => GpioNative.FlagBiasPullDown,
            GpioBias.Disabled => GpioNative.FlagBiasDisabled,
            _ => 0,
        };
        flags |= settings.Edges switch
        {
            GpioEdgeDetection.Rising => GpioNative.FlagEdgeRising,
            GpioEdgeDetection.Falling => GpioNative.FlagEdgeFalling,
            GpioEdgeDetection.Both => GpioNative.FlagEdgeRising | GpioNative.FlagEdgeFalling,
            _ => 0,
        };
        flags |= settings.Drive switch
        {
            GpioDrive.OpenDrain => GpioNative.FlagOpenDrain,
            GpioDrive.OpenSource => GpioNative.FlagOpenSource,
            _ => 0,
        };
        request.Config.Flags = flags;

        uint attributes = 0;
        if (settings.Direction == GpioDirection.Output)
        {
            // The initial value goes in with the request, so the line never glitches to the wrong level.
            ref GpioNative.LineConfigAttribute a = ref request.Config.Attrs[(int)attributes++];
            a.Attr.Id = GpioNative.AttrIdOutputValues;
            a.Attr.FlagsOrValues = settings.InitialActive ? 1UL : 0UL;
            a.Mask = 1; // bit 0 = index 0 of offsets[]
        }

        if (settings.DebounceUs > 0)
        {
            ref GpioNative.LineConfigAttribute a = ref request.Config.Attrs[(int)attributes++];
            a.Attr.Id = GpioNative.AttrIdDebounce;
            a.Attr.DebouncePeriodUs = (uint)settings.DebounceUs;
            a.Mask = 1;
        }

        request.Config.NumAttrs = attributes;
        return request;
    }

    /// <summary>Closes the chip. Lines already requested stay valid (they own their own descriptors).</summary>
    public void Dispose()
    {
        int fd = _fd;
        _fd = -1;
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
    }

    private static unsafe string CString(byte* text, int size)
    {
        var span = new ReadOnlySpan<byte>(text, size);
        int end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
