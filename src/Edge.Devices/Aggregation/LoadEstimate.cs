using Edge.Core.Control;

namespace Edge.Devices.Aggregation;

/// <summary>The cluster load of one period and how much of it is estimated.</summary>
/// <param name="LoadW">Cluster load (sum of racks), W. Finite even when <see cref="InputHealth.LoadMissing"/> is set
/// (then it is the last load that was not missing).</param>
/// <param name="Flags"><see cref="InputHealth.LoadDegraded"/> and/or <see cref="InputHealth.LoadMissing"/>.</param>
/// <param name="EstimatedCount">Sensors replaced by an estimate this period.</param>
/// <param name="EstimatedWeightFraction">Their share of the total weight (0–1).</param>
public readonly record struct LoadEstimate(double LoadW, InputHealth Flags, int EstimatedCount, double EstimatedWeightFraction);
