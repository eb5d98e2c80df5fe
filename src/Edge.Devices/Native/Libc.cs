using System.Runtime.InteropServices;

namespace Edge.Devices.Native;

/// <summary>
/// The few libc calls Edge needs for Linux character devices. Every call is blittable (no marshalling, no allocation)
/// except <see cref="Open"/>, whose path string is marshalled once at open time. errno is read with
/// <see cref="Marshal.GetLastPInvokeError"/> right after the call.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    // fcntl.h (asm-generic, used by x86-64, arm64 and arm): O_RDONLY 0, O_RDWR 2, O_NONBLOCK 04000, O_CLOEXEC 02000000.
    internal const int ORdOnly = 0;
    internal const int ORdWr = 2;
    internal const int ONonBlock = 0x800;
    internal const int OCloExec = 0x80000;

    // poll.h: POLLIN 0x001, POLLERR 0x008, POLLHUP 0x010, POLLNVAL 0x020.
    internal const short PollIn = 0x001;
    internal const short PollErr = 0x008;
    internal const short PollHup = 0x010;
    internal const short PollNval = 0x020;

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, void* buffer, nuint count);

    /// <summary>ioctl with a pointer argument (struct in/out).</summary>
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, void* argument);

    /// <summary>ioctl with an integer argument (e.g. I2C_SLAVE takes the address as unsigned long).</summary>
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, nuint argument);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>struct pollfd { int fd; short events; short revents; } — 8 bytes on every Linux ABI.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }
}
