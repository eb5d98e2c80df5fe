namespace Edge.Devices.Aggregation;

/// <summary>How <see cref="LoadAggregator"/> estimates missing sensors.</summary>
public sealed class LoadAggregatorOptions
{
    /// <summary>Time constant with which a missing sensor's estimate moves from its last good value to its peers' share, s.</summary>
    public double DecayTimeConstantS { get; set; } = 5;

    /// <summary>
    /// Time constant with which each sensor's offset from its peers' share is learnt while it is healthy, s. Long enough
    /// that the few periods of skew between sensors during a cluster-wide swing (or one stale glitch period) barely move
    /// it; short enough to follow a rack whose share drifts.
    /// </summary>
    public double OffsetSmoothingS { get; set; } = 0.2;

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

        if (!double.IsFinite(OffsetSmoothingS) || OffsetSmoothingS <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(OffsetSmoothingS), OffsetSmoothingS, "Must be > 0 s.");
        }

        if (!double.IsFinite(MaxEstimatedFraction) || MaxEstimatedFraction < 0 || MaxEstimatedFraction >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEstimatedFraction), MaxEstimatedFraction, "Must be in [0, 1).");
        }
    }
}
