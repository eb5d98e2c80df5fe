namespace Edge.Core.Levers;

/// <summary>Configuration of the <see cref="LeverCoordinator"/> (all powers W, times s).</summary>
public sealed class LeverCoordinatorOptions
{
    /// <summary>The racks' expected (rated) peak load, W; NaN = learnt from the highest load seen.</summary>
    public double ExpectedLoadMaxW { get; set; } = double.NaN;

    /// <summary>The battery's configured discharge power, W (the reserve is sized against it).</summary>
    public double BatteryDischargeW { get; set; }

    /// <summary>The battery's configured charge power, W.</summary>
    public double BatteryChargeW { get; set; }

    /// <summary>The battery's usable energy, Wh (site-limit budget).</summary>
    public double BatteryEnergyWh { get; set; }

    /// <summary>Lowest SoC the battery may use, %.</summary>
    public double SocMinPct { get; set; } = 10;

    /// <summary>
    /// Fraction of the battery's power beyond which flexible loads burn and GPU caps bind (0.3–1): what the battery
    /// must take beyond it is absorbed by the levers.
    /// </summary>
    public double BatteryShare { get; set; } = 0.85;

    /// <summary>
    /// Fraction of the battery's discharge power beyond which running flexible loads are curtailed (0.05–1). Low,
    /// because a flexible load takes seconds to curtail: it must start with the rise, not at saturation. Curtailing
    /// only ever uses the reserve (flexible loads run only when a rise is expected), so it costs no energy.
    /// </summary>
    public double CurtailShare { get; set; } = 0.25;

    /// <summary>
    /// The reserve covers a rise to the expected peak with this fraction of the battery's discharge power plus the
    /// flexible loads' curtailment (0.3–1.5).
    /// </summary>
    public double ReserveShare { get; set; } = 1.0;

    /// <summary>Lifetime of every lever command (renewed while needed), s.</summary>
    public double CommandLifetimeS { get; set; } = 10;

    /// <summary>Time constant of the slow load estimate the reserve is planned on, s.</summary>
    public double LoadTimeConstantS { get; set; } = 30;

    /// <summary>
    /// How long before an announced rise flexible loads are pre-positioned (from its receipt, at most this early), s.
    /// Generous: the load rises at its release rate and the controller's grid target follows it only through its
    /// reference low-pass (tens of seconds at a 0.1 Hz band edge); until then the battery, not the grid, feeds it.
    /// </summary>
    public double AnnounceLeadMaxS { get; set; } = 120;

    /// <summary>
    /// Backstop tier 2: the preset power-smoothing profile (0–63) commanded to GPU agents that advertise the
    /// <c>smoothing-profile</c> knob (an agent refuses a profile beyond its own count and the lever is then capped like the others
    /// — see docs/agents.md).
    /// </summary>
    public int SmoothingProfile { get; set; }

    /// <summary>
    /// Backstop tier 2: GPU levers without a smoothing profile are capped so that the racks stay at most their slow mean
    /// (τ <see cref="LoadTimeConstantS"/>) plus this fraction of the racks' expected peak (0–0.5): the peaks are clipped.
    /// </summary>
    public double BackstopCapMarginFraction { get; set; } = 0.02;

    /// <summary>The problems of these options (empty when valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (!(BatteryDischargeW >= 0) || !(BatteryChargeW >= 0) || !double.IsFinite(BatteryDischargeW) || !double.IsFinite(BatteryChargeW))
        {
            yield return "BatteryDischargeW/BatteryChargeW must be finite and ≥ 0";
        }

        if (!(BatteryEnergyWh >= 0) || !double.IsFinite(BatteryEnergyWh))
        {
            yield return "BatteryEnergyWh must be finite and ≥ 0";
        }

        if (!(BatteryShare is >= 0.3 and <= 1) || !(CurtailShare is >= 0.05 and <= 1) || !(ReserveShare is >= 0.3 and <= 1.5))
        {
            yield return "BatteryShare must be in [0.3, 1], CurtailShare in [0.05, 1], ReserveShare in [0.3, 1.5]";
        }

        if (!(CommandLifetimeS is >= 1 and <= 3600) || !(LoadTimeConstantS is > 0 and <= 3600) || !(AnnounceLeadMaxS is >= 0 and <= 3600))
        {
            yield return "CommandLifetimeS in [1, 3600], LoadTimeConstantS in (0, 3600], AnnounceLeadMaxS in [0, 3600]";
        }

        if (SmoothingProfile is < 0 or > 63 || !(BackstopCapMarginFraction is >= 0 and <= 0.5))
        {
            yield return "SmoothingProfile must be in [0, 63], BackstopCapMarginFraction in [0, 0.5]";
        }

        if (!(SocMinPct is >= 0 and < 100))
        {
            yield return "SocMinPct must be in [0, 100)";
        }

        if (!double.IsNaN(ExpectedLoadMaxW) && !(ExpectedLoadMaxW > 0 && double.IsFinite(ExpectedLoadMaxW)))
        {
            yield return "ExpectedLoadMaxW must be positive (or NaN = learnt)";
        }
    }
}
