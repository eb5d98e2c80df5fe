namespace Edge.Replay;

/// <summary>A trace file that cannot be read: the message names the file, line and column.</summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/> at a 1-based line and column.</summary>
    public TraceFormatException(string path, int line, int column, string columnName, string problem)
        : base(column > 0
            ? $"{path}:{line}:{column}: column {column} ('{columnName}'): {problem}"
            : $"{path}:{line}: {problem}")
    {
        Path = path;
        Line = line;
        Column = column;
    }

    /// <summary>Creates the exception with a message.</summary>
    public TraceFormatException(string message)
        : base(message)
    {
        Path = string.Empty;
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public TraceFormatException(string message, Exception inner)
        : base(message, inner)
    {
        Path = string.Empty;
    }

    /// <summary>Creates the exception with no message.</summary>
    public TraceFormatException()
    {
        Path = string.Empty;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>1-based line number (0 when not tied to a line).</summary>
    public int Line { get; }

    /// <summary>1-based column (field) number (0 when not tied to a column).</summary>
    public int Column { get; }
}
