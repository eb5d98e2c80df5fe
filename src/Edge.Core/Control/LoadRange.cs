namespace Edge.Core.Control;

/// <summary>
/// The highest and lowest load seen, each forgetting towards the present load (at a rate of 1/forgetS of the gap per
/// second), so a range learnt from a job that has gone narrows over about that time instead of holding forever. The
/// smoothing controller's headroom limits and the grid planner's SoC return read it. A mutable struct held as a field:
/// <see cref="Add"/> allocates nothing.
/// </summary>
public struct LoadRange
{
    /// <summary>The forgetting time the controller and the planner use, s (an hour: longer than a job's pauses and checkpoints).</summary>
    public const double ForgetS = 3600.0;

    private bool _known;

    /// <summary>The highest load seen (forgetting), W; 0 before the first.</summary>
    public double MaxW { get; private set; }

    /// <summary>The lowest load seen (forgetting), W; 0 before the first.</summary>
    public double MinW { get; private set; }

    /// <summary>The highest load to expect, W: the learnt one, or <paramref name="expectedMaxW"/> when configured (not NaN) and higher.</summary>
    public readonly double MaxWith(double expectedMaxW) => double.IsNaN(expectedMaxW) ? MaxW : Math.Max(expectedMaxW, MaxW);

    /// <summary>The lowest load to expect, W: the learnt one, or <paramref name="expectedMinW"/> when configured (not NaN) and lower.</summary>
    public readonly double MinWith(double expectedMinW) => double.IsNaN(expectedMinW) ? MinW : Math.Min(expectedMinW, MinW);

    /// <summary>True once a load has been seen.</summary>
    public readonly bool Known => _known;

    /// <summary>Starts the range at <paramref name="loadW"/>.</summary>
    public void Reset(double loadW)
    {
        MaxW = loadW;
        MinW = loadW;
        _known = true;
    }

    /// <summary>Adds <paramref name="loadW"/>, <paramref name="dtS"/> after the last one, forgetting over <paramref name="forgetS"/>.</summary>
    public void Add(double loadW, double dtS, double forgetS)
    {
        if (!_known)
        {
            Reset(loadW);
            return;
        }

        double forget = dtS / forgetS;
        MaxW = loadW >= MaxW ? loadW : MaxW - ((MaxW - loadW) * forget);
        MinW = loadW <= MinW ? loadW : MinW + ((loadW - MinW) * forget);
    }

    /// <summary>
    /// Energy the battery moves while the grid follows a step of <paramref name="stepW"/> at <paramref name="rampWPerS"/>
    /// with at most <paramref name="powerW"/> of battery power, J: ΔP²/2R up to the power limit, then
    /// P·(ΔP − P)/R + P²/2R (beyond it the battery saturates anyway, so the energy it can use is bounded by its power).
    /// </summary>
    public static double SwingEnergyJ(double stepW, double powerW, double rampWPerS)
    {
        if (!(stepW > 0) || !(powerW > 0))
        {
            return 0;
        }

        double p = Math.Min(stepW, powerW);
        return ((p * (stepW - p)) + (0.5 * p * p)) / rampWPerS;
    }
}
