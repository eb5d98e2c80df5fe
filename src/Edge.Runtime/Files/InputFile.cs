namespace Edge.Runtime.Files;

/// <summary>
/// The one policy for every file a user hands Edge to read (configuration, rig files, device maps, traces,
/// announcement files, password files): it must resolve — through any symbolic links — to a regular file. A FIFO
/// is refused <em>before</em> it is opened (opening one waits for a writer, and no signal but SIGKILL ends that wait), as
/// are sockets, devices (<c>/dev/zero</c>, <c>/dev/stdin</c> on a pipe) and directories; a file is read only up to a
/// stated size, so an endless or huge one costs nothing.
/// </summary>
public static class InputFile
{
    /// <summary>
    /// Why <paramref name="path"/> cannot be read as an input file, as a phrase that follows the quoted path (e.g.
    /// "is a named pipe (FIFO), not a regular file: …"); null when it is a regular file (or a link to one).
    /// Never opens the path.
    /// </summary>
    public static string? Problem(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileKind kind;
        try
        {
            kind = OutputFile.KindOf(path, followLinks: true);
        }
        catch (OutputFileException e)
        {
            return $"cannot be examined: {e.Message}";
        }

        const string Regular = "Edge reads its inputs only from regular files";
        return kind switch
        {
            FileKind.Regular => null,
            FileKind.Missing => OutputFile.KindOf(path) == FileKind.SymbolicLink
                ? "is a symbolic link to nothing (its target does not exist)"
                : "does not exist",
            FileKind.Directory => "is a directory, not a file",
            FileKind.Fifo => $"is a named pipe (FIFO), not a regular file: {Regular} (opening a pipe waits for a writer)",
            FileKind.Socket => $"is a socket, not a regular file: {Regular}",
            FileKind.CharacterDevice or FileKind.BlockDevice => $"is a device, not a regular file: {Regular}",
            _ => $"is not a regular file: {Regular}",
        };
    }

    /// <summary>
    /// Reads the whole of <paramref name="path"/> — which <see cref="Problem"/> must have accepted — when it holds at
    /// most <paramref name="maxBytes"/>; false (having read at most <paramref name="maxBytes"/> + 1 bytes) when it holds
    /// more.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static bool TryReadBounded(string path, int maxBytes, out byte[] bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        byte[] buffer = new byte[(int)Math.Min((long)maxBytes + 1, 64 * 1024)];
        using var memory = new MemoryStream();
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            memory.Write(buffer, 0, n);
            if (memory.Length > maxBytes)
            {
                bytes = [];
                return false;
            }
        }

        bytes = memory.ToArray();
        return true;
    }

    /// <summary>
    /// The text of an input file's bytes: strict UTF-8, a leading byte-order mark (as Windows editors write) skipped.
    /// </summary>
    /// <exception cref="System.Text.DecoderFallbackException">The bytes are not UTF-8.</exception>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes) => StrictUtf8.GetString(WithoutByteOrderMark(bytes));

    /// <summary><paramref name="bytes"/> without a leading UTF-8 byte-order mark (as Windows editors write one), if any.</summary>
    public static ReadOnlySpan<byte> WithoutByteOrderMark(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(false, true);
}
