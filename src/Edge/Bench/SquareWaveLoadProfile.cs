using Edge.Simulation.Profiles;

namespace Edge.Bench;

/// <summary>
/// A deliberately simple stand-in load for the loop bench (the AI-training profile generator lives in
/// Edge.Simulation): a square wave between <c>lowFraction·peak</c> and <c>peak</c> — compute plateaus and
/// communication dips — with a small sine ripple on top. Pure and thread-safe; only the bench uses it.
/// </summary>
internal sealed class SquareWaveLoadProfile(double peakW, double lowFraction = 0.3, double squarePeriodS = 2.0, double rippleHz = 3.0, double rippleFraction = 0.05) : ILoadProfile
{
    public string Description =>
        $"square wave {lowFraction * peakW:0} W ↔ {peakW:0} W every {squarePeriodS} s, ripple {rippleFraction:P0} at {rippleHz} Hz";

    public double PeakW => peakW;

    public double DurationS => squarePeriodS;

    public double PowerAt(double timeS)
    {
        double phase = timeS / squarePeriodS;
        double square = phase - Math.Floor(phase) < 0.5 ? 1.0 : lowFraction;
        double ripple = rippleFraction * Math.Sin(2 * Math.PI * rippleHz * timeS);
        return Math.Clamp((square - rippleFraction + ripple) * peakW, 0, peakW);
    }
}
