namespace Edge.Simulation.Profiles;

/// <summary>
/// Writes a piecewise profile onto a regular grid, segment after segment: hold a level (entered through a linear
/// transition of <c>edgeS</c>, because GPU power slews in tens of milliseconds, not instantly) or ramp linearly.
/// Used by the generators while they build their samples.
/// </summary>
internal sealed class ProfileWriter
{
    private readonly double[] _samplesW;
    private readonly double _resolutionS;
    private readonly double _edgeS;
    private double _timeS;

    public ProfileWriter(double durationS, double resolutionS, double edgeS, double initialW)
    {
        _samplesW = new double[Math.Max(2, (int)Math.Round(durationS / resolutionS))];
        _resolutionS = resolutionS;
        _edgeS = edgeS;
        LevelW = initialW;
    }

    /// <summary>The level the writer ended on, W.</summary>
    public double LevelW { get; private set; }

    /// <summary>Time written so far, s.</summary>
    public double TimeS => _timeS;

    /// <summary>True once the whole grid is written.</summary>
    public bool Full => _timeS >= _samplesW.Length * _resolutionS;

    public double[] Samples => _samplesW;

    /// <summary>Moves to <paramref name="levelW"/> (through an edge) and holds it for <paramref name="durationS"/>.</summary>
    public void Hold(double levelW, double durationS)
    {
        double fromW = LevelW;
        double startS = _timeS;
        double edgeS = Math.Min(_edgeS, durationS);
        Fill(startS, startS + durationS, t => t - startS < edgeS && edgeS > 0 ? fromW + ((levelW - fromW) * (t - startS) / edgeS) : levelW);
        LevelW = levelW;
    }

    /// <summary>Ramps linearly from the current level to <paramref name="levelW"/> over <paramref name="durationS"/>.</summary>
    public void Ramp(double levelW, double durationS)
    {
        double fromW = LevelW;
        double startS = _timeS;
        Fill(startS, startS + durationS, t => fromW + ((levelW - fromW) * Math.Min(1, (t - startS) / durationS)));
        LevelW = levelW;
    }

    private void Fill(double startS, double endS, Func<double, double> valueAt)
    {
        int first = (int)Math.Ceiling(startS / _resolutionS - 1e-9);
        int last = Math.Min(_samplesW.Length, (int)Math.Ceiling(endS / _resolutionS - 1e-9));
        for (int k = Math.Max(0, first); k < last; k++)
        {
            _samplesW[k] = valueAt(k * _resolutionS);
        }

        _timeS = endS;
    }
}
