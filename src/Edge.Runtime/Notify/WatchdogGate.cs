using System.Globalization;
using Edge.Runtime.Statistics;

namespace Edge.Runtime.Notify;

/// <summary>
/// Decides whether the loop deserves a watchdog ping: since the previous decision it must have made progress (cycles
/// advanced), the deadline fault must not be raised, and at most <see cref="MaxOverrunFraction"/> of the cycles may
/// have overrun. A single VM stall is one overrun among thousands of cycles and does not withhold a ping; a loop that
/// keeps missing, or has stopped, gets none — and systemd restarts the service. Pure and deterministic.
/// </summary>
public sealed class WatchdogGate
{
    private long _lastCycles = -1;
    private long _lastOverruns;

    /// <summary>Creates the gate.</summary>
    /// <param name="maxOverrunFraction">Largest tolerated share of overrunning cycles per ping interval (0–1).</param>
    public WatchdogGate(double maxOverrunFraction = 0.01)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxOverrunFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxOverrunFraction, 1);
        MaxOverrunFraction = maxOverrunFraction;
    }

    /// <summary>Largest tolerated share of overrunning cycles per ping interval.</summary>
    public double MaxOverrunFraction { get; }

    /// <summary>Why the last decision was what it was (for STATUS=).</summary>
    public string Reason { get; private set; } = "not evaluated yet";

    /// <summary>Evaluates the counters read now against those of the previous call; true = ping.</summary>
    public bool ShouldPing(in LoopCounters now)
    {
        // Statistics may have been reset (counters went down): take the new values as the baseline.
        bool reset = now.Cycles < _lastCycles || now.Overruns < _lastOverruns;
        long cycles = _lastCycles < 0 || reset ? now.Cycles : now.Cycles - _lastCycles;
        long overruns = _lastCycles < 0 || reset ? now.Overruns : now.Overruns - _lastOverruns;
        _lastCycles = now.Cycles;
        _lastOverruns = now.Overruns;

        if (cycles <= 0)
        {
            Reason = "loop stalled: no cycle completed since the last check";
            return false;
        }

        if (now.FaultActive)
        {
            Reason = string.Create(CultureInfo.InvariantCulture, $"deadline fault: {now.ConsecutiveMisses} consecutive overruns");
            return false;
        }

        if (overruns > cycles * MaxOverrunFraction)
        {
            Reason = string.Create(CultureInfo.InvariantCulture, $"missing deadlines: {overruns} of {cycles} cycles overran");
            return false;
        }

        Reason = string.Create(CultureInfo.InvariantCulture, $"meeting deadlines: {cycles} cycles, {overruns} overruns");
        return true;
    }
}
