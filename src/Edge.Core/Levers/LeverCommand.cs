namespace Edge.Core.Levers;

/// <summary>
/// What the coordinator wants of one lever after a period: a value held until <see cref="ExpiresNs"/>, or a release
/// (the agent ramps back to its free value with its <see cref="ReleaseRamp"/>). <see cref="Changed"/> says when a
/// command must be (re)sent: the value moved by at least half a step, the state changed, or the command in force
/// passed half its lifetime. Replay applies every period's command; the daemon sends the changed ones. A GPU lever with
/// the smoothing-profile knob carries its profile command too (<see cref="SmoothingProfile"/>, with its own change flag).
/// </summary>
public struct LeverCommand
{
    /// <summary>The commanded value (flex: level; GPU: node cap), W. Meaningless when <see cref="Release"/>.</summary>
    public double ValueW;

    /// <summary>True when the lever is not needed: release it (along its ramp).</summary>
    public bool Release;

    /// <summary>Expiry of the command (monotonic ns), when not a release.</summary>
    public long ExpiresNs;

    /// <summary>True when this period's command differs from the last one sent (or must be renewed).</summary>
    public bool Changed;

    /// <summary>
    /// GPU levers with the smoothing-profile knob: the preset profile wanted (0–63), or −1 = none (release: the agent
    /// gets a <c>smoothing-profile</c> command with a null profile). Always −1 for other levers.
    /// </summary>
    public int SmoothingProfile;

    /// <summary>True when <see cref="SmoothingProfile"/> must be (re)sent this period (changed, or renewal due).</summary>
    public bool SmoothingChanged;

    /// <summary>Expiry of the smoothing-profile command in force (monotonic ns), when a profile is wanted.</summary>
    public long SmoothingExpiresNs;
}
