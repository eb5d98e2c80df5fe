using Edge.Cli;
using Edge.Daemon;

namespace Edge.Guard;

/// <summary>
/// <c>edge guard</c>: the fail-safe beside the daemon (docs/guard.md, deploy/edge-guard.service). Watches the daemon's
/// heartbeat on the ownership board in the state directory; when it stops, fences the daemon and ramps the inverters
/// to 0 W at the ramp limit before their own revert timeout could make a step.
/// </summary>
public sealed class GuardCommand : ICommand
{
    /// <summary>The guard's lock file in its state directory (one guard per directory).</summary>
    public const string LockFileName = "guard.lock";

    /// <inheritdoc />
    public string Name => "guard";

    /// <inheritdoc />
    public string Summary => "Run the guard: takes the inverters over and ramps them out when the daemon dies or hangs.";

    /// <inheritdoc />
    public string Usage => """
        edge guard [--state-directory DIR] [--timeout-ms 500] [--hold-s 30] [--startup-timeout-s 30] [--tick-ms 20]

        A minimal process with its own Modbus connections (no MQTT) beside `edge run`. It reads the inverters the
        daemon drives from DIR/guard-devices.json and watches the daemon's heartbeat on DIR/guard.board (a shared
        memory page). When the heartbeat stops for --timeout-ms (kill -9, a hang or SIGSTOP, a watchdog kill, a crash)
        it SIGKILLs the daemon, takes the inverters (a new owner epoch fences any daemon write) and ramps them together
        to 0 W at the daemon's ramp limit. On a planned stop the daemon hands over: the guard holds the power for
        --hold-s, then ramps out, unless a new daemon takes the inverters back first (bumpless). Exactly one guard per
        state directory (DIR/guard.lock).

          --state-directory DIR  The daemon's Edge:StateDirectory (default edge-state).
          --timeout-ms MS        Heartbeat timeout, 50–1500 ms (default 500); keep it well under the inverters' revert time.
          --hold-s S             Hold after a planned handover before ramping out, 0–3600 s (default 30).
          --startup-timeout-s S  A starting daemon that never beats within S is taken over (default 30).
          --tick-ms MS           Check and write period, 5–100 ms (default 20).
        """;

    /// <inheritdoc />
    public IReadOnlySet<string> Switches { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <inheritdoc />
    public int Run(CommandArgs args, CommandContext context)
    {
        var options = new GuardOptions
        {
            StateDirectory = args.String("state-directory") ?? "edge-state",
            TimeoutMs = (int)(args.Long("timeout-ms", 50, 1500) ?? 500),
            HoldS = args.Double("hold-s", 0, 3600) ?? 30,
            StartupTimeoutMs = (int)((args.Double("startup-timeout-s", 1, 600) ?? 30) * 1000),
            TickMs = (int)(args.Long("tick-ms", 5, 100) ?? 20),
        };
        args.ThrowOnUnused();
        if (options.TickMs * 2 > options.TimeoutMs)
        {
            throw new UsageException($"Option --timeout-ms {options.TimeoutMs}: must be at least two ticks (--tick-ms {options.TickMs}).");
        }

        FileStream? exclusive = StateLock.TryTake(options.StateDirectory, LockFileName, "--state-directory", out bool held, out string problem);
        if (exclusive is null)
        {
            // Held by another process: another guard. Anything else (a read-only or full state filesystem, no
            // permission, a state directory under a file) is said as it is; exit 1 either way, as every reason the
            // guard cannot start (the unit restarts it, and each attempt says why again).
            context.Error.WriteLine(held
                ? $"edge guard: another guard runs on {options.StateDirectory} (it holds {Path.Combine(options.StateDirectory, LockFileName)})"
                : $"edge guard: cannot start: {problem}");
            return ExitCodes.Failed;
        }

        using (exclusive)
        {
            Guardian guardian;
            try
            {
                guardian = new Guardian(options, context.Out);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                // A full state filesystem, a read-only one, a file that is not a board: said, and a non-zero exit (the
                // unit restarts the guard; each attempt says why again) — never a crash.
                context.Error.WriteLine($"edge guard: cannot start: {e.Message}");
                return ExitCodes.Failed;
            }

            using (guardian)
            {
                var thread = new Thread(() => guardian.Run(context.Cancellation)) { Name = "guard", Priority = ThreadPriority.Highest };
                thread.Start();
                thread.Join();
            }
        }

        return ExitCodes.Ok;
    }
}
