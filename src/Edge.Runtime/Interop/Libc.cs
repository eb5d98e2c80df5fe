using System.Runtime.InteropServices;

namespace Edge.Runtime.Interop;

/// <summary>
/// The few Linux libc calls the runtime needs, declared once. Every structure is blittable and every call is
/// source-generated (<see cref="LibraryImportAttribute"/>), so calling them on the loop thread allocates nothing.
/// errno is captured with <c>SetLastError = true</c> and read with <see cref="Marshal.GetLastPInvokeError"/>.
/// Only valid on Linux (64-bit glibc or musl: <c>time_t</c> and <c>long</c> are 64-bit; 32-bit ARM is handled by
/// <see cref="IsSupported"/> being false there, so the portable fallbacks are used).
/// </summary>
internal static unsafe partial class Libc
{
    private const string Name = "libc";

    public const int CLOCK_MONOTONIC = 1;
    public const int TIMER_ABSTIME = 1;
    public const int TFD_TIMER_ABSTIME = 1;
    public const int TFD_CLOEXEC = 0x80000; // == O_CLOEXEC
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;
    public const int SCHED_OTHER = 0;
    public const int SCHED_FIFO = 1;
    public const int MCL_CURRENT = 1;
    public const int MCL_FUTURE = 2;
    public const int MCL_ONFAULT = 4;
    public const int RLIMIT_MEMLOCK = 8;
    public const int RLIMIT_RTPRIO = 14;
    public const short POLLIN = 1;

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EINVAL = 22;

    /// <summary>True on 64-bit Linux, where the declarations below match the C ABI.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>struct timespec (64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;

        public static Timespec FromNs(long ns) => new() { Seconds = ns / 1_000_000_000L, Nanoseconds = ns % 1_000_000_000L };

        public readonly long ToNs() => Seconds * 1_000_000_000L + Nanoseconds;
    }

    /// <summary>struct itimerspec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Itimerspec
    {
        public Timespec Interval;
        public Timespec Value;
    }

    /// <summary>struct sched_param.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SchedParam
    {
        public int Priority;
    }

    /// <summary>struct rlimit.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Name, EntryPoint = "clock_gettime")]
    public static partial int ClockGetTime(int clockId, Timespec* time);

    [LibraryImport(Name, EntryPoint = "clock_nanosleep")]
    public static partial int ClockNanosleep(int clockId, int flags, Timespec* request, Timespec* remain);

    [LibraryImport(Name, EntryPoint = "timerfd_create", SetLastError = true)]
    public static partial int TimerFdCreate(int clockId, int flags);

    [LibraryImport(Name, EntryPoint = "timerfd_settime", SetLastError = true)]
    public static partial int TimerFdSetTime(int fd, int flags, Itimerspec* newValue, Itimerspec* oldValue);

    [LibraryImport(Name, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport(Name, EntryPoint = "ppoll", SetLastError = true)]
    public static partial int PPoll(PollFd* fds, ulong count, Timespec* timeout, void* sigmask);

    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Name, EntryPoint = "sched_setscheduler", SetLastError = true)]
    public static partial int SchedSetScheduler(int pid, int policy, SchedParam* param);

    [LibraryImport(Name, EntryPoint = "sched_getscheduler", SetLastError = true)]
    public static partial int SchedGetScheduler(int pid);

    [LibraryImport(Name, EntryPoint = "sched_setaffinity", SetLastError = true)]
    public static partial int SchedSetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport(Name, EntryPoint = "sched_getaffinity", SetLastError = true)]
    public static partial int SchedGetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport(Name, EntryPoint = "mlockall", SetLastError = true)]
    public static partial int MLockAll(int flags);

    [LibraryImport(Name, EntryPoint = "munlockall", SetLastError = true)]
    public static partial int MUnlockAll();

    [LibraryImport(Name, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, Rlimit* limit);

    [LibraryImport(Name, EntryPoint = "gettid")]
    public static partial int GetTid();

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_MODE = 0x2;
    public const uint STATX_INO = 0x100;

    /// <summary>Size of <c>struct statx</c> (the same on every Linux architecture).</summary>
    public const int StatxSize = 256;

    /// <summary>Offset of <c>__u16 stx_mode</c> in <c>struct statx</c>.</summary>
    public const int StatxModeOffset = 28;

    /// <summary>Offset of <c>__u64 stx_ino</c> in <c>struct statx</c>.</summary>
    public const int StatxInoOffset = 32;

    /// <summary>Offset of <c>__u32 stx_dev_major</c> in <c>struct statx</c> (<c>stx_dev_minor</c> follows it).</summary>
    public const int StatxDevMajorOffset = 136;

    /// <summary>statx(2): unlike stat(2), its structure has one layout on every architecture (x86-64, arm64, armhf).</summary>
    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Name, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    /// <summary>"EPERM (Operation not permitted)"-style text for an errno value (not for the hot path).</summary>
    public static string Describe(int errno)
    {
        string symbol = errno switch
        {
            EPERM => "EPERM",
            ENOENT => "ENOENT",
            EINTR => "EINTR",
            EAGAIN => "EAGAIN",
            ENOMEM => "ENOMEM",
            EACCES => "EACCES",
            EINVAL => "EINVAL",
            _ => $"errno {errno}",
        };
        string? text = IsSupported ? Marshal.PtrToStringUTF8(StrError(errno)) : null;
        return text is null ? symbol : $"{symbol} ({text})";
    }
}
