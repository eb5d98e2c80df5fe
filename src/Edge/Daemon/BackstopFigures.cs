using System.Runtime.CompilerServices;

namespace Edge.Daemon;

/// <summary>The tiered backstop's figures after a period (published in state as <c>backstop</c>).</summary>
internal struct BackstopFigures
{
    /// <summary>Bands published at most.</summary>
    public const int MaxBands = 4;

    /// <summary>Highest active tier, 0 = none.</summary>
    public int Tier;

    /// <summary>Tier changes so far.</summary>
    public long Transitions;

    /// <summary>Bands filled.</summary>
    public int Bands;

    /// <summary>Grid amplitude per band, W.</summary>
    public Band GridW;

    /// <summary>Load amplitude per band, W.</summary>
    public Band LoadW;

    /// <summary>Dominant grid frequency per band, Hz.</summary>
    public Band GridHz;

    /// <summary>Dominant load frequency per band, Hz.</summary>
    public Band LoadHz;

    /// <summary>A fixed array of <see cref="MaxBands"/> values.</summary>
    [InlineArray(MaxBands)]
    public struct Band
    {
        private double _element;
    }
}
