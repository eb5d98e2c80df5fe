namespace Edge.Core.Levers;

/// <summary>Where a lever's setting comes from.</summary>
public enum LeverPhase
{
    /// <summary>No command in force: the lever sits at its free value.</summary>
    Free,

    /// <summary>A command holds the lever until its expiry.</summary>
    Commanded,

    /// <summary>Waiting for the release's jitter delay to pass, then ramping back to the free value.</summary>
    Releasing,
}
