namespace Edge.Daemon;

/// <summary>What the daemon reports back to <c>edge run</c> when it ends: its exit code and start-up figures.</summary>
internal sealed class DaemonStatus
{
    /// <summary>0 for a clean stop, 1 when a fault stopped it.</summary>
    public int ExitCode { get; set; }

    /// <summary>Milliseconds from the daemon's construction (the host has been built) to its first control cycle.</summary>
    public double FirstCycleMs { get; set; } = double.NaN;

    /// <summary>Milliseconds from the start of the process (as the kernel recorded it) to the first control cycle.</summary>
    public double FirstCycleSinceProcessStartMs { get; set; } = double.NaN;
}
