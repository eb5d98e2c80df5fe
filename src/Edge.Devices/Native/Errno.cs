namespace Edge.Devices.Native;

/// <summary>
/// errno values used by Edge (include/uapi/asm-generic/errno-base.h and errno.h; the same numbers on x86-64, arm64 and
/// 32-bit arm — MIPS, SPARC and Alpha differ and are not supported targets).
/// </summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EIO = 5;
    internal const int ENXIO = 6;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EACCES = 13;
    internal const int EBUSY = 16;
    internal const int ENODEV = 19;
    internal const int EINVAL = 22;
    internal const int ENOTTY = 25;
    internal const int EPROTO = 71;
    internal const int EBADMSG = 74;
    internal const int EOPNOTSUPP = 95;
    internal const int ETIMEDOUT = 110;
    internal const int EREMOTEIO = 121;

    /// <summary>A short name for an errno value ("ENXIO"), or "errno N".</summary>
    internal static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        EINTR => "EINTR",
        EIO => "EIO",
        ENXIO => "ENXIO",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EBUSY => "EBUSY",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        ENOTTY => "ENOTTY",
        EPROTO => "EPROTO",
        EBADMSG => "EBADMSG",
        EOPNOTSUPP => "EOPNOTSUPP",
        ETIMEDOUT => "ETIMEDOUT",
        EREMOTEIO => "EREMOTEIO",
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
