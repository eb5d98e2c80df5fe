using System.Globalization;

namespace Edge.Devices.Ina228;

/// <summary>
/// INA228 calibration from the datasheet's equations (TI SLYS021 §8.1.2 "Current, Power, Energy, and Charge Calculations"):
/// <list type="bullet">
/// <item>CURRENT_LSB = Maximum Expected Current / 2^19 (the CURRENT register has 19 value bits plus sign).</item>
/// <item>SHUNT_CAL = 13107.2 × 10^6 × CURRENT_LSB × R_SHUNT for ADCRANGE = 0; multiplied by 4 for ADCRANGE = 1.
///   13107.2e6 is an internal fixed value that scales the shunt voltage to current; SHUNT_CAL is 15 bits (14:0).</item>
/// <item>Power [W] = 3.2 × CURRENT_LSB × POWER; Energy [J] = 16 × 3.2 × CURRENT_LSB × ENERGY;
///   Charge [C] = CURRENT_LSB × CHARGE.</item>
/// </list>
/// Worked example (the same engine's application example, INA229 SLYS023 Table 8-4): 10 A maximum through 16.2 mΩ →
/// CURRENT_LSB = 10 / 2^19 = 19.073486 µA, SHUNT_CAL = 13107.2e6 × 19.073486e-6 × 0.0162 = 4050 (ADCRANGE 0, since
/// 10 A × 16.2 mΩ = 162 mV needs the ±163.84 mV range); power LSB 61.035156 µW, energy LSB 976.5625 µJ.
/// SHUNT_CAL is rounded up and the LSB the chip applies is recomputed from the integer (<see cref="CurrentLsbA"/>), so
/// the full scale never shrinks below the requested maximum and readings are not biased by the rounding.
/// </summary>
/// <param name="ShuntOhm">Shunt resistance, Ω.</param>
/// <param name="CurrentLsbA">Effective current LSB, A/bit.</param>
/// <param name="Value">SHUNT_CAL register value (1–32767).</param>
/// <param name="AdcRange1">True when ADCRANGE = 1 (±40.96 mV).</param>
public readonly record struct Ina228Calibration(double ShuntOhm, double CurrentLsbA, ushort Value, bool AdcRange1)
{
    /// <summary>The datasheet's internal scaling constant, 13107.2 × 10^6.</summary>
    public const double Constant = 13107.2e6;

    /// <summary>Shunt full scale with ADCRANGE = 0, V.</summary>
    public const double FullScaleRange0V = 0.16384;

    /// <summary>Shunt full scale with ADCRANGE = 1, V.</summary>
    public const double FullScaleRange1V = 0.04096;

    /// <summary>Power LSB, W/bit (3.2 × CURRENT_LSB).</summary>
    public double PowerLsbW => 3.2 * CurrentLsbA;

    /// <summary>Energy LSB, J/bit (16 × 3.2 × CURRENT_LSB).</summary>
    public double EnergyLsbJ => 16 * 3.2 * CurrentLsbA;

    /// <summary>Shunt-voltage LSB for the chosen range, V/bit.</summary>
    public double ShuntVoltageLsbV => AdcRange1 ? 78.125e-9 : 312.5e-9;

    /// <summary>Computes the calibration. Throws <see cref="ArgumentException"/> with the reason when impossible.</summary>
    public static Ina228Calibration Compute(double shuntOhm, double maxCurrentA, Ina228AdcRange range = Ina228AdcRange.Auto, double currentLsbA = double.NaN)
    {
        if (!double.IsFinite(shuntOhm) || shuntOhm <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shuntOhm), shuntOhm, "The shunt resistance must be a finite number > 0 Ω.");
        }

        if (!double.IsFinite(maxCurrentA) || maxCurrentA <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCurrentA), maxCurrentA, "The maximum current must be a finite number > 0 A.");
        }

        double shuntAtMaxV = maxCurrentA * shuntOhm;
        bool range1 = range switch
        {
            Ina228AdcRange.Range41mV => true,
            Ina228AdcRange.Range163mV => false,
            _ => shuntAtMaxV <= FullScaleRange1V,
        };
        double fullScale = range1 ? FullScaleRange1V : FullScaleRange0V;
        if (shuntAtMaxV > fullScale)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{maxCurrentA} A through {shuntOhm} Ω gives {shuntAtMaxV * 1e3:G6} mV, beyond the INA228's ±{fullScale * 1e3:0.##} mV range: use a smaller shunt{(range1 ? " or ADCRANGE 0 (±163.84 mV)" : string.Empty)}."),
                nameof(maxCurrentA));
        }

        double minimumLsbA = maxCurrentA / 524288.0; // 2^19
        double lsbA = double.IsNaN(currentLsbA) ? minimumLsbA : currentLsbA;
        if (!double.IsFinite(lsbA) || lsbA < minimumLsbA * (1 - 1e-12))
        {
            throw new ArgumentOutOfRangeException(nameof(currentLsbA), currentLsbA, string.Create(CultureInfo.InvariantCulture,
                $"CURRENT_LSB must be at least max current / 2^19 = {minimumLsbA:G6} A."));
        }

        double factor = range1 ? 4 : 1;
        double exact = Constant * lsbA * shuntOhm * factor;
        double rounded = Math.Ceiling(exact - 1e-9); // 4050.0000000001 stays 4050
        if (rounded < 1 || rounded > 0x7FFF)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"SHUNT_CAL {exact:G6} does not fit the INA228's 15-bit register (1–32767) for {shuntOhm} Ω and CURRENT_LSB {lsbA:G6} A: choose a larger shunt or a larger maximum current."),
                nameof(shuntOhm));
        }

        ushort value = (ushort)rounded;
        return new Ina228Calibration(shuntOhm, value / (Constant * shuntOhm * factor), value, range1);
    }
}
