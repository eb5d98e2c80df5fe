namespace Edge.Cli;

/// <summary>
/// The list of subcommands and the dispatcher. Each command lives in its own file under <c>Commands/</c>; adding one
/// is one line in <see cref="All"/>.
/// </summary>
public static class CommandRegistry
{
    /// <summary>Every subcommand, in the order help lists them.</summary>
    public static IReadOnlyList<ICommand> All { get; } =
    [
        new Commands.RunCommand(),
        new Commands.CheckCommand(),
        new Commands.ReplayCommand(),
        new Commands.SimInverterCommand(),
        new Guard.GuardCommand(),
        new Commands.AgentCommand(),
        new Commands.FlexAgentCommand(),
        new Commands.BenchLoopCommand(),
        new Commands.BenchMqttCommand(),
    ];

    /// <summary>Finds the command selected by the leading words of <paramref name="args"/> (longest match wins).</summary>
    public static (ICommand? Command, int WordsUsed) Find(IReadOnlyList<string> args)
    {
        ICommand? best = null;
        int bestWords = 0;
        foreach (ICommand c in All)
        {
            string[] words = c.Name.Split(' ');
            if (words.Length > args.Count || words.Length <= bestWords)
            {
                continue;
            }

            bool match = true;
            for (int i = 0; i < words.Length && match; i++)
            {
                match = string.Equals(words[i], args[i], StringComparison.Ordinal);
            }

            if (match)
            {
                best = c;
                bestWords = words.Length;
            }
        }

        return (best, bestWords);
    }

    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, CommandContext context)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintHelp(context.Out);
            return args.Count == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }

        (ICommand? command, int used) = Find(args);
        if (command is null)
        {
            context.Error.WriteLine($"edge: unknown command '{string.Join(' ', args.Take(2))}'. Run 'edge --help' for the list.");
            return ExitCodes.Usage;
        }

        var rest = args.Skip(used).ToList();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            context.Out.WriteLine(command.Usage);
            return ExitCodes.Ok;
        }

        try
        {
            var parsed = new CommandArgs(rest, command.Switches);
            return command.Run(parsed, context);
        }
        catch (UsageException e)
        {
            context.Error.WriteLine($"edge {command.Name}: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
        {
            context.Error.WriteLine($"edge {command.Name}: cancelled.");
            return ExitCodes.Failed;
        }
    }

    private static void PrintHelp(TextWriter o)
    {
        o.WriteLine("edge — smooths the grid power of AI GPU clusters with batteries, in a fixed-period control loop.");
        o.WriteLine();
        o.WriteLine("Commands:");
        foreach (ICommand c in All)
        {
            o.WriteLine($"  {c.Name,-16} {c.Summary}");
        }

        o.WriteLine();
        o.WriteLine("Run 'edge <command> --help' for a command's options.");
    }
}
