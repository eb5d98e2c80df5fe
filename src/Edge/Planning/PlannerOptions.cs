using Edge.Core;

namespace Edge.Planning;

/// <summary>
/// The grid planner beside the loop (configuration section <c>Planner</c>; docs/planner.md): off by default — a site
/// turns it on where the loads repeat (training jobs) or their agents announce their phases.
/// </summary>
public sealed class PlannerOptions
{
    /// <summary>Run the planner thread (false: the smoothing controller alone, as without a planner).</summary>
    public bool Enabled { get; set; }

    /// <summary>The default planning horizon, s (the daemon's <c>Planner:HorizonS</c> and replay's <c>--planner-horizon-s</c>).</summary>
    public const double DefaultHorizonS = 60;

    /// <summary>Shortest planning horizon accepted, s.</summary>
    public const double MinHorizonS = 10;

    /// <summary>Longest planning horizon accepted, s.</summary>
    public const double MaxHorizonS = 600;

    /// <summary>How far each plan looks ahead, s.</summary>
    public double HorizonS { get; set; } = DefaultHorizonS;

    /// <summary>How often a plan is made, s (each plan is valid for two intervals: a late or failed one lapses and the controller's own reference takes over).</summary>
    public double IntervalS { get; set; } = 1;

    /// <summary>
    /// The programme's solver: <c>Banded</c> (purpose-written, no library; the default) or <c>Glop</c> (Google OR-Tools,
    /// ≈ 19 MB of native code in the process).
    /// </summary>
    public PlannerSolver Solver { get; set; } = PlannerSolver.Banded;

    /// <summary>The problems, each with its configuration path (<c>Planner:…</c>).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Planner")
    {
        var c = new OptionChecks(section);
        c.Range(nameof(HorizonS), HorizonS, MinHorizonS, MaxHorizonS, "s");
        c.Range(nameof(IntervalS), IntervalS, 0.2, 10, "s");
        if (!Enum.IsDefined(Solver))
        {
            c.Fail(nameof(Solver), Solver.ToString(), "Banded or Glop");
        }

        if (double.IsFinite(HorizonS) && double.IsFinite(IntervalS) && IntervalS > 0 && HorizonS / IntervalS > 600)
        {
            c.Fail(nameof(HorizonS), HorizonS.ToString(System.Globalization.CultureInfo.InvariantCulture), "at most 600 intervals (Planner:IntervalS) per horizon");
        }

        return c.Errors;
    }
}
