using Edge.Runtime.Files;

namespace Edge.Cli;

/// <summary>
/// A command-line option that names a file to write (<c>--json</c>, <c>--series</c>, <c>--plot</c>, …), written under
/// <see cref="OutputFile"/>'s policy. Every refusal — up front or while writing — is a <see cref="UsageException"/>
/// (exit 2) naming the option.
/// </summary>
public static class OutputOption
{
    /// <summary>Refuses, before any work is done, a path that cannot be written.</summary>
    public static void Check(string flag, string? path)
    {
        if (path is not null && OutputFile.Check(path) is { } why)
        {
            throw new UsageException($"--{flag}: {why}.");
        }
    }

    /// <summary>
    /// Refuses, before any work is done, an output that would land on one of the command's input files (it would be
    /// destroyed) or on another output (one would overwrite, or be mixed into, the other). The same file is the same
    /// full path after following symbolic links or, for a file that exists, the same device and inode — so symbolic
    /// and hard links count; <c>-</c>, <c>/dev/stdout</c> and <c>/dev/fd/1</c> are one stream. <c>/dev/null</c>
    /// may take any number of outputs (nothing is written).
    /// </summary>
    /// <param name="inputs">The options naming files the command reads (absent ones null).</param>
    /// <param name="outputs">The options naming files the command writes (absent ones null).</param>
    public static void CheckDistinct(IEnumerable<(string Flag, string? Path)> inputs, IEnumerable<(string Flag, string? Path)> outputs)
    {
        FileIdentity? nowhere = OutputFile.IdentityOf("/dev/null");
        // Each input resolved once: its full path and, for a regular file, its identity.
        var read = inputs.Where(i => i.Path is not null)
            .Select(i => (i.Flag, Path: i.Path!, FullPath: FullPath(i.Path!), Identity: OutputFile.IdentityOf(i.Path!)))
            .ToList();
        var seen = new List<(string Flag, string Path, Landing Where)>();
        foreach ((string flag, string? path) in outputs)
        {
            if (path is null || LandingOf(path) is not { } where || (where.Identity is { } id && id == nowhere))
            {
                continue;
            }

            foreach ((string inFlag, string inPath, string? inFullPath, FileIdentity? inId) in read)
            {
                bool same = where.Descriptor < 0 && string.Equals(where.FullPath, inFullPath, StringComparison.Ordinal)
                            || inId is { IsRegular: true } && inId == where.Identity;
                if (same)
                {
                    throw new UsageException($"--{flag}: '{path}' is the same file as --{inFlag} '{inPath}': writing it would destroy the input; give --{flag} another path.");
                }
            }

            foreach ((string otherFlag, string otherPath, Landing other) in seen)
            {
                if (where.Descriptor >= 0 && where.Descriptor == other.Descriptor
                    || where.Descriptor < 0 && other.Descriptor < 0 && string.Equals(where.FullPath, other.FullPath, StringComparison.Ordinal)
                    || where.Identity is not null && where.Identity == other.Identity)
                {
                    throw new UsageException(where.Descriptor == 1 && other.Descriptor == 1
                        ? $"--{otherFlag} '{otherPath}' and --{flag} '{path}' both write standard output, where the two would be mixed; give one of them a file."
                        : $"--{otherFlag} '{otherPath}' and --{flag} '{path}' are the same file: one would overwrite or be mixed into the other; give each its own path.");
                }
            }

            seen.Add((flag, path, where));
        }
    }

    /// <summary>Where an output lands: its final full path or open descriptor, and the file there when one exists.</summary>
    private readonly record struct Landing(string FullPath, int Descriptor, FileIdentity? Identity);

    private static Landing? LandingOf(string path)
    {
        try
        {
            OutputTarget target = OutputFile.Resolve(path);
            return target.Descriptor >= 0
                ? new Landing(target.Path, target.Descriptor, OutputFile.IdentityOf($"/proc/self/fd/{target.Descriptor}"))
                : new Landing(target.Path, -1, OutputFile.IdentityOf(target.Path));
        }
        catch (OutputFileException)
        {
            return null; // refused paths are reported by Check
        }
    }

    private static string? FullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when one of <paramref name="paths"/> is standard output (<c>-</c>, <c>/dev/stdout</c>): the command then
    /// prints its human-readable table to standard error so that standard output carries only that file.
    /// </summary>
    public static bool TakesStandardOutput(params string?[] paths)
    {
        foreach (string? path in paths)
        {
            try
            {
                if (path is not null && OutputFile.Resolve(path).Descriptor == 1)
                {
                    return true;
                }
            }
            catch (OutputFileException)
            {
                // Refused paths are reported by Check.
            }
        }

        return false;
    }

    /// <summary>How a message names where the option's file went: "standard output" for <c>-</c> or /dev/stdout, else the path.</summary>
    public static string Describe(string path) => TakesStandardOutput(path) ? "standard output" : path;

    /// <summary>Writes the option's file.</summary>
    public static void Write(string flag, string path, Action<Stream> write)
    {
        try
        {
            OutputFile.Write(path, write);
        }
        catch (OutputFileException e)
        {
            throw new UsageException($"--{flag}: {e.Message}.");
        }
    }
}
