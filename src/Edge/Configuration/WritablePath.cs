using Edge.Runtime.Files;

namespace Edge.Configuration;

/// <summary>
/// Checks, before anything starts, that a directory or file Edge will write (state, audit log, spool) can be written:
/// an existing directory by creating and deleting a probe file in it, a directory still to be created by probing its
/// nearest existing ancestor (nothing is created). Returns the problem in words with the fix, or null.
/// </summary>
internal static class WritablePath
{
    /// <summary>Why the directory <paramref name="directory"/> cannot be used for writing; null when it can.</summary>
    public static string? DirectoryProblem(string directory)
    {
        string full;
        try
        {
            full = Path.GetFullPath(directory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"is not a usable path: {e.Message}";
        }

        if (File.Exists(full))
        {
            return "is a file, not a directory: choose a directory path";
        }

        if (Directory.Exists(full))
        {
            return Probe(full) is { } p ? $"cannot be written: {p} — give the user running edge write access or choose another directory" : null;
        }

        string? ancestor = Path.GetDirectoryName(full);
        while (ancestor is not null && !Directory.Exists(ancestor))
        {
            if (File.Exists(ancestor))
            {
                return $"cannot be created: {ancestor} is a file — choose a path under a directory";
            }

            ancestor = Path.GetDirectoryName(ancestor);
        }

        if (ancestor is null)
        {
            return "cannot be created: no existing directory above it";
        }

        return Probe(ancestor) is { } problem
            ? $"cannot be created in {ancestor}: {problem} — create it with write access for the user running edge, or choose another directory"
            : null;
    }

    /// <summary>Why the file <paramref name="file"/> cannot be appended to or created; null when it can.</summary>
    public static string? FileProblem(string file)
    {
        string full;
        try
        {
            full = Path.GetFullPath(file);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"is not a usable path: {e.Message}";
        }

        if (Directory.Exists(full))
        {
            return "is a directory: name a file inside it";
        }

        // Something is there (a file, a device, a FIFO, a link): it must resolve to a regular file, as the store will
        // require when it opens it (OutputFile.ResolveStore) — refused here, before anything starts.
        if (OutputFile.KindOf(full) != FileKind.Missing && OutputFile.StoreProblem(full) is { } notAStore)
        {
            return notAStore;
        }

        if (File.Exists(full))
        {
            try
            {
                using var _ = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"cannot be written: {e.Message} — give the user running edge write access or choose another path";
            }
        }

        string parent = Path.GetDirectoryName(full) ?? "/";
        return DirectoryProblem(parent) is { } p ? $"cannot be created: its directory {parent} {p}" : null;
    }

    /// <summary>
    /// Why the file <paramref name="file"/> cannot be read; null when it can. Anything but a regular file (a FIFO, a
    /// device, a socket) is refused by <see cref="InputFile.Problem"/> before it is opened.
    /// </summary>
    public static string? ReadProblem(string file)
    {
        if (Directory.Exists(file))
        {
            return "is a directory: name the file inside it";
        }

        if (!Path.Exists(file))
        {
            return "the file does not exist";
        }

        if (InputFile.Problem(file) is { } problem)
        {
            return problem;
        }

        try
        {
            using var _ = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read: {e.Message} — give the user running edge read access (e.g. chmod 640 and its group)";
        }
    }

    private static string? Probe(string directory)
    {
        string probe = Path.Combine(directory, $".edge-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using var _ = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return "permission denied";
        }
        catch (IOException e)
        {
            return $"the file system refuses new files there (read-only or virtual: {e.Message})";
        }
    }
}
