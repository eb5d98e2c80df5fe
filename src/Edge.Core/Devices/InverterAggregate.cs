namespace Edge.Core.Devices;

/// <summary>
/// The inverters seen as one battery: sums of measured power and allowed power over usable units, and the
/// energy-weighted SoC. Unusable units contribute nothing (their power is gone; the controller sees less headroom).
/// </summary>
/// <param name="MeasuredPowerW">Sum of measured power over usable inverters, W (positive = discharging).</param>
/// <param name="SocPct">Energy-weighted SoC over usable inverters, % (NaN when none is usable).</param>
/// <param name="AllowedChargeW">Sum of allowed charge power, W.</param>
/// <param name="AllowedDischargeW">Sum of allowed discharge power, W.</param>
/// <param name="CapacityWh">Sum of usable capacity, Wh.</param>
/// <param name="UsableCount">Number of inverters that can take setpoints.</param>
public readonly record struct InverterAggregate(
    double MeasuredPowerW,
    double SocPct,
    double AllowedChargeW,
    double AllowedDischargeW,
    double CapacityWh,
    int UsableCount)
{
    /// <summary>Aggregates the given states. Allocation-free.</summary>
    public static InverterAggregate Of(ReadOnlySpan<InverterState> inverters)
    {
        double powerW = 0, chargeW = 0, dischargeW = 0, capacityWh = 0, socWeighted = 0, socPlain = 0;
        int usable = 0;
        foreach (ref readonly InverterState s in inverters)
        {
            if (!s.IsUsable)
            {
                continue;
            }

            usable++;
            powerW += s.MeasuredPowerW;
            chargeW += Math.Max(0, s.AllowedChargeW);
            dischargeW += Math.Max(0, s.AllowedDischargeW);
            double cap = Math.Max(0, s.CapacityWh);
            capacityWh += cap;
            socWeighted += s.SocPct * cap;
            socPlain += s.SocPct;
        }

        double soc = usable == 0 ? double.NaN : capacityWh > 0 ? socWeighted / capacityWh : socPlain / usable;
        return new InverterAggregate(powerW, soc, chargeW, dischargeW, capacityWh, usable);
    }
}
