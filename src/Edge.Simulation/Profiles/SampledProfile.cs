namespace Edge.Simulation.Profiles;

/// <summary>
/// A profile held as samples on a regular grid, read back by linear interpolation. Generators write the grid once
/// at construction (deterministically from their seed); after that the object is immutable, so
/// <see cref="PowerAt"/> is pure, thread-safe and allocation-free. Beyond the last sample the profile repeats.
/// </summary>
public class SampledProfile : ILoadProfile
{
    private readonly double[] _samplesW;
    private readonly double _resolutionS;

    /// <summary>Wraps samples taken every <paramref name="resolutionS"/> seconds.</summary>
    public SampledProfile(double[] samplesW, double resolutionS, string description)
    {
        ArgumentNullException.ThrowIfNull(samplesW);
        if (samplesW.Length < 2)
        {
            throw new ArgumentException("A profile needs at least two samples.", nameof(samplesW));
        }

        if (!(resolutionS > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(resolutionS), resolutionS, "Resolution must be positive.");
        }

        _samplesW = samplesW;
        _resolutionS = resolutionS;
        Description = description;
        double peak = double.NegativeInfinity;
        foreach (double v in samplesW)
        {
            peak = Math.Max(peak, v);
        }

        PeakW = peak;
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public double PeakW { get; }

    /// <inheritdoc />
    public double DurationS => _samplesW.Length * _resolutionS;

    /// <summary>Grid spacing, s.</summary>
    public double ResolutionS => _resolutionS;

    /// <inheritdoc />
    public double PowerAt(double timeS)
    {
        if (!double.IsFinite(timeS))
        {
            return _samplesW[0];
        }

        double position = timeS / _resolutionS;
        double cycle = Math.Floor(position / _samplesW.Length) * _samplesW.Length;
        position -= cycle;
        int i = Math.Min((int)position, _samplesW.Length - 1);
        double frac = position - i;
        int next = i + 1 == _samplesW.Length ? 0 : i + 1;
        return _samplesW[i] + ((_samplesW[next] - _samplesW[i]) * frac);
    }
}
