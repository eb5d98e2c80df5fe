using Edge.Configuration;
using Edge.Core;

namespace Edge.Daemon;

/// <summary>The daemon's own options (configuration section <c>Edge</c>).</summary>
public sealed class EdgeOptions
{
    /// <summary>Site name: the second level of every topic (<c>edge/{site}/{node}/…</c>).</summary>
    public string Site { get; set; } = "site1";

    /// <summary>Node name: the third level of every topic.</summary>
    public string Node { get; set; } = "edge1";

    /// <summary><c>sim</c> (everything in-process), <c>hil</c> (inverters as separate processes), or the path of a rig file.</summary>
    public string Rig { get; set; } = "sim";

    /// <summary>Where persisted state, the command audit log, the MQTT spool and flight-recorder dumps go.</summary>
    public string StateDirectory { get; set; } = "edge-state";

    /// <summary>Seconds of per-period history kept by the flight recorder.</summary>
    public double FlightRecorderS { get; set; } = 60;

    /// <summary>Longest time the shutdown ramp-down may take before Edge stops anyway, s (the inverters then revert on their own).</summary>
    public double ShutdownTimeoutS { get; set; } = 60;

    /// <summary>
    /// How often the SoC estimate and counters are saved while running, s (at least 10: an SD card wears with every
    /// write). A <c>kill -9</c> loses at most this much.
    /// </summary>
    public double StateSaveIntervalS { get; set; } = 10;

    /// <summary>Terminal live view: <c>auto</c> (on a terminal, off under systemd or when redirected), <c>on</c>, <c>off</c>.</summary>
    public string LiveView { get; set; } = "auto";

    /// <summary>Checks every option; returns the errors.</summary>
    /// <summary>The racks' rated (expected peak) power the lever coordinator plans flexible loads' reserve for, W; 0: learnt from the highest load seen (docs/agents.md).</summary>
    public double LeverExpectedLoadMaxW { get; set; }

    /// <summary>Lifetime of a command to an agent, s: the coordinator re-sends it at half this while it wants it kept; after it the agent releases along its ramp.</summary>
    public double LeverCommandLifetimeS { get; set; } = 10;

    /// <summary>
    /// True: the tiered oscillation backstop acts (docs/agents.md, "What each tier does": the <c>oscillation</c> alarm,
    /// GPU smoothing profiles and caps, flexible loads filling dips, the throttle request). False (default): it measures
    /// and publishes its tier only — its default policy reaches tier 4 on the sim rig from a 10 Hz meter's staircase and
    /// sensor noise (20–30 W at 2–5 Hz on 3.2 kW), which must not cap GPUs or ask for throttling.
    /// </summary>
    public bool BackstopActs { get; set; }

    /// <summary>Backstop tier 2: the preset power-smoothing profile (0–63) commanded to GPU agents with the smoothing-profile knob (docs/agents.md, "What each tier does").</summary>
    public int LeverSmoothingProfile { get; set; }

    /// <summary>Backstop tier 2: GPU nodes without a smoothing profile are capped so the racks stay at most their slow mean plus this fraction of their expected peak (0–0.5).</summary>
    public double LeverBackstopMarginFraction { get; set; } = 0.02;

    /// <summary>True when the load sensors measure the flexible loads too (docs/agents.md); false (default, and the sim rig): they are on feeders of their own, seen by the grid, not by the controller.</summary>
    public bool LeverFlexInLoad { get; set; }

    /// <summary>Validates the section.</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Edge")
    {
        var c = new OptionChecks(section);
        CheckTopicLevel(c, nameof(Site), Site);
        CheckTopicLevel(c, nameof(Node), Node);
        if (string.IsNullOrWhiteSpace(Rig))
        {
            c.Fail(nameof(Rig), "\"\"", "must be sim, hil, or the path of a rig file");
        }

        if (string.IsNullOrWhiteSpace(StateDirectory))
        {
            c.Fail(nameof(StateDirectory), "\"\"", "must be a directory path");
        }
        else if (WritablePath.DirectoryProblem(StateDirectory) is { } problem)
        {
            c.Fail(nameof(StateDirectory), StateDirectory, problem);
        }

        c.Range(nameof(FlightRecorderS), FlightRecorderS, 1, 3600, "s");
        c.Range(nameof(ShutdownTimeoutS), ShutdownTimeoutS, 1, 3600, "s");
        c.Range(nameof(StateSaveIntervalS), StateSaveIntervalS, 10, 3600, "s");
        c.Range(nameof(LeverExpectedLoadMaxW), LeverExpectedLoadMaxW, 0, 1e9, "W");
        c.Range(nameof(LeverCommandLifetimeS), LeverCommandLifetimeS, 1, 3600, "s");
        c.Range(nameof(LeverSmoothingProfile), LeverSmoothingProfile, 0, 63, "");
        c.Range(nameof(LeverBackstopMarginFraction), LeverBackstopMarginFraction, 0, 0.5, "");
        if (LiveView is not ("auto" or "on" or "off"))
        {
            c.Fail(nameof(LiveView), LiveView, "must be auto, on or off");
        }

        return c.Errors;
    }

    private static void CheckTopicLevel(OptionChecks c, string name, string value)
    {
        if (TopicLevel.Problem(value) is { } problem)
        {
            c.Fail(name, value, $"must be {TopicLevel.Rule} (it {problem})"); // the report escapes and cuts the value (ConfigFile.Describe)
        }
    }
}
