using Edge.Core;

namespace Edge.Simulation.Inverter;

/// <summary>Parameters of a simulated power-conversion system (battery inverter); units in the names.</summary>
public sealed class SimulatedPcsOptions
{
    /// <summary>Rated AC power, both directions, W (WMax; the reference for ramp rates in %/s).</summary>
    public double RatedPowerW { get; set; } = 10_000;

    /// <summary>Usable energy, Wh.</summary>
    public double EnergyWh { get; set; } = 5_000;

    /// <summary>Pure delay between an accepted setpoint and the start of the response, ms.</summary>
    public double LatencyMs { get; set; } = 20;

    /// <summary>First-order time constant of the power stage, ms.</summary>
    public double TimeConstantMs { get; set; } = 50;

    /// <summary>State of charge at start, %.</summary>
    public double InitialSocPct { get; set; } = 50;

    /// <summary>Fraction of AC charge energy stored (0–1].</summary>
    public double ChargeEfficiency { get; set; } = 0.96;

    /// <summary>Fraction of cell energy delivered as AC (0–1].</summary>
    public double DischargeEfficiency { get; set; } = 0.96;

    /// <summary>The device's factory ramp limit, % of rated power per second, used until a controller programs one (WRmp).</summary>
    public double DefaultRampPctPerS { get; set; } = 100;

    /// <summary>The Modbus unit id the simulator answers (0 = any).</summary>
    public byte UnitId { get; set; }

    /// <summary>Which control model the device exposes: 704 (DER AC controls, with 713 and 802) or 124 (legacy storage).</summary>
    public int ControlModel { get; set; } = 704;

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "SimInverter")
    {
        var c = new OptionChecks(section);
        c.Above(nameof(RatedPowerW), RatedPowerW, 0, 3e9, "W");
        c.Above(nameof(EnergyWh), EnergyWh, 0, 3e9, "Wh");
        c.Range(nameof(LatencyMs), LatencyMs, 0, 60_000, "ms");
        c.Range(nameof(TimeConstantMs), TimeConstantMs, 0, 600_000, "ms");
        c.Range(nameof(InitialSocPct), InitialSocPct, 0, 100, "%");
        c.Above(nameof(ChargeEfficiency), ChargeEfficiency, 0, 1, "");
        c.Above(nameof(DischargeEfficiency), DischargeEfficiency, 0, 1, "");
        c.Above(nameof(DefaultRampPctPerS), DefaultRampPctPerS, 0, 100_000, "%/s");
        if (ControlModel is not (704 or 124))
        {
            c.Fail(nameof(ControlModel), ControlModel.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be 704 or 124");
        }

        return c.Errors;
    }

    /// <summary>Returns a copy.</summary>
    public SimulatedPcsOptions Clone() => (SimulatedPcsOptions)MemberwiseClone();
}
