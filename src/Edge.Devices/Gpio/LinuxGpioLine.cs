using System.Runtime.InteropServices;
using Edge.Devices.Native;

namespace Edge.Devices.Gpio;

/// <summary>
/// A line requested from a <see cref="LinuxGpioChip"/>: values through GPIO_V2_LINE_GET/SET_VALUES_IOCTL on the line's
/// own descriptor, edge events by <c>read()</c> of <c>struct gpio_v2_line_event</c> (after a zero-timeout
/// <c>poll()</c>, so the control thread never blocks). Allocation-free; errors are results, never exceptions.
/// </summary>
public sealed class LinuxGpioLine : IGpioLine
{
    private int _fd;

    internal LinuxGpioLine(int fd, string name, GpioLineSettings settings)
    {
        _fd = fd;
        Name = name;
        Settings = settings;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public GpioLineSettings Settings { get; }

    /// <inheritdoc />
    public int LastErrno { get; private set; }

    /// <inheritdoc />
    public unsafe bool TryRead(out bool active)
    {
        active = false;
        if (_fd < 0)
        {
            return Fail(9);
        }

        var values = new GpioNative.LineValues { Mask = 1 };
        if (Libc.Ioctl(_fd, GpioNative.LineGetValuesIoctl, &values) < 0)
        {
            return Fail(Marshal.GetLastPInvokeError());
        }

        active = (values.Bits & 1) != 0;
        LastErrno = 0;
        return true;
    }

    /// <inheritdoc />
    public unsafe bool TryWrite(bool active)
    {
        if (_fd < 0 || Settings.Direction != GpioDirection.Output)
        {
            return Fail(_fd < 0 ? 9 : Errno.EPERM);
        }

        var values = new GpioNative.LineValues { Mask = 1, Bits = active ? 1UL : 0UL };
        if (Libc.Ioctl(_fd, GpioNative.LineSetValuesIoctl, &values) < 0)
        {
            return Fail(Marshal.GetLastPInvokeError());
        }

        LastErrno = 0;
        return true;
    }

    /// <inheritdoc />
    public bool TryReadEdge(out GpioEdgeEvent edge)
    {
        edge = default;
        return PollReadable(0) && ReadEvent(out edge);
    }

    /// <inheritdoc />
    public bool WaitForEdge(int timeoutMs) => PollReadable(timeoutMs);

    /// <summary>Releases the line (the kernel frees it when its descriptor closes).</summary>
    public void Dispose()
    {
        int fd = _fd;
        _fd = -1;
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
    }

    private unsafe bool PollReadable(int timeoutMs)
    {
        if (_fd < 0 || Settings.Edges == GpioEdgeDetection.None)
        {
            return false;
        }

        var p = new Libc.PollFd { Fd = _fd, Events = Libc.PollIn };
        int n = Libc.Poll(&p, 1, timeoutMs);
        if (n < 0)
        {
            return Fail(Marshal.GetLastPInvokeError());
        }

        return n > 0 && (p.REvents & Libc.PollIn) != 0;
    }

    private unsafe bool ReadEvent(out GpioEdgeEvent edge)
    {
        edge = default;
        GpioNative.LineEvent e;
        nint n = Libc.Read(_fd, &e, (nuint)sizeof(GpioNative.LineEvent));
        if (n < 0)
        {
            return Fail(Marshal.GetLastPInvokeError());
        }

        if (n != sizeof(GpioNative.LineEvent))
        {
            return Fail(Errno.EIO);
        }

        edge = new GpioEdgeEvent((long)e.TimestampNs, e.Id == GpioNative.EventRisingEdge, e.LineSeqno);
        LastErrno = 0;
        return true;
    }

    private bool Fail(int errno)
    {
        LastErrno = errno;
        return false;
    }
}
