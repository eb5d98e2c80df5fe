using System.Runtime.InteropServices;

namespace Edge.Daemon;

/// <summary>
/// A lock file in a state directory — <c>edge.lock</c> (one <c>edge run</c>), <c>guard.lock</c> (one guard): an
/// exclusive <c>flock</c> (.NET's <see cref="FileShare.None"/>), released by the kernel when the process dies, even by
/// SIGKILL. Only a lock another process holds means "another one runs"; a lock file that cannot be created or opened
/// (a read-only or full filesystem, no permission, a state directory under a file) is reported as what it is.
/// </summary>
internal static class StateLock
{

    /// <summary>EWOULDBLOCK (= EAGAIN on Linux): what flock(LOCK_EX | LOCK_NB) fails with when another process holds
    /// the lock; .NET carries the errno in the IOException's HResult.</summary>
    private const int EWouldBlock = 11;

    private const int ENoSpc = 28;
    private const int ERoFs = 30;

    /// <summary>
    /// Creates the state directory and takes the lock <paramref name="fileName"/> in it. Null when it cannot:
    /// <paramref name="heldByAnother"/> when another process holds it, else <paramref name="problem"/> says why, naming
    /// the path and what to do (<paramref name="directoryOption"/>: the option that names the directory).
    /// </summary>
    public static FileStream? TryTake(string stateDirectory, string fileName, string directoryOption, out bool heldByAnother, out string problem)
    {
        string path = Path.Combine(stateDirectory, fileName);
        heldByAnother = false;
        problem = "";
        try
        {
            Directory.CreateDirectory(stateDirectory);
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult == EWouldBlock)
        {
            heldByAnother = true;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot create or lock {path}: {Cause(e, stateDirectory, directoryOption)}";
            return null;
        }
    }

    /// <summary>The reason in words, with what to do about it.</summary>
    private static string Cause(Exception e, string stateDirectory, string directoryOption)
    {
        switch (e)
        {
            case DirectoryNotFoundException:
                // ENOENT or ENOTDIR on the way: name the part of the path that is a file.
                string? at = Path.GetFullPath(stateDirectory);
                while (at is not null && !Directory.Exists(at))
                {
                    if (File.Exists(at))
                    {
                        return $"{at} is a file, not a directory — choose a {directoryOption} under a directory";
                    }

                    at = Path.GetDirectoryName(at);
                }

                return e.Message;
            case UnauthorizedAccessException:
                return $"permission denied — give the user running edge write access to {stateDirectory}";
            case IOException when e.HResult is > 0 and < 4096:
                string text = $"{Marshal.GetPInvokeErrorMessage(e.HResult)} (errno {e.HResult})";
                return e.HResult switch
                {
                    ERoFs => text + $" — the state filesystem is mounted read-only: remount it read-write or use another {directoryOption}",
                    ENoSpc => text + $" — free space (or inodes) on that filesystem, or use another {directoryOption}",
                    _ => text,
                };
            default:
                return e.Message;
        }
    }
}
