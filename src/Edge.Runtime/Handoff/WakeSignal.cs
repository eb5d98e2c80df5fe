using System.Runtime.InteropServices;
using Edge.Runtime.Interop;

namespace Edge.Runtime.Handoff;

/// <summary>
/// Wakes a worker thread from the loop without a lock: a Linux <c>eventfd</c>. <see cref="Signal"/> is one
/// non-blocking <c>write</c> (allocation-free, never waits, safe on the loop thread); <see cref="Wait"/> blocks the
/// worker in <c>ppoll</c> until signalled or the timeout, then clears the count. Off Linux, <see cref="Wait"/> falls
/// back to polling a flag every millisecond. One signaller and one waiter.
/// </summary>
public sealed unsafe class WakeSignal : IDisposable
{
    private int _fd = -1;
    private int _flag;

    /// <summary>Creates the signal.</summary>
    public WakeSignal()
    {
        if (Libc.IsSupported)
        {
            _fd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        }
    }

    /// <summary>Wakes the waiter (or makes its next <see cref="Wait"/> return at once). Never blocks.</summary>
    public void Signal()
    {
        int fd = _fd;
        if (fd >= 0)
        {
            ulong one = 1;
            _ = Libc.Write(fd, &one, sizeof(ulong)); // EAGAIN only when the counter is saturated: already signalled
        }
        else
        {
            Volatile.Write(ref _flag, 1);
        }
    }

    /// <summary>Waits until signalled or <paramref name="timeoutNs"/> has passed. True when signalled.</summary>
    public bool Wait(long timeoutNs)
    {
        int fd = _fd;
        if (fd < 0)
        {
            long endMs = Environment.TickCount64 + Math.Max(1, timeoutNs / 1_000_000);
            while (Interlocked.Exchange(ref _flag, 0) == 0)
            {
                if (Environment.TickCount64 >= endMs)
                {
                    return false;
                }

                Thread.Sleep(1);
            }

            return true;
        }

        var pfd = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
        Libc.Timespec timeout = Libc.Timespec.FromNs(Math.Max(0, timeoutNs));
        int ready = Libc.PPoll(&pfd, 1, &timeout, null);
        if (ready <= 0)
        {
            return false;
        }

        ulong count;
        return Libc.Read(fd, &count, sizeof(ulong)) == sizeof(ulong) || Marshal.GetLastPInvokeError() != Libc.EAGAIN;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
