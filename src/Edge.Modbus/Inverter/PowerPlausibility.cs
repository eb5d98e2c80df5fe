using System.Globalization;

namespace Edge.Modbus.Inverter;

/// <summary>
/// The one rule on a battery inverter's measured AC power, for every device family: a reading beyond
/// ±<see cref="Margin"/> × the rated power is not a fact (issue 13). <see cref="SunSpecPlausibility"/> applies it to
/// 701 <c>W</c> (so the guard, which reads with the SunSpec profile alone, sees it too), and <see cref="ModbusInverter"/>
/// applies it to the reading of every profile — a register map as much as SunSpec — so that such an inverter is
/// <c>Misconfigured</c> (its power and SoC published as null) and never enabled from that reading. Allocation-free.
/// </summary>
internal static class PowerPlausibility
{
    /// <summary>
    /// How far beyond its rated power a measured AC power may be and still be a fact: 1.5 ×. Real inverters run above
    /// their nameplate for seconds (overload ratings of 110–150 % are common), a measurement overshoots a step and a
    /// scale factor rounds; none of that reaches 1.5 ×. What this catches is what a wrong scale factor (× 10), a wrong
    /// register map or a corrupted value reports — 10 × or more, e.g. 20 kW on a 2 kW device (the HIL rig,
    /// 2026-12-04). A tighter bound would turn a healthy device running at its overload limit into a fault (and so out
    /// of control); a looser one lets a reading the device cannot deliver into control and into the guard's ramp.
    /// </summary>
    public const double Margin = 1.5;

    /// <summary>The rule as <see cref="SunSpecPlausibility"/> states it (its rating points named); built once.</summary>
    public static readonly string SunSpecRule = RuleFor("RatedPowerW, else 802 WChaRteMax/WDisChaRteMax or 124 WChaMax");

    /// <summary>The rule as the driver states it for any profile; built once.</summary>
    public static readonly string DeviceRule = RuleFor("RatedPowerW, else the rating the device reports");

    /// <summary>True when <paramref name="powerW"/> is within ±<see cref="Margin"/> × <paramref name="ratedW"/>, or
    /// either is unknown (no reading is not an implausible one; no rating bounds nothing).</summary>
    public static bool IsPlausible(double powerW, double ratedW) =>
        !(ratedW > 0) || !double.IsFinite(powerW) || Math.Abs(powerW) <= Margin * ratedW;

    /// <summary>The power of <paramref name="point"/> as <see cref="Implausible"/> when beyond the margin, else none.</summary>
    /// <param name="point">The point's name (a constant or a string built once: nothing is allocated here).</param>
    /// <param name="powerW">The measured power, W (either sign convention).</param>
    /// <param name="ratedW">The rated power, W; 0 or NaN = unknown.</param>
    /// <param name="rule">The rule's text (<see cref="SunSpecRule"/> or <see cref="DeviceRule"/>).</param>
    public static Implausible Check(string point, double powerW, double ratedW, string rule) =>
        IsPlausible(powerW, ratedW) ? default : new Implausible(point, powerW, rule, Margin * ratedW);

    private static string RuleFor(string ratings) => string.Create(CultureInfo.InvariantCulture,
        $"a battery inverter delivers at most {Margin:0.###} × its rated power ({ratings}) — a wrong scale factor or register map, or a corrupted value: not trusted");
}
