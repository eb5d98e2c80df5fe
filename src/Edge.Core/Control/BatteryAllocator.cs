using Edge.Core.Devices;

namespace Edge.Core.Control;

/// <summary>
/// Splits the total battery setpoint across inverters (docs/DESIGN.md §3, allocate phase), by headroom and SoC:
/// discharge is shared in proportion to each unit's energy above <c>SocMinPct</c> (fuller units give more), charge in
/// proportion to its room below <c>SocMaxPct</c> (emptier units take more) — which balances SoC over time — and no
/// unit gets more than it allows. What a capped unit cannot take is redistributed among the others (water-filling).
/// Unusable units get 0 W. Allocation-free: the caller owns the output span.
/// </summary>
public static class BatteryAllocator
{
    /// <summary>
    /// Allocates what the usable inverters must deliver of <paramref name="totalW"/> when others deliver
    /// <paramref name="uncontrolledW"/> that cannot be commanded (<see cref="Devices.InverterAggregate.UncontrolledPowerW"/>):
    /// <c>totalW − uncontrolledW</c>, but never of the opposite sign to <paramref name="totalW"/> (the usable units are
    /// not made to circulate power against the others; 0 then). Returns the sum allocated to the usable units.
    /// </summary>
    public static double Allocate(double totalW, double uncontrolledW, ReadOnlySpan<InverterState> inverters, double socMinPct, double socMaxPct, Span<double> setpointsW)
    {
        double controllableW = totalW;
        if (double.IsFinite(uncontrolledW) && uncontrolledW != 0)
        {
            controllableW = totalW - uncontrolledW;
            if (controllableW * totalW < 0 || (totalW == 0 && controllableW != 0))
            {
                controllableW = 0;
            }
        }

        return Allocate(controllableW, inverters, socMinPct, socMaxPct, setpointsW);
    }

    /// <summary>Allocates <paramref name="totalW"/> (positive = discharge); returns the sum actually allocated.</summary>
    /// <param name="totalW">Total setpoint, W.</param>
    /// <param name="inverters">Current states, in configuration order.</param>
    /// <param name="socMinPct">SoC floor used for discharge weights, %.</param>
    /// <param name="socMaxPct">SoC ceiling used for charge weights, %.</param>
    /// <param name="setpointsW">Output: one setpoint per inverter, W.</param>
    public static double Allocate(double totalW, ReadOnlySpan<InverterState> inverters, double socMinPct, double socMaxPct, Span<double> setpointsW)
    {
        if (setpointsW.Length < inverters.Length)
        {
            throw new ArgumentException("One setpoint slot per inverter is required.", nameof(setpointsW));
        }

        setpointsW[..inverters.Length].Clear();
        if (!double.IsFinite(totalW) || totalW == 0)
        {
            return 0;
        }

        bool discharge = totalW > 0;
        double remainingW = Math.Abs(totalW);
        double allocatedW = 0;

        // Each pass shares what remains among units not yet capped; at least one unit caps per pass (or all fit).
        for (int pass = 0; pass < inverters.Length && remainingW > 0; pass++)
        {
            double weightSum = 0;
            for (int i = 0; i < inverters.Length; i++)
            {
                weightSum += Weight(inverters[i], discharge, socMinPct, socMaxPct, Math.Abs(setpointsW[i]));
            }

            if (weightSum <= 0)
            {
                break;
            }

            double handedW = 0;
            for (int i = 0; i < inverters.Length; i++)
            {
                double weight = Weight(inverters[i], discharge, socMinPct, socMaxPct, Math.Abs(setpointsW[i]));
                if (weight <= 0)
                {
                    continue;
                }

                double roomW = Limit(inverters[i], discharge) - Math.Abs(setpointsW[i]);
                double shareW = Math.Min(roomW, remainingW * weight / weightSum);
                setpointsW[i] += discharge ? shareW : -shareW;
                handedW += shareW;
            }

            remainingW -= handedW;
            allocatedW += handedW;
            if (handedW <= 0)
            {
                break;
            }
        }

        return discharge ? allocatedW : -allocatedW;
    }

    private static double Limit(in InverterState s, bool discharge) =>
        Math.Max(0, discharge ? s.AllowedDischargeW : s.AllowedChargeW);

    private static double Weight(in InverterState s, bool discharge, double socMinPct, double socMaxPct, double givenW)
    {
        if (!s.IsUsable)
        {
            return 0;
        }

        double limitW = Limit(s, discharge);
        if (givenW >= limitW * (1 - 1e-12))
        {
            return 0;
        }

        double capacity = s.CapacityWh > 0 ? s.CapacityWh : 1;
        double socSpan = discharge ? s.SocPct - socMinPct : socMaxPct - s.SocPct;
        // A small floor keeps a unit with exactly 0 % margin from being ignored when others are capped:
        // its own allowed power (which the driver already tapers near empty/full) is then the only bound.
        return capacity * Math.Max(socSpan, 0.01) * (limitW > 0 ? 1 : 0);
    }
}
