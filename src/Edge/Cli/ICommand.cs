namespace Edge.Cli;

/// <summary>One subcommand of the <c>edge</c> executable (e.g. <c>replay</c>, <c>bench loop</c>).</summary>
public interface ICommand
{
    /// <summary>The words that select the command, e.g. "replay" or "bench loop".</summary>
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>Full usage text (options and what they do).</summary>
    string Usage { get; }

    /// <summary>Options that take no value.</summary>
    IReadOnlySet<string> Switches { get; }

    /// <summary>
    /// Runs the command. Throw <see cref="UsageException"/> for errors the user can fix (exit 2); return an
    /// <see cref="ExitCodes"/> value otherwise.
    /// </summary>
    int Run(CommandArgs args, CommandContext context);
}
