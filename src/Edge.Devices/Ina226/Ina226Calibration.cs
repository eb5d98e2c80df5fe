using System.Globalization;

namespace Edge.Devices.Ina226;

/// <summary>
/// INA226 calibration, computed from the datasheet's equations (TI SBOS547 §7.5 "Programming"):
/// <list type="bullet">
/// <item>Equation 2: Current_LSB = Maximum Expected Current / 2^15 (the smallest LSB; rounding it up is allowed).</item>
/// <item>Equation 1: CAL = 0.00512 / (Current_LSB × R_SHUNT) — 0.00512 is an internal fixed value that keeps the
///   scaling in range; CAL is 15 bits (register 05h bits 14:0).</item>
/// <item>Power_LSB = 25 × Current_LSB (fixed ratio, "25 W/bit to 1 A/bit").</item>
/// </list>
/// Worked example (the datasheet's "Configure/Measure/Calculate Example" table): R_SHUNT = 2 mΩ, Current_LSB = 1 mA →
/// CAL = 0.00512 / (0.001 × 0.002) = 2560 (0A00h). CAL is truncated, and the LSB actually applied by the chip is
/// recomputed from the integer CAL (<see cref="CurrentLsbA"/> = 0.00512 / (CAL × R)), so rounding CAL never biases
/// the readings and the full-scale current never shrinks below the requested maximum.
/// </summary>
/// <param name="ShuntOhm">Shunt resistance, Ω.</param>
/// <param name="CurrentLsbA">Effective current LSB, A/bit (what the chip applies with <paramref name="Value"/>).</param>
/// <param name="Value">Calibration register value (1–32767).</param>
public readonly record struct Ina226Calibration(double ShuntOhm, double CurrentLsbA, ushort Value)
{
    /// <summary>Equation 1's fixed constant, V (0.00512).</summary>
    public const double Constant = 0.00512;

    /// <summary>Shunt-voltage full scale, V (±81.92 mV = 32767.5 × 2.5 µV).</summary>
    public const double ShuntFullScaleV = 0.08192;

    /// <summary>Power LSB per current LSB (25).</summary>
    public const double PowerLsbRatio = 25;

    /// <summary>Power LSB, W/bit.</summary>
    public double PowerLsbW => PowerLsbRatio * CurrentLsbA;

    /// <summary>Largest current the CURRENT register can represent, A.</summary>
    public double FullScaleCurrentA => 32767 * CurrentLsbA;

    /// <summary>
    /// Computes the calibration for a shunt and the largest expected current (or an explicit current LSB). Throws
    /// <see cref="ArgumentException"/> with the reason when the combination cannot be measured.
    /// </summary>
    public static Ina226Calibration Compute(double shuntOhm, double maxCurrentA, double currentLsbA = double.NaN)
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
        if (shuntAtMaxV > ShuntFullScaleV)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{maxCurrentA} A through {shuntOhm} Ω gives {shuntAtMaxV * 1e3:G6} mV, beyond the INA226's ±81.92 mV shunt input: use a smaller shunt."),
                nameof(maxCurrentA));
        }

        double minimumLsbA = maxCurrentA / 32768.0; // equation 2
        double lsbA = double.IsNaN(currentLsbA) ? minimumLsbA : currentLsbA;
        if (!double.IsFinite(lsbA) || lsbA < minimumLsbA * (1 - 1e-12))
        {
            throw new ArgumentOutOfRangeException(nameof(currentLsbA), currentLsbA, string.Create(CultureInfo.InvariantCulture,
                $"Current_LSB must be at least max current / 2^15 = {minimumLsbA:G6} A."));
        }

        double exact = Constant / (lsbA * shuntOhm); // equation 1
        double truncated = Math.Floor(exact + 1e-9); // the 1e-9 keeps exact integers (2560.0000000001) from dropping
        if (truncated < 1 || truncated > 0x7FFF)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Calibration value {exact:G6} does not fit the INA226's 15-bit register (1–32767) for {shuntOhm} Ω and Current_LSB {lsbA:G6} A."),
                nameof(shuntOhm));
        }

        ushort value = (ushort)truncated;
        return new Ina226Calibration(shuntOhm, Constant / (value * shuntOhm), value);
    }
}
