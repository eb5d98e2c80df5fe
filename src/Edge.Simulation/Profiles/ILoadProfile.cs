namespace Edge.Simulation.Profiles;

/// <summary>
/// A cluster load over time. Implementations are immutable after construction and pure: <see cref="PowerAt"/>
/// may be called from any thread, at any time, in any order, and always returns the same value for the same time
/// (deterministic per seed). Allocation-free. Beyond <see cref="DurationS"/> a profile repeats itself. The one exception
/// is <see cref="Agents.SimulatedSiteLoad"/>, a profile less what live simulated agents withhold: thread-safe and
/// allocation-free too, but it follows the agents.
/// </summary>
public interface ILoadProfile
{
    /// <summary>Human-readable description including the parameters (for reports).</summary>
    string Description { get; }

    /// <summary>The largest value the profile can return, W.</summary>
    double PeakW { get; }

    /// <summary>Length of one cycle of the profile, s.</summary>
    double DurationS { get; }

    /// <summary>Load at time <paramref name="timeS"/> (s since the profile's start), W.</summary>
    double PowerAt(double timeS);
}
