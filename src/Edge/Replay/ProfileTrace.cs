using Edge.Simulation.Profiles;

namespace Edge.Replay;

/// <summary>A generated load profile sampled at the control period (a profile is defined at any time).</summary>
public sealed class ProfileTrace : ILoadTrace
{
    private readonly SampledProfile _profile;
    private readonly double _periodS;
    private readonly long _samples;

    /// <summary>Wraps <paramref name="profile"/>, sampled every <paramref name="periodS"/>.</summary>
    public ProfileTrace(string name, SampledProfile profile, double periodS)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Name = name;
        _profile = profile;
        _periodS = periodS;
        _samples = Math.Max(2, (long)Math.Round(profile.DurationS / periodS));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Source => "generated profile";

    /// <inheritdoc />
    public string Format => "profile";

    /// <inheritdoc />
    public double? KnownSampleRateHz => 1.0 / _profile.ResolutionS;

    /// <inheritdoc />
    public IEnumerable<TraceSample> Samples(ICollection<string>? warnings)
    {
        for (long k = 0; k < _samples; k++)
        {
            double t = k * _periodS;
            yield return new TraceSample(t, _profile.PowerAt(t));
        }
    }
}
