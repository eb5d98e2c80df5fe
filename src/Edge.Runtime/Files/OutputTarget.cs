namespace Edge.Runtime.Files;

/// <summary>Where a write to a path really lands, after following symbolic links.</summary>
/// <param name="Path">The final path (symbolic links followed), or the path given for an open descriptor.</param>
/// <param name="Kind">What is there now.</param>
/// <param name="Descriptor">An already open descriptor to write to (<c>-</c>, <c>/dev/stdout</c>, <c>/dev/fd/N</c>), else −1.</param>
public readonly record struct OutputTarget(string Path, FileKind Kind, int Descriptor)
{
    /// <summary>True when the target is replaced by write-then-rename (a regular file, or one that does not exist yet).</summary>
    public bool IsReplaced => Descriptor < 0 && Kind is FileKind.Missing or FileKind.Regular;
}
