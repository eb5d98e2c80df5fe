using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Edge.Runtime.Interop;

namespace Edge.Runtime.Files;

/// <summary>
/// The one policy for every file Edge writes (replay and bench outputs, state, flight-recorder dumps, the command audit,
/// the outbox spool, Sparkplug's bdSeq):
/// <list type="bullet">
/// <item>a regular file, or a path where nothing exists yet, is written to a temporary file beside it (created with
/// <c>O_EXCL</c>, so a planted link is never followed), flushed, then renamed over it — a reader never sees half a file,
/// and the file keeps its permission bits;</item>
/// <item>a character device (<c>/dev/null</c>, a tty), a FIFO or a Unix socket is written directly: never renamed over,
/// never truncated;</item>
/// <item><c>-</c>, <c>/dev/stdout</c>, <c>/dev/stderr</c>, <c>/dev/fd/N</c> and <c>/proc/self/fd/N</c> write to that
/// already open descriptor, sharing its offset with the shell;</item>
/// <item>a symbolic link is followed to its final target, which is what gets written (the link itself stays);</item>
/// <item>a directory, a block device or a missing directory is refused with an <see cref="OutputFileException"/> that says
/// why — before anything is written.</item>
/// </list>
/// Files that Edge reads back, appends to or rotates (stores) must resolve to a regular file: <see cref="ResolveStore"/>.
/// </summary>
public static class OutputFile
{
    /// <summary>The path that means standard output where a stream makes sense.</summary>
    public const string StandardOutput = "-";

    private const int MaxLinkHops = 40;
    private const int ModeTypeMask = 0xF000;

    /// <summary>
    /// What <paramref name="path"/> names: without following a final symbolic link (lstat) unless
    /// <paramref name="followLinks"/> (stat: the kind of the link's final target; a dangling link is <see cref="FileKind.Missing"/>).
    /// </summary>
    /// <exception cref="OutputFileException">The path cannot be examined (e.g. permission denied on a directory, a link loop).</exception>
    public static unsafe FileKind KindOf(string path, bool followLinks = false)
    {
        byte* buffer = stackalloc byte[Libc.StatxSize];
        if (Libc.Statx(Libc.AT_FDCWD, path, followLinks ? 0 : Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_TYPE | Libc.STATX_MODE, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            const int ENOTDIR = 20;
            if (errno is Libc.ENOENT or ENOTDIR)
            {
                return FileKind.Missing;
            }

            throw new OutputFileException($"cannot examine '{path}': {Libc.Describe(errno)}");
        }

        int mode = *(ushort*)(buffer + Libc.StatxModeOffset) & ModeTypeMask;
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0xA000 => FileKind.SymbolicLink,
            _ => throw new OutputFileException($"'{path}' is a file of unknown type (mode 0x{mode:x})"),
        };
    }

    /// <summary>
    /// The device and inode <paramref name="path"/> leads to, symbolic links followed (for <c>/dev/stdout</c> or
    /// <c>/dev/fd/N</c>, what that descriptor is open on); null when nothing is there or it cannot be examined.
    /// Two paths with the same identity are the same file, whatever their names (symbolic or hard links).
    /// </summary>
    public static unsafe FileIdentity? IdentityOf(string path)
    {
        byte* buffer = stackalloc byte[Libc.StatxSize];
        if (Libc.Statx(Libc.AT_FDCWD, path, 0, Libc.STATX_TYPE | Libc.STATX_INO, buffer) != 0)
        {
            return null;
        }

        int mode = *(ushort*)(buffer + Libc.StatxModeOffset) & ModeTypeMask;
        return new FileIdentity(
            *(uint*)(buffer + Libc.StatxDevMajorOffset),
            *(uint*)(buffer + Libc.StatxDevMajorOffset + 4),
            *(ulong*)(buffer + Libc.StatxInoOffset),
            mode == 0x8000);
    }

    /// <summary>Where a write to <paramref name="path"/> lands; refuses what the policy never writes.</summary>
    /// <param name="path">The path as the user gave it.</param>
    /// <param name="allowStandardOutput">Whether <c>-</c> (and open descriptors) are acceptable here.</param>
    /// <exception cref="OutputFileException">A directory, a block device, a missing directory, a link loop, or a stream
    /// where none is allowed.</exception>
    public static OutputTarget Resolve(string path, bool allowStandardOutput = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path == StandardOutput)
        {
            return allowStandardOutput
                ? new OutputTarget("-", FileKind.CharacterDevice, 1)
                : throw new OutputFileException("'-' (standard output) cannot be used here: this file is read back, give a file path");
        }

        string current = System.IO.Path.GetFullPath(path);
        for (int hop = 0; hop <= MaxLinkHops; hop++)
        {
            if (DescriptorOf(current) is int fd)
            {
                return allowStandardOutput
                    ? new OutputTarget(current, FileKind.CharacterDevice, fd)
                    : throw new OutputFileException($"'{path}' is an open stream (descriptor {fd}): this file is read back, give a file path");
            }

            FileKind kind = KindOf(current);
            switch (kind)
            {
                case FileKind.SymbolicLink:
                    FileSystemInfo? next = File.ResolveLinkTarget(current, returnFinalTarget: false);
                    current = next?.FullName ?? throw new OutputFileException($"cannot follow the link '{current}'");
                    continue;
                case FileKind.Directory:
                    throw new OutputFileException(current == System.IO.Path.GetFullPath(path)
                        ? $"'{path}' is a directory: give a file name"
                        : $"'{path}' leads to the directory '{current}': give a file name");
                case FileKind.BlockDevice:
                    throw new OutputFileException($"'{path}' is a block device ({current}): Edge never writes to a disk directly");
                case FileKind.Missing:
                    string? dir = System.IO.Path.GetDirectoryName(current);
                    if (dir is null || !Directory.Exists(dir))
                    {
                        throw new OutputFileException($"the directory '{dir}' of '{path}' does not exist");
                    }

                    return new OutputTarget(current, kind, -1);
                default:
                    return new OutputTarget(current, kind, -1);
            }
        }

        throw new OutputFileException($"'{path}' is a chain of more than {MaxLinkHops} symbolic links (a loop?)");
    }

    /// <summary>
    /// Checks, before any work is done, that <paramref name="path"/> can be written under the policy: returns the reason
    /// when it cannot, else null. Nothing at the path is changed (a FIFO is not opened: that would wait for a reader).
    /// </summary>
    public static string? Check(string path, bool allowStandardOutput = true)
    {
        try
        {
            OutputTarget target = Resolve(path, allowStandardOutput);
            if (target.IsReplaced)
            {
                using (CreateTemporary(target.Path, out string probe))
                {
                    File.Delete(probe);
                }

                if (target.Kind == FileKind.Regular)
                {
                    using var open = new FileStream(target.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
                }
            }
            else if (target.Kind == FileKind.CharacterDevice && target.Descriptor < 0)
            {
                using var open = new FileStream(target.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            }

            return null;
        }
        catch (OutputFileException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write '{path}': {e.Message}";
        }
    }

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> under the policy.</summary>
    /// <exception cref="OutputFileException">The path cannot be written (nothing was changed).</exception>
    public static void Write(string path, Action<Stream> write, bool allowStandardOutput = true)
    {
        ArgumentNullException.ThrowIfNull(write);
        OutputTarget target = Resolve(path, allowStandardOutput);
        try
        {
            if (target.Descriptor >= 0)
            {
                Console.Out.Flush();
                Console.Error.Flush();
                using var stream = new FileDescriptorStream(target.Descriptor);
                write(stream);
                return;
            }

            switch (target.Kind)
            {
                case FileKind.Missing or FileKind.Regular:
                    ReplaceAtomically(target.Path, write);
                    return;
                case FileKind.Socket:
                    using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
                    {
                        socket.Connect(new UnixDomainSocketEndPoint(target.Path));
                        using var stream = new NetworkStream(socket, ownsSocket: false);
                        write(stream);
                        socket.Shutdown(SocketShutdown.Send);
                    }

                    return;
                default:
                    // Character device or FIFO: written in place, opened without truncation or creation.
                    using (var stream = new FileStream(target.Path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, Share = FileShare.ReadWrite, BufferSize = 1 << 16 }))
                    {
                        write(stream);
                    }

                    return;
            }
        }
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException or SocketException) and not OutputFileException)
        {
            throw new OutputFileException($"cannot write '{path}': {e.Message}", e);
        }
    }

    /// <summary>Writes text (UTF-8, no byte-order mark) under the policy.</summary>
    public static void WriteText(string path, string text, bool allowStandardOutput = true) =>
        Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            w.Write(text);
        }, allowStandardOutput);

    /// <summary>
    /// For a file Edge reads back, appends to or rotates (state, audit, spool, bdSeq): creates its directory if needed,
    /// follows symbolic links and returns the final path, which is a regular file or does not exist yet.
    /// </summary>
    /// <exception cref="OutputFileException">The path resolves to anything but a regular file (a device, a FIFO, a
    /// directory, standard output).</exception>
    public static string ResolveStore(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        string? dir = System.IO.Path.GetDirectoryName(full);
        if (dir is not null && KindOf(dir) == FileKind.Missing)
        {
            Directory.CreateDirectory(dir);
        }

        OutputTarget target = Resolve(path, allowStandardOutput: false);
        return target.IsReplaced ? target.Path : throw new OutputFileException(NotAStore(path, target.Kind));
    }

    /// <summary>
    /// Why an existing <paramref name="path"/> cannot be a store (see <see cref="ResolveStore"/>) — a device, a FIFO, a
    /// directory, a link to one — or null. Changes nothing: for checking options before anything starts.
    /// </summary>
    public static string? StoreProblem(string path)
    {
        try
        {
            OutputTarget target = Resolve(path, allowStandardOutput: false);
            return target.IsReplaced ? null : NotAStore(path, target.Kind);
        }
        catch (OutputFileException e)
        {
            return e.Message;
        }
    }

    private static string NotAStore(string path, FileKind kind) =>
        $"'{path}' is a {Describe(kind)}: Edge reads this file back, so it must be a regular file (or not exist yet)";

    /// <summary>
    /// Replaces the regular file (or creates the file) at <paramref name="finalPath"/> — already resolved, see
    /// <see cref="Resolve"/> — by write-then-rename, keeping its permission bits.
    /// </summary>
    public static void ReplaceAtomically(string finalPath, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string temp;
        using (FileStream stream = CreateTemporary(finalPath, out temp))
        {
            try
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            catch
            {
                stream.Dispose();
                TryDelete(temp);
                throw;
            }
        }

        try
        {
            File.Move(temp, finalPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Creates a new, empty temporary file beside <paramref name="finalPath"/> with <c>O_EXCL</c> (a file or link already
    /// at that name is never opened) and the permission bits of the file it will replace, if there is one.
    /// </summary>
    public static FileStream CreateTemporary(string finalPath, out string tempPath)
    {
        string dir = System.IO.Path.GetDirectoryName(finalPath) ?? ".";
        string name = System.IO.Path.GetFileName(finalPath);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = KindOf(finalPath) == FileKind.Regular
                ? File.GetUnixFileMode(finalPath)
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        for (int attempt = 0; ; attempt++)
        {
            tempPath = System.IO.Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $".{name}.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp"));
            try
            {
                return new FileStream(tempPath, options);
            }
            catch (IOException) when (attempt < 8 && KindOf(tempPath) != FileKind.Missing)
            {
                // Name taken (by a planted file or link): try another.
            }
        }
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.CharacterDevice => "character device",
        FileKind.BlockDevice => "block device",
        FileKind.Fifo => "FIFO (named pipe)",
        FileKind.Socket => "socket",
        FileKind.Directory => "directory",
        _ => kind.ToString().ToLowerInvariant(),
    };

    // /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N, /proc/thread-self/fd/N, /proc/<our pid>/fd/N.
    private static int? DescriptorOf(string fullPath)
    {
        switch (fullPath)
        {
            case "/dev/stdout":
                return 1;
            case "/dev/stderr":
                return 2;
        }

        foreach (string prefix in new[] { "/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", $"/proc/{Environment.ProcessId}/fd/" })
        {
            if (fullPath.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(fullPath.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int fd))
            {
                return fd;
            }
        }

        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
