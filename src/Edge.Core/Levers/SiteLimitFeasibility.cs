namespace Edge.Core.Levers;

/// <summary>
/// The coordinator's answer to a <see cref="SiteLimitRequest"/>, given at once: whether the limit can be held for its
/// duration with the battery's energy and the levers' budget, and how fast it is met.
/// </summary>
/// <param name="Feasible">True when the limit can be held for the whole duration.</param>
/// <param name="RampWPerS">The ramp the grid moves at toward the limit, W/s.</param>
/// <param name="RampStartNs">When the grid starts moving (now if the limit is already due), ns.</param>
/// <param name="MetNs">When the grid is at or below the limit, ns.</param>
/// <param name="ReductionW">How far the site must come down from the expected load (racks + flexible loads), W.</param>
/// <param name="BatteryW">What the battery can sustain over the duration with its energy, W.</param>
/// <param name="LeverW">What the levers can take (flexible loads to their minimum, GPU caps to theirs), W.</param>
/// <param name="HeldS">How long the limit can be held (the duration when feasible), s.</param>
/// <param name="Reason">Why not (null when feasible).</param>
public readonly record struct SiteLimitFeasibility(
    bool Feasible, double RampWPerS, long RampStartNs, long MetNs, double ReductionW, double BatteryW, double LeverW, double HeldS, string? Reason);
