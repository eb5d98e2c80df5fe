namespace Edge.Daemon;

/// <summary>What the daemon reports back to <c>edge run</c> when it ends: its exit code and start-up figures.</summary>
internal sealed class DaemonStatus
{
    /// <summary>0 for a clean stop, 1 when a fault stopped it.</summary>
    public int ExitCode { get; set; }

    /// <summary>Milliseconds from process start of the daemon to its first control cycle.</summary>
    public double FirstCycleMs { get; set; } = double.NaN;
}
