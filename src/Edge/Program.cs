using Edge.Cli;

namespace Edge;

/// <summary>Entry point of the <c>edge</c> executable.</summary>
public static class Program
{
    /// <summary>Dispatches to the subcommand; Ctrl-C and SIGTERM cancel it cleanly.</summary>
    public static int Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM,
            ctx =>
            {
                ctx.Cancel = true;
                cts.Cancel();
            });
        var context = new CommandContext(Console.Out, Console.Error, !Console.IsErrorRedirected, cts.Token);
        return CommandRegistry.Run(args, context);
    }
}
