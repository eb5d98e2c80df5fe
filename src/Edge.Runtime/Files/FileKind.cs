namespace Edge.Runtime.Files;

/// <summary>What a path names, as <c>lstat</c> would say (symbolic links are not followed).</summary>
public enum FileKind
{
    /// <summary>Nothing exists at the path.</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A character device (<c>/dev/null</c>, a tty, a serial port).</summary>
    CharacterDevice,

    /// <summary>A block device (a disk or partition).</summary>
    BlockDevice,

    /// <summary>A named pipe (FIFO).</summary>
    Fifo,

    /// <summary>A Unix-domain socket.</summary>
    Socket,

    /// <summary>A symbolic link (only seen when links are not followed).</summary>
    SymbolicLink,
}
