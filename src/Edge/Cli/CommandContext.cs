namespace Edge.Cli;

/// <summary>What a command may use of its environment: output streams and the cancellation of Ctrl-C / SIGTERM.</summary>
/// <param name="Out">Standard output (results, tables).</param>
/// <param name="Error">Standard error (progress, warnings, errors).</param>
/// <param name="ErrorIsTerminal">True when <paramref name="Error"/> is an interactive terminal (progress may redraw in place).</param>
/// <param name="Cancellation">Signalled on Ctrl-C or SIGTERM.</param>
public sealed record CommandContext(TextWriter Out, TextWriter Error, bool ErrorIsTerminal, CancellationToken Cancellation)
{
    /// <summary>The stop requests (Ctrl-C, SIGTERM) behind <see cref="Cancellation"/>: a second one asks to stop at once.</summary>
    public StopRequests Stops { get; init; } = new();
}
