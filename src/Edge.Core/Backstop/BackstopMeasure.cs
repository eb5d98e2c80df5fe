namespace Edge.Core.Backstop;

/// <summary>What a backstop rule compares with its thresholds.</summary>
public enum BackstopMeasure
{
    /// <summary>The band's amplitude (peak of the sine with the same in-band mean square), W.</summary>
    AmplitudeW,

    /// <summary>
    /// The band's slope equivalent, amplitude × 2π × dominant frequency, W/s: the fastest rise of that sine, directly
    /// comparable with the grid ramp limit whatever the frequency.
    /// </summary>
    SlopeWPerS,
}
