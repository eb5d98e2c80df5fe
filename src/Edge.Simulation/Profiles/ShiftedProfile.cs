namespace Edge.Simulation.Profiles;

/// <summary>
/// A profile read on another clock: <c>PowerAt(t) = inner.PowerAt(t − originS)</c>, so simulated devices that take
/// their time from the system's monotonic clock start the profile at its beginning when the rig starts.
/// </summary>
public sealed class ShiftedProfile(ILoadProfile inner, double originS) : ILoadProfile
{
    /// <inheritdoc />
    public string Description => inner.Description;

    /// <inheritdoc />
    public double PeakW => inner.PeakW;

    /// <inheritdoc />
    public double DurationS => inner.DurationS;

    /// <summary>The clock reading (s) at which the profile starts.</summary>
    public double OriginS => originS;

    /// <inheritdoc />
    public double PowerAt(double timeS) => inner.PowerAt(Math.Max(0, timeS - originS));
}
