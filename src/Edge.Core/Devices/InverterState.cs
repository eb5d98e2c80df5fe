namespace Edge.Core.Devices;

/// <summary>
/// What a battery inverter reports, normalised to Edge's sign convention (docs/DESIGN.md §1):
/// <c>MeasuredPowerW &gt; 0</c> = discharging into the site.
/// </summary>
/// <param name="TimestampNs">Monotonic time of the measurement (ns).</param>
/// <param name="MeasuredPowerW">Measured AC power, W; positive = discharging.</param>
/// <param name="SocPct">State of charge, %.</param>
/// <param name="AllowedChargeW">Charge power the device accepts now, W (≥ 0).</param>
/// <param name="AllowedDischargeW">Discharge power the device can deliver now, W (≥ 0).</param>
/// <param name="CapacityWh">Usable energy capacity, Wh (used for SoC weighting).</param>
/// <param name="LastSetpointW">The last setpoint the device acknowledged, W (Edge's sign convention).</param>
/// <param name="Health">Link and device health.</param>
public readonly record struct InverterState(
    long TimestampNs,
    double MeasuredPowerW,
    double SocPct,
    double AllowedChargeW,
    double AllowedDischargeW,
    double CapacityWh,
    double LastSetpointW,
    InverterHealth Health)
{
    /// <summary>True when the inverter can take setpoints.</summary>
    public bool IsUsable => Health == InverterHealth.Ok && double.IsFinite(MeasuredPowerW) && double.IsFinite(SocPct);

    /// <summary>A state that says "nothing known".</summary>
    public static InverterState Missing => new(0, 0, double.NaN, 0, 0, 0, 0, InverterHealth.Missing);
}
