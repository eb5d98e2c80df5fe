using Edge.Simulation.Profiles;

namespace Edge.Simulation.Ina;

/// <summary>
/// The analog side of a simulated shunt monitor: the load current through the shunt and the bus voltage, driven by an
/// <see cref="ILoadProfile"/> (cluster power) of which this sensor carries <see cref="LoadShare"/>. With a source
/// resistance R the bus sags: V = V₀ − I·R and P = V·I, so I = (V₀ − √(V₀² − 4RP)) / 2R.
/// </summary>
public sealed class InaSignal
{
    private readonly ILoadProfile _profile;

    /// <summary>Creates the signal.</summary>
    public InaSignal(ILoadProfile profile, double loadShare, double busVoltageV, double sourceOhm, double shuntOhm, double noiseLsb = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(noiseLsb);
        NoiseLsb = noiseLsb;
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfNegative(loadShare);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(busVoltageV);
        ArgumentOutOfRangeException.ThrowIfNegative(sourceOhm);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shuntOhm);
        _profile = profile;
        LoadShare = loadShare;
        OpenCircuitVoltageV = busVoltageV;
        SourceOhm = sourceOhm;
        ShuntOhm = shuntOhm;
    }

    /// <summary>
    /// RMS noise added to every shunt and bus conversion, in LSB of the chip's ADC (0 = an ideal ADC, whose registers
    /// repeat bit for bit under a constant load). Deterministic (seeded per chip).
    /// </summary>
    public double NoiseLsb { get; }

    /// <summary>Share of the profile's power through this shunt.</summary>
    public double LoadShare { get; }

    /// <summary>Bus voltage without load, V.</summary>
    public double OpenCircuitVoltageV { get; }

    /// <summary>Source resistance, Ω.</summary>
    public double SourceOhm { get; }

    /// <summary>The true shunt resistance, Ω.</summary>
    public double ShuntOhm { get; }

    /// <summary>The true power through this sensor at <paramref name="timeS"/>, W.</summary>
    public double PowerAt(double timeS) => _profile.PowerAt(timeS) * LoadShare;

    /// <summary>Current and bus voltage at <paramref name="timeS"/>.</summary>
    public (double CurrentA, double BusVoltageV) At(double timeS)
    {
        double p = PowerAt(timeS);
        double v0 = OpenCircuitVoltageV;
        if (SourceOhm <= 0)
        {
            return (p / v0, v0);
        }

        double discriminant = Math.Max(0, (v0 * v0) - (4 * SourceOhm * p));
        double i = (v0 - Math.Sqrt(discriminant)) / (2 * SourceOhm);
        return (i, v0 - (i * SourceOhm));
    }
}
