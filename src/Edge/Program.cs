using System.Diagnostics;
using Edge.Cli;

namespace Edge;

/// <summary>Entry point of the <c>edge</c> executable.</summary>
public static class Program
{
    /// <summary>When <see cref="Main"/> began (Stopwatch ticks; 0 when edge runs in another host, e.g. tests).</summary>
    internal static long MainStartedTs { get; private set; }

    /// <summary>Dispatches to the subcommand; the first Ctrl-C or SIGTERM cancels it cleanly, later ones go to <see cref="StopRequests.Repeated"/>.</summary>
    public static int Main(string[] args)
    {
        MainStartedTs = Stopwatch.GetTimestamp();
        using var cts = new CancellationTokenSource();
        var stops = new StopRequests(cts);
        // SIGINT through a POSIX registration, not Console.CancelKeyPress: .NET raises that event for SIGQUIT too
        // (ConsoleSpecialKey.ControlBreak), and SIGQUIT must only write the flight recorder (edge run), never stop.
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT,
            ctx =>
            {
                ctx.Cancel = true;
                stops.Interrupt();
            });
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM,
            ctx =>
            {
                ctx.Cancel = true;
                stops.Request("SIGTERM");
            });
        var context = new CommandContext(Console.Out, Console.Error, !Console.IsErrorRedirected, cts.Token) { Stops = stops };
        return CommandRegistry.Run(args, context);
    }
}
