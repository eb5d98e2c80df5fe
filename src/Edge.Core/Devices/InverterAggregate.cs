namespace Edge.Core.Devices;

/// <summary>
/// The inverters seen as one battery: sums of measured power and allowed power over usable units, and the
/// energy-weighted SoC. Unusable units add no headroom. A unit that still answers but cannot be commanded (it refuses
/// writes or reports a fault, is in local mode, or another controller holds it) still delivers what it answers — with
/// SunSpec reversion tracking, the power it was last given: that power is counted in <see cref="MeasuredPowerW"/> and
/// named in <see cref="UncontrolledPowerW"/>, so the others are not told to deliver it a second time.
/// </summary>
/// <param name="MeasuredPowerW">Sum of measured power over usable inverters and those of <paramref name="UncontrolledPowerW"/>, W (positive = discharging).</param>
/// <param name="SocPct">Energy-weighted SoC over usable inverters, % (NaN when none is usable).</param>
/// <param name="AllowedChargeW">Sum of allowed charge power, W.</param>
/// <param name="AllowedDischargeW">Sum of allowed discharge power, W.</param>
/// <param name="CapacityWh">Sum of usable capacity, Wh.</param>
/// <param name="UsableCount">Number of inverters that can take setpoints.</param>
/// <param name="UncontrolledPowerW">Measured power of inverters that answered within the age given to
/// <see cref="Of(ReadOnlySpan{InverterState}, long, long)"/> but cannot take setpoints, W (0 without an age).</param>
public readonly record struct InverterAggregate(
    double MeasuredPowerW,
    double SocPct,
    double AllowedChargeW,
    double AllowedDischargeW,
    double CapacityWh,
    int UsableCount,
    double UncontrolledPowerW = 0)
{
    /// <summary>Aggregates the given states over usable units only. Allocation-free.</summary>
    public static InverterAggregate Of(ReadOnlySpan<InverterState> inverters) => Of(inverters, 0, 0);

    /// <summary>
    /// Aggregates the given states; a unit that is not usable but answered (fault, refusing writes, local mode, lease
    /// held by another) within <paramref name="answeredMaxAgeNs"/> of <paramref name="nowNs"/> adds its measured power
    /// to <see cref="UncontrolledPowerW"/> (0: none is counted). Allocation-free.
    /// </summary>
    public static InverterAggregate Of(ReadOnlySpan<InverterState> inverters, long nowNs, long answeredMaxAgeNs)
    {
        double powerW = 0, chargeW = 0, dischargeW = 0, capacityWh = 0, socWeighted = 0, socPlain = 0, uncontrolledW = 0;
        int usable = 0;
        foreach (ref readonly InverterState s in inverters)
        {
            if (!s.IsUsable)
            {
                if (answeredMaxAgeNs > 0 && s.Health is InverterHealth.Fault or InverterHealth.NotEnabled or InverterHealth.LeaseLost
                    && double.IsFinite(s.MeasuredPowerW) && nowNs - s.TimestampNs <= answeredMaxAgeNs)
                {
                    uncontrolledW += s.MeasuredPowerW;
                }

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
        return new InverterAggregate(powerW + uncontrolledW, soc, chargeW, dischargeW, capacityWh, usable, uncontrolledW);
    }
}
