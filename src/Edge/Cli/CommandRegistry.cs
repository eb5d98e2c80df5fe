using Edge.Core;

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
            return NotACommand(args, context);
        }

        return Dispatch(command, args.Skip(used).ToList(), context);
    }

    /// <summary>Runs <paramref name="command"/> with the words after its name; returns the process exit code.</summary>
    internal static int Dispatch(ICommand command, IReadOnlyList<string> rest, CommandContext context)
    {
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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failure the command did not foresee is a bug, not bad input: one line (no stack trace) and exit 1.
            // The type names the failure for a bug report; input errors are UsageExceptions (exit 2) above.
            context.Error.WriteLine($"edge {command.Name}: internal error: {OneLine(e.Message)} ({e.GetType().Name})");
            return ExitCodes.Failed;
        }
    }

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// The leading words of <paramref name="args"/> name no command: a group alone or with <c>--help</c> lists its
    /// commands (exit 0 for <c>--help</c>); otherwise the unknown word(s) — never the options after them — are quoted,
    /// with the closest command when one is near.
    /// </summary>
    private static int NotACommand(IReadOnlyList<string> args, CommandContext context)
    {
        string first = args[0];
        if (first.StartsWith('-'))
        {
            context.Error.WriteLine($"edge: '{first}' is an option, not a command: the command comes first (e.g. edge run --rig sim). Run 'edge --help' for the list.");
            return ExitCodes.Usage;
        }

        ICommand[] group = All.Where(c => c.Name.StartsWith(first + " ", StringComparison.Ordinal)).ToArray();
        if (group.Length > 0)
        {
            string? next = args.Count > 1 ? args[1] : null;
            bool help = next is "-h" or "--help";
            if (next is null || next.StartsWith('-'))
            {
                TextWriter o = help ? context.Out : context.Error;
                if (!help)
                {
                    o.WriteLine(next is null ? $"edge {first}: which one?" : $"edge {first}: a command comes before options such as '{next}'.");
                }

                o.WriteLine($"'edge {first}' is a group of commands:");
                foreach (ICommand c in group)
                {
                    o.WriteLine($"  {c.Name,-16} {c.Summary}");
                }

                o.WriteLine($"Run 'edge {first} <command> --help' for a command's options.");
                return help ? ExitCodes.Ok : ExitCodes.Usage;
            }

            string? closeSub = Spelling.Closest(next, group.Select(c => c.Name[(first.Length + 1)..]));
            context.Error.WriteLine($"edge: unknown command '{first} {next}'.{(closeSub is null ? "" : $" Did you mean '{first} {closeSub}'?")} Run 'edge {first} --help' for the list.");
            return ExitCodes.Usage;
        }

        string? close = Spelling.Closest(first, All.Select(c => c.Name.Split(' ')[0]).Distinct());
        context.Error.WriteLine($"edge: unknown command '{first}'.{(close is null ? "" : $" Did you mean '{close}'?")} Run 'edge --help' for the list.");
        return ExitCodes.Usage;
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
