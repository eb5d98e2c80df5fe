namespace Edge.Core.Forecast;

/// <summary>The phase a training job announces.</summary>
public enum PhaseKind
{
    /// <summary>The job starts computing at <c>at</c>; <c>power_w</c> is the expected rise.</summary>
    JobStart,

    /// <summary>The job ends at <c>at</c>; <c>power_w</c> is the expected fall.</summary>
    JobEnd,

    /// <summary>A checkpoint begins (compute pauses); <c>duration_s</c> expected, <c>power_w</c> the expected fall.</summary>
    CheckpointBegin,

    /// <summary>The checkpoint ends (compute resumes); <c>power_w</c> the expected rise.</summary>
    CheckpointEnd,

    /// <summary>Steady iterations: <c>period_s</c> and peak-to-peak <c>power_w</c> of the compute/all-reduce swing.</summary>
    Iteration,
}
