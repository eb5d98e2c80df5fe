namespace Edge.Cli;

/// <summary>Process exit codes (stable: scripts rely on them).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed (a check failed, a peer did not answer, a fault stopped the daemon).</summary>
    public const int Failed = 1;

    /// <summary>Bad command line, configuration or input file; nothing was commanded or written.</summary>
    public const int Usage = 2;
}
