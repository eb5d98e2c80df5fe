namespace Edge.Core.Control;

/// <summary>
/// The battery's usable power this tick: the smaller of what the inverters report, what is configured, and what the
/// state of charge allows. Near a SoC limit the allowed power tapers linearly with the energy left, so that at most
/// <c>1/SocGuardS</c> of the remaining energy is used per second: SoC approaches its limit exponentially and never
/// crosses it while the battery's latency is shorter than <c>SocGuardS</c>. Shared by the smoothing controller and
/// every baseline, so "battery limits are never exceeded" holds for all of them by construction.
/// </summary>
public sealed class BatteryEnvelope
{
    private readonly double _energyJ;
    private readonly double _socMinPct;
    private readonly double _socMaxPct;
    private readonly double _chargeEfficiency;
    private readonly double _dischargeEfficiency;
    private readonly double _guardS;
    private readonly double _maxChargeW;
    private readonly double _maxDischargeW;

    /// <summary>Creates the envelope from validated options.</summary>
    public BatteryEnvelope(ControllerOptions options)
    {
        _energyJ = options.EnergyWh * 3600.0;
        _socMinPct = options.SocMinPct;
        _socMaxPct = options.SocMaxPct;
        _chargeEfficiency = options.ChargeEfficiency;
        _dischargeEfficiency = options.DischargeEfficiency;
        _guardS = options.SocGuardS;
        _maxChargeW = options.MaxChargeW;
        _maxDischargeW = options.MaxDischargeW;
    }

    /// <summary>Charge limit computed by the last <see cref="Update"/>, W (≥ 0).</summary>
    public double AllowedChargeW { get; private set; }

    /// <summary>Discharge limit computed by the last <see cref="Update"/>, W (≥ 0).</summary>
    public double AllowedDischargeW { get; private set; }

    /// <summary>SoC flags (<see cref="ControlFlags.SocLow"/>, <see cref="ControlFlags.SocHigh"/>) of the last update.</summary>
    public ControlFlags Flags { get; private set; }

    /// <summary>Recomputes the limits for this tick's inputs.</summary>
    public void Update(in TickInput input)
    {
        Flags = ControlFlags.None;
        if ((input.Health & InputHealth.BatteryUnavailable) != 0 || !double.IsFinite(input.SocPct))
        {
            AllowedChargeW = 0;
            AllowedDischargeW = 0;
            return;
        }

        double reportedCharge = double.IsFinite(input.AllowedChargeW) ? Math.Max(0, input.AllowedChargeW) : 0;
        double reportedDischarge = double.IsFinite(input.AllowedDischargeW) ? Math.Max(0, input.AllowedDischargeW) : 0;
        double powerCharge = Math.Min(_maxChargeW, reportedCharge);
        double powerDischarge = Math.Min(_maxDischargeW, reportedDischarge);

        // Energy left above the minimum (in the cells), delivered through the discharge efficiency.
        double aboveMinJ = Math.Max(0, (input.SocPct - _socMinPct) * 0.01 * _energyJ);
        double socDischarge = aboveMinJ * _dischargeEfficiency / _guardS;
        // Room left below the maximum, filled through the charge efficiency.
        double belowMaxJ = Math.Max(0, (_socMaxPct - input.SocPct) * 0.01 * _energyJ);
        double socCharge = belowMaxJ / (_chargeEfficiency * _guardS);

        if (socDischarge < powerDischarge)
        {
            Flags |= ControlFlags.SocLow;
        }

        if (socCharge < powerCharge)
        {
            Flags |= ControlFlags.SocHigh;
        }

        AllowedDischargeW = Math.Min(powerDischarge, socDischarge);
        AllowedChargeW = Math.Min(powerCharge, socCharge);
    }

    /// <summary>Clamps a desired setpoint into the envelope; sets the saturation flag that applies.</summary>
    public double Clamp(double desiredW, ref ControlFlags flags)
    {
        if (double.IsNaN(desiredW))
        {
            return 0;
        }

        if (desiredW > AllowedDischargeW)
        {
            flags |= ControlFlags.SaturatedDischarge;
            return AllowedDischargeW;
        }

        if (desiredW < -AllowedChargeW)
        {
            flags |= ControlFlags.SaturatedCharge;
            return -AllowedChargeW;
        }

        return desiredW;
    }
}
