namespace Edge.Core.Control;

/// <summary>
/// A control law: turns one tick's inputs into a battery setpoint. The smoothing controller and every baseline
/// implement it, so replay, benchmarks and the daemon treat them alike. Implementations are deterministic,
/// allocation-free per tick, and never throw on odd inputs (they clamp and flag).
/// </summary>
public interface IGridController
{
    /// <summary>Short name used on the command line and in reports (e.g. "smoothing").</summary>
    string Name { get; }

    /// <summary>Decides the battery setpoint for this tick.</summary>
    Decision Decide(in TickInput input);
}
