namespace Edge.Core.Control;

/// <summary>
/// Options of the smoothing controller (docs/DESIGN.md §4), bound from the <c>Controller</c> configuration section.
/// Units are in the names. <see cref="Validate"/> names every bad option with its allowed range.
/// </summary>
public sealed class ControllerOptions
{
    /// <summary>Nominal control period, ms (the loop's period; the controller itself uses measured time steps).</summary>
    public double PeriodMs { get; set; } = 10;

    /// <summary>Largest allowed rise of grid power, W/s.</summary>
    public double RampUpWPerS { get; set; } = 10_000;

    /// <summary>Largest allowed fall of grid power, W/s.</summary>
    public double RampDownWPerS { get; set; } = 10_000;

    /// <summary>Window over which ramps are judged, s (docs/DESIGN.md §5).</summary>
    public double RampWindowS { get; set; } = 1;

    /// <summary>Short-term deviation tolerated before ramp limits apply, W (metric tolerance; the controller never spends it on purpose).</summary>
    public double DynamicRangeW { get; set; }

    /// <summary>Lower edge of the band in which oscillation is suppressed, Hz.</summary>
    public double BandLowHz { get; set; } = 0.1;

    /// <summary>Upper edge of the band in which oscillation is suppressed, Hz.</summary>
    public double BandHighHz { get; set; } = 20;

    /// <summary>Highest grid power allowed, W (+∞ = none).</summary>
    public double GridCapW { get; set; } = double.PositiveInfinity;

    /// <summary>
    /// The largest magnitude a finite grid cap or floor may have, W (1 TW, far beyond any site): a cap of −1e300 W is a
    /// typo or an attack, not a limit — it made the battery discharge to its SoC floor.
    /// </summary>
    public const double MaxGridLimitW = 1e12;

    /// <summary>Lowest grid power allowed, W (−∞ = none; negative = export).</summary>
    public double GridFloorW { get; set; } = double.NegativeInfinity;

    /// <summary>SoC the battery returns to between events, %.</summary>
    public double SocTargetPct { get; set; } = 50;

    /// <summary>Lowest SoC the controller may use, %.</summary>
    public double SocMinPct { get; set; } = 10;

    /// <summary>Highest SoC the controller may use, %.</summary>
    public double SocMaxPct { get; set; } = 90;

    /// <summary>Usable battery energy (all inverters), Wh.</summary>
    public double EnergyWh { get; set; } = 1_000;

    /// <summary>Largest charge power, W (all inverters).</summary>
    public double MaxChargeW { get; set; } = 10_000;

    /// <summary>Largest discharge power, W (all inverters).</summary>
    public double MaxDischargeW { get; set; } = 10_000;

    /// <summary>Fraction of AC charge energy stored in the cells (0–1].</summary>
    public double ChargeEfficiency { get; set; } = 0.95;

    /// <summary>Fraction of cell energy delivered as AC on discharge (0–1].</summary>
    public double DischargeEfficiency { get; set; } = 0.95;

    /// <summary>Time constant with which SoC returns to its target, s.</summary>
    public double SocRecoveryS { get; set; } = 600;

    /// <summary>Largest share of battery power that SoC recovery may ask for (0–1].</summary>
    public double SocRecoveryMaxFraction { get; set; } = 0.25;

    /// <summary>
    /// SoC guard horizon, s: near a SoC limit the allowed power tapers so that at most 1/<c>SocGuardS</c> of the
    /// remaining energy is used per second. Must exceed the battery's latency.
    /// </summary>
    public double SocGuardS { get; set; } = 2;

    /// <summary>
    /// How long a load extreme is remembered for power-headroom planning, s: the grid target is kept where the
    /// battery's power could cover a return to the highest (lowest) load seen within this time. Checkpoint pauses last
    /// seconds to a minute, so the default remembers two minutes.
    /// </summary>
    public double PowerHeadroomMemoryS { get; set; } = 120;

    /// <summary>Expected highest load, W, for headroom planning (NaN = learn from what is seen).</summary>
    public double ExpectedLoadMaxW { get; set; } = double.NaN;

    /// <summary>Expected lowest load, W, for headroom planning (NaN = learn from what is seen).</summary>
    public double ExpectedLoadMinW { get; set; } = double.NaN;

    /// <summary>
    /// Actuator latency to compensate, ms (0 = off, today's behaviour): the battery is commanded the load predicted
    /// this far ahead minus the grid target there (docs/planner.md, "Latency compensation"). Set it to the inverters'
    /// measured command-to-power latency.
    /// </summary>
    public double LatencyCompensationMs { get; set; }

    /// <summary>Longest load period the latency compensator searches, s (its cost per period is linear in it).</summary>
    public double LatencyCompensationMaxPeriodS { get; set; } = 10;

    /// <summary>Checks every option; returns the errors (empty when valid). Paths are prefixed with <paramref name="section"/>.</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Controller")
    {
        var c = new OptionChecks(section);
        c.Range(nameof(PeriodMs), PeriodMs, 0.1, 1000, "ms");
        c.Above(nameof(RampUpWPerS), RampUpWPerS, 0, 1e12, "W/s");
        c.Above(nameof(RampDownWPerS), RampDownWPerS, 0, 1e12, "W/s");
        c.Range(nameof(RampWindowS), RampWindowS, 0.01, 3600, "s");
        c.Range(nameof(DynamicRangeW), DynamicRangeW, 0, 1e12, "W");
        c.Above(nameof(BandLowHz), BandLowHz, 0, 1000, "Hz");
        c.Above(nameof(BandHighHz), BandHighHz, 0, 1e6, "Hz");
        if (double.IsFinite(BandLowHz) && double.IsFinite(BandHighHz) && BandHighHz <= BandLowHz)
        {
            c.Fail(nameof(BandHighHz), OptionError.Format(BandHighHz), $"must be above BandLowHz ({OptionError.Format(BandLowHz)} Hz): raise BandHighHz or lower BandLowHz");
        }

        c.NotNaN(nameof(GridCapW), GridCapW, "must be a number of W (Infinity for no cap)");
        c.NotNaN(nameof(GridFloorW), GridFloorW, "must be a number of W (-Infinity for no floor)");
        bool absurdCap = GridCapW == double.NegativeInfinity || (double.IsFinite(GridCapW) && Math.Abs(GridCapW) > MaxGridLimitW);
        bool absurdFloor = GridFloorW == double.PositiveInfinity || (double.IsFinite(GridFloorW) && Math.Abs(GridFloorW) > MaxGridLimitW);
        if (absurdCap)
        {
            c.Fail(nameof(GridCapW), OptionError.Format(GridCapW), $"must be within ±{OptionError.Format(MaxGridLimitW)} W, or Infinity for no cap");
        }

        if (absurdFloor)
        {
            c.Fail(nameof(GridFloorW), OptionError.Format(GridFloorW), $"must be within ±{OptionError.Format(MaxGridLimitW)} W, or -Infinity for no floor");
        }

        if (!absurdCap && !absurdFloor && !double.IsNaN(GridCapW) && !double.IsNaN(GridFloorW) && GridCapW <= GridFloorW)
        {
            c.Fail(nameof(GridCapW), OptionError.Format(GridCapW), $"must be above GridFloorW ({OptionError.Format(GridFloorW)} W): raise GridCapW or lower GridFloorW");
        }

        c.Range(nameof(SocMinPct), SocMinPct, 0, 100, "%");
        c.Range(nameof(SocMaxPct), SocMaxPct, 0, 100, "%");
        if (SocMaxPct <= SocMinPct)
        {
            // A pair: the message names both values and both ways to fix it (this check cannot know which one was typed).
            c.Fail(nameof(SocMinPct), OptionError.Format(SocMinPct),
                $"must be below SocMaxPct ({OptionError.Format(SocMaxPct)} %): lower SocMinPct or raise SocMaxPct");
        }
        else
        {
            c.Range(nameof(SocTargetPct), SocTargetPct, Math.Max(0, SocMinPct), Math.Min(100, SocMaxPct), "% (between SocMinPct and SocMaxPct)");
        }
        c.Above(nameof(EnergyWh), EnergyWh, 0, 1e13, "Wh");
        c.Range(nameof(MaxChargeW), MaxChargeW, 0, 1e12, "W");
        c.Range(nameof(MaxDischargeW), MaxDischargeW, 0, 1e12, "W");
        c.Above(nameof(ChargeEfficiency), ChargeEfficiency, 0, 1, "");
        c.Above(nameof(DischargeEfficiency), DischargeEfficiency, 0, 1, "");
        c.Above(nameof(SocRecoveryS), SocRecoveryS, 0, 1e7, "s");
        c.Above(nameof(SocRecoveryMaxFraction), SocRecoveryMaxFraction, 0, 1, "");
        c.Above(nameof(SocGuardS), SocGuardS, 0, 3600, "s");
        c.Above(nameof(PowerHeadroomMemoryS), PowerHeadroomMemoryS, 0, 86_400, "s");
        c.Range(nameof(LatencyCompensationMs), LatencyCompensationMs, 0, 1000, "ms (0 = off)");
        c.Range(nameof(LatencyCompensationMaxPeriodS), LatencyCompensationMaxPeriodS, 0.01, 120, "s");
        if (!double.IsNaN(ExpectedLoadMaxW))
        {
            c.Range(nameof(ExpectedLoadMaxW), ExpectedLoadMaxW, -1e12, 1e12, "W (or NaN to learn)");
        }

        if (!double.IsNaN(ExpectedLoadMinW))
        {
            c.Range(nameof(ExpectedLoadMinW), ExpectedLoadMinW, -1e12, 1e12, "W (or NaN to learn)");
        }

        return c.Errors;
    }

    /// <summary>Returns a copy (options are mutable for configuration binding; controllers keep their own copy).</summary>
    public ControllerOptions Clone() => (ControllerOptions)MemberwiseClone();
}
