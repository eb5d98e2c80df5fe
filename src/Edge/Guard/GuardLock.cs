using System.Runtime.InteropServices;

namespace Edge.Guard;

/// <summary>
/// <c>{StateDirectory}/guard.lock</c>: exactly one guard per state directory — an exclusive <c>flock</c> (.NET's
/// <see cref="FileShare.None"/>), released by the kernel when the process dies, even by SIGKILL. Only a lock another
/// process holds means "another guard runs"; a lock file that cannot be created or opened (a read-only or full
/// filesystem, no permission, a state directory under a file) is reported as what it is.
/// </summary>
internal static class GuardLock
{
    /// <summary>The lock file's name inside the state directory.</summary>
    public const string FileName = "guard.lock";

    /// <summary>EWOULDBLOCK (= EAGAIN on Linux): what flock(LOCK_EX | LOCK_NB) fails with when another process holds
    /// the lock; .NET carries the errno in the IOException's HResult.</summary>
    private const int EWouldBlock = 11;

    private const int ENoSpc = 28;
    private const int ERoFs = 30;

    /// <summary>
    /// Creates the state directory and takes the lock. Null when it cannot: <paramref name="heldByAnother"/> when
    /// another process holds it, else <paramref name="problem"/> says why, naming the path.
    /// </summary>
    public static FileStream? TryTake(string stateDirectory, out bool heldByAnother, out string problem)
    {
        string path = Path.Combine(stateDirectory, FileName);
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
            problem = $"cannot create or lock {path}: {Cause(e, stateDirectory)}";
            return null;
        }
    }

    /// <summary>The reason in words, with what to do about it.</summary>
    private static string Cause(Exception e, string stateDirectory)
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
                        return $"{at} is a file, not a directory — choose a --state-directory under a directory";
                    }

                    at = Path.GetDirectoryName(at);
                }

                return e.Message;
            case UnauthorizedAccessException:
                return $"permission denied — give the user running edge guard write access to {stateDirectory} (the daemon's user: kill(2) needs it)";
            case IOException when e.HResult is > 0 and < 4096:
                string text = $"{Marshal.GetPInvokeErrorMessage(e.HResult)} (errno {e.HResult})";
                return e.HResult switch
                {
                    ERoFs => text + " — the state filesystem is mounted read-only: remount it read-write or use another --state-directory",
                    ENoSpc => text + " — free space (or inodes) on that filesystem, or use another --state-directory",
                    _ => text,
                };
            default:
                return e.Message;
        }
    }
}
