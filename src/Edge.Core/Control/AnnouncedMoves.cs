namespace Edge.Core.Control;

/// <summary>
/// Load moves a plan was made for from phase announcements (not guessed from history): a plan that knows a rise is
/// coming may take the grid above the power-headroom envelope's charging bound to meet it, one that knows a fall is
/// coming below its discharging bound. The envelope's other side still applies.
/// </summary>
[Flags]
public enum AnnouncedMoves
{
    /// <summary>No announced move within the plan's horizon: the whole envelope applies.</summary>
    None = 0,

    /// <summary>An announced rise (a job start, a checkpoint's end) lies within the horizon.</summary>
    Rise = 1,

    /// <summary>An announced fall (a job end, a checkpoint's start) lies within the horizon.</summary>
    Fall = 2,
}
