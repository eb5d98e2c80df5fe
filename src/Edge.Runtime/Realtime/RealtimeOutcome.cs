namespace Edge.Runtime.Realtime;

/// <summary>What happened to one real-time setup item.</summary>
public enum RealtimeOutcome
{
    /// <summary>Not asked for.</summary>
    Skipped,
    /// <summary>Applied.</summary>
    Applied,
    /// <summary>Asked for but refused; the loop runs without it (the detail names the missing privilege).</summary>
    Failed,
}
