namespace Edge.Devices.Aggregation;

/// <summary>How <see cref="LoadAggregator"/> estimates missing sensors.</summary>
public sealed class LoadAggregatorOptions
{
    /// <summary>Time constant with which a missing sensor's estimate moves from its last good value to its peers' share, s.</summary>
    public double DecayTimeConstantS { get; set; } = 5;

    /// <summary>
    /// When the estimated sensors' weight exceeds this fraction of the total, the load is reported missing (the
    /// controller then ramps the battery out instead of acting on guesses).
    /// </summary>
    public double MaxEstimatedFraction { get; set; } = 0.5;

    /// <summary>Throws <see cref="ArgumentException"/> for impossible settings.</summary>
    public void Validate()
    {
        if (!double.IsFinite(DecayTimeConstantS) || DecayTimeConstantS <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DecayTimeConstantS), DecayTimeConstantS, "Must be > 0 s.");
        }

        if (!double.IsFinite(MaxEstimatedFraction) || MaxEstimatedFraction < 0 || MaxEstimatedFraction >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEstimatedFraction), MaxEstimatedFraction, "Must be in [0, 1).");
        }
    }
}
