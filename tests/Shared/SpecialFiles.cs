using System.Diagnostics;

namespace Edge.Tests.Shared;

/// <summary>
/// Special files made in a test's own temporary directory — never the machine's — and the kind of file at a path as
/// coreutils' <c>stat</c> reports it (an independent check, not Edge's own <c>statx</c> code). A character device is a
/// copy of /dev/null's node (<c>mknod c 1 3</c>) when the tests run as root (as in CI); otherwise a FIFO stands in.
/// </summary>
internal static class SpecialFiles
{
    public const string CharacterDeviceType = "character special file";
    public const string FifoType = "fifo";
    public const string SymlinkType = "symbolic link";
    public const string RegularType = "regular file";
    public const string RegularEmptyType = "regular empty file";

    public static bool IsRoot { get; } = Run("id", "-u").Trim() == "0";

    /// <summary>A character device equivalent to /dev/null at DIR/null (root), else a FIFO at DIR/null.</summary>
    public static string NullDevice(string dir)
    {
        string path = Path.Combine(dir, "null");
        if (IsRoot)
        {
            Run("mknod", path, "c", "1", "3");
            Run("chmod", "666", path);
        }
        else
        {
            Run("mkfifo", path);
        }

        return path;
    }

    public static string Fifo(string dir, string name = "fifo")
    {
        string path = Path.Combine(dir, name);
        Run("mkfifo", path);
        return path;
    }

    /// <summary>What is at <paramref name="path"/> (not following a final link): "character special file", "fifo", ….</summary>
    public static string TypeOf(string path) => Run("stat", "-c", "%F", path).Trim();

    /// <summary>
    /// Reads a FIFO to its end on a thread of its own (opening it blocks until a writer comes). If no writer comes,
    /// <see cref="FifoReader.Finish"/> unblocks it and reports what arrived (nothing).
    /// </summary>
    public static FifoReader ReadFifo(string path) => new(path);

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {error}");
        }

        return output;
    }

    internal sealed class FifoReader
    {
        private readonly string _path;
        private readonly Task<byte[]> _read;

        public FifoReader(string path)
        {
            _path = path;
            _read = Task.Factory.StartNew(() => File.ReadAllBytes(path), TaskCreationOptions.LongRunning);
        }

        /// <summary>What a reader of the FIFO received, once the writer closed it (waits up to <paramref name="timeout"/>).</summary>
        public byte[] Finish(TimeSpan timeout)
        {
            if (!_read.Wait(timeout))
            {
                // Nobody wrote: open and close the write end so the reader sees end-of-file, then report nothing.
                using (new FileStream(_path, FileMode.Open, FileAccess.Write))
                {
                }

                _read.Wait(TimeSpan.FromSeconds(10));
                return [];
            }

            return _read.Result;
        }
    }
}
