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
