namespace Edge.Core.Control;

/// <summary>
/// Limits an operator may change at run time (the <c>cmd/limits</c> command). A change is applied whole or not at
/// all, never beyond the configured <see cref="ControllerOptions"/>, and always through the ramp limiter.
/// </summary>
/// <param name="RampUpWPerS">Up-ramp limit, W/s (≤ the configured one).</param>
/// <param name="RampDownWPerS">Down-ramp limit, W/s (≤ the configured one).</param>
/// <param name="GridCapW">Grid cap, W (≤ the configured one).</param>
/// <param name="GridFloorW">Grid floor, W (≥ the configured one).</param>
/// <param name="SocTargetPct">SoC target, % (within the configured SoC range).</param>
public readonly record struct ControllerLimits(
    double RampUpWPerS,
    double RampDownWPerS,
    double GridCapW,
    double GridFloorW,
    double SocTargetPct)
{
    /// <summary>The limits as configured.</summary>
    public static ControllerLimits From(ControllerOptions o) =>
        new(o.RampUpWPerS, o.RampDownWPerS, o.GridCapW, o.GridFloorW, o.SocTargetPct);

    /// <summary>
    /// Checks these limits against the configured hardware/contract limits. Returns null when acceptable, else the
    /// reason (naming the field and the allowed range).
    /// </summary>
    public string? Check(ControllerOptions configured)
    {
        if (!double.IsFinite(RampUpWPerS) || RampUpWPerS <= 0 || RampUpWPerS > configured.RampUpWPerS)
        {
            return $"ramp_up_w_per_s must be in (0, {OptionError.Format(configured.RampUpWPerS)}]";
        }

        if (!double.IsFinite(RampDownWPerS) || RampDownWPerS <= 0 || RampDownWPerS > configured.RampDownWPerS)
        {
            return $"ramp_down_w_per_s must be in (0, {OptionError.Format(configured.RampDownWPerS)}]";
        }

        if (double.IsFinite(GridCapW) && Math.Abs(GridCapW) > ControllerOptions.MaxGridLimitW)
        {
            return $"grid_cap_w must be within ±{OptionError.Format(ControllerOptions.MaxGridLimitW)} W";
        }

        if (double.IsFinite(GridFloorW) && Math.Abs(GridFloorW) > ControllerOptions.MaxGridLimitW)
        {
            return $"grid_floor_w must be within ±{OptionError.Format(ControllerOptions.MaxGridLimitW)} W";
        }

        if (double.IsNaN(GridCapW) || GridCapW > configured.GridCapW)
        {
            return $"grid_cap_w must be at most {OptionError.Format(configured.GridCapW)}";
        }

        if (double.IsNaN(GridFloorW) || GridFloorW < configured.GridFloorW)
        {
            return $"grid_floor_w must be at least {OptionError.Format(configured.GridFloorW)}";
        }

        if (GridCapW <= GridFloorW)
        {
            return "grid_cap_w must be above grid_floor_w";
        }

        if (!double.IsFinite(SocTargetPct) || SocTargetPct < configured.SocMinPct || SocTargetPct > configured.SocMaxPct)
        {
            return $"soc_target_pct must be in [{OptionError.Format(configured.SocMinPct)}, {OptionError.Format(configured.SocMaxPct)}]";
        }

        return null;
    }
}
