namespace Edge.Cli;

/// <summary>
/// Ctrl-C and SIGTERM as a command sees them: the first request cancels the command's token (a clean stop — for
/// <c>edge run</c> the ramp-down); every later one raises <see cref="Repeated"/>, which a command with a long clean
/// stop uses to stop at once. Thread-safe; the signal handlers call <see cref="Request"/>.
/// </summary>
public sealed class StopRequests
{
    private readonly CancellationTokenSource? _cancel;
    private int _count;

    /// <summary>Creates the requests; the first one cancels <paramref name="cancel"/> (none: tests).</summary>
    public StopRequests(CancellationTokenSource? cancel = null) => _cancel = cancel;

    /// <summary>Raised on the second and every later request, with what sent it (e.g. "Ctrl-C", "SIGTERM").</summary>
    public event Action<string>? Repeated;

    /// <summary>Requests received so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>What sent the first request (null before it).</summary>
    public string? FirstSource { get; private set; }

    /// <summary>
    /// When set, Ctrl-C (<see cref="Interrupt"/>) is ignored: for a child whose lifetime its parent decides (<c>edge sim
    /// inverter --exit-on-stdin-eof</c>, spawned by the hil rig) — it shares the terminal's process group, so a Ctrl-C
    /// meant for the parent would otherwise kill the inverter the parent is ramping down.
    /// </summary>
    public bool IgnoreInterrupts { get; set; }

    /// <summary>Ctrl-C (SIGINT): a stop request unless <see cref="IgnoreInterrupts"/>.</summary>
    public void Interrupt()
    {
        if (!IgnoreInterrupts)
        {
            Request("Ctrl-C");
        }
    }

    /// <summary>One stop request from <paramref name="source"/>.</summary>
    public void Request(string source)
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            FirstSource = source;
            _cancel?.Cancel();
            return;
        }

        Repeated?.Invoke(source);
    }
}
