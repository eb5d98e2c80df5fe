namespace Edge.Cli;

/// <summary>
/// A command-line, configuration or input error the user can fix: printed without a stack trace, exit code 2.
/// </summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception with the message shown to the user.</summary>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message shown to the user and the underlying cause.</summary>
    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public UsageException()
    {
    }
}
