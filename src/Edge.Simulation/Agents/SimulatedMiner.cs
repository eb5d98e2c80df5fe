using Edge.Core.Levers;

namespace Edge.Simulation.Agents;

/// <summary>
/// A flexible load such as a bitcoin miner: its level comes from the agent's <see cref="ReleaseRamp"/> lever (W of
/// its rated power), quantised to its level step toward the previous level (a release rises in steps, never ahead of
/// the ramp), and the drawn power follows the level at <c>rated / transitionS</c> per second — it takes
/// <c>transitionS</c> to curtail fully or to restart. Energy burnt and curtailed time are accounted. Allocation-free.
/// </summary>
public sealed class SimulatedMiner
{
    private readonly double _ratedW, _stepW, _slewWPerS;
    private long _lastNs = -1;
    private double _powerW;

    /// <summary>Creates the miner running at its lever's free value.</summary>
    /// <param name="lever">Level lever in W (0 … rated).</param>
    /// <param name="ratedW">Rated power, W.</param>
    /// <param name="levelStepPct">Level resolution, % of rated (e.g. 5).</param>
    /// <param name="transitionS">Time for a full curtail or restart, s.</param>
    public SimulatedMiner(ReleaseRamp lever, double ratedW, double levelStepPct, double transitionS)
    {
        ArgumentNullException.ThrowIfNull(lever);
        if (!(ratedW > 0) || !(levelStepPct > 0 && levelStepPct <= 100) || !(transitionS > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(ratedW), "Rated power, level step and transition time must be positive.");
        }

        Lever = lever;
        _ratedW = ratedW;
        _stepW = ratedW * levelStepPct / 100;
        _slewWPerS = ratedW / transitionS;
        LevelW = Quantise(lever.ValueW, lever.ValueW);
        PowerW = LevelW;
    }

    /// <summary>The level lever.</summary>
    public ReleaseRamp Lever { get; }

    /// <summary>The quantised level in force, W.</summary>
    public double LevelW { get; private set; }

    /// <summary>Power drawn now, W. Written by <see cref="Step"/>, readable from any thread.</summary>
    public double PowerW
    {
        get => Volatile.Read(ref _powerW);
        private set => Volatile.Write(ref _powerW, value);
    }

    /// <summary>Energy drawn so far, Wh.</summary>
    public double EnergyWh { get; private set; }

    /// <summary>Time spent below the rated level, s.</summary>
    public double CurtailedS { get; private set; }

    /// <summary>Advances to <paramref name="nowNs"/> and returns the power drawn, W.</summary>
    public double Step(long nowNs)
    {
        LevelW = Quantise(Lever.Update(nowNs), LevelW);
        if (_lastNs >= 0)
        {
            double dtS = (nowNs - _lastNs) * 1e-9;
            double maxMove = _slewWPerS * dtS;
            PowerW += Math.Clamp(LevelW - PowerW, -maxMove, maxMove);
            EnergyWh += PowerW * dtS / 3600;
            if (LevelW < _ratedW)
            {
                CurtailedS += dtS;
            }
        }

        _lastNs = nowNs;
        return PowerW;
    }

    private double Quantise(double valueW, double previousW)
    {
        double steps = valueW / _stepW;
        double q = (valueW >= previousW ? Math.Floor(steps + 1e-9) : Math.Ceiling(steps - 1e-9)) * _stepW;
        return Math.Clamp(q, 0, _ratedW);
    }
}
