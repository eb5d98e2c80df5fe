namespace Edge.Core.Battery;

/// <summary>Parameters of <see cref="BatteryModel"/>; units in the names.</summary>
public sealed class BatteryModelOptions
{
    /// <summary>Usable energy, Wh (0 % to 100 % SoC).</summary>
    public double EnergyWh { get; set; } = 1_000;

    /// <summary>Largest AC charge power, W.</summary>
    public double MaxChargeW { get; set; } = 10_000;

    /// <summary>Largest AC discharge power, W.</summary>
    public double MaxDischargeW { get; set; } = 10_000;

    /// <summary>Fraction of AC charge energy that reaches the cells (0–1].</summary>
    public double ChargeEfficiency { get; set; } = 0.95;

    /// <summary>Fraction of cell energy delivered as AC (0–1].</summary>
    public double DischargeEfficiency { get; set; } = 0.95;

    /// <summary>First-order response time constant of the power stage, ms (0 = immediate).</summary>
    public double TimeConstantMs { get; set; }

    /// <summary>Pure delay between a setpoint and the start of the response, ms.</summary>
    public double LatencyMs { get; set; }

    /// <summary>The device's own ramp-rate limit on its output, W/s (+∞ = none).</summary>
    public double RampWPerS { get; set; } = double.PositiveInfinity;

    /// <summary>SoC at start, %.</summary>
    public double InitialSocPct { get; set; } = 50;

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Battery")
    {
        var c = new OptionChecks(section);
        c.Above(nameof(EnergyWh), EnergyWh, 0, 1e13, "Wh");
        c.Range(nameof(MaxChargeW), MaxChargeW, 0, 1e12, "W");
        c.Range(nameof(MaxDischargeW), MaxDischargeW, 0, 1e12, "W");
        c.Above(nameof(ChargeEfficiency), ChargeEfficiency, 0, 1, "");
        c.Above(nameof(DischargeEfficiency), DischargeEfficiency, 0, 1, "");
        c.Range(nameof(TimeConstantMs), TimeConstantMs, 0, 600_000, "ms");
        c.Range(nameof(LatencyMs), LatencyMs, 0, 60_000, "ms");
        if (!(RampWPerS > 0))
        {
            c.Fail(nameof(RampWPerS), OptionError.Format(RampWPerS), "must be above 0 W/s (Infinity for none)");
        }

        c.Range(nameof(InitialSocPct), InitialSocPct, 0, 100, "%");
        return c.Errors;
    }

    /// <summary>Returns a copy.</summary>
    public BatteryModelOptions Clone() => (BatteryModelOptions)MemberwiseClone();
}
