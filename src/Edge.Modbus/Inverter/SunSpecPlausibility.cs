using Edge.Modbus.Registers;
using Edge.Modbus.SunSpec;

namespace Edge.Modbus.Inverter;

/// <summary>
/// A value a SunSpec device reports that cannot be true of a working battery inverter: the point, the raw value and
/// the rule it breaks. <see cref="IsNone"/> when everything read is plausible. Carries only constant strings, so a
/// poll that finds nothing wrong allocates nothing.
/// </summary>
/// <param name="Point">Model and point, e.g. <c>802 SoCMax</c>.</param>
/// <param name="Value">The decoded value (NaN for an unimplemented marker).</param>
/// <param name="Rule">What a plausible value is, e.g. <c>must be in (0, 100] %</c>.</param>
/// <param name="Limit">The bound the value broke when the rule has one, in the point's unit (e.g. ±3000 for the 701
/// <c>W</c> of a 2 kW inverter); NaN otherwise.</param>
public readonly record struct Implausible(string? Point, double Value, string? Rule, double Limit = double.NaN)
{
    /// <summary>True when nothing implausible was found.</summary>
    public bool IsNone => Point is null;

    /// <inheritdoc />
    public override string ToString() => IsNone
        ? "plausible"
        : double.IsNaN(Value)
            ? $"{Point} is not implemented (unimplemented marker): {Rule}"
            : double.IsFinite(Limit)
                ? FormattableString.Invariant($"{Point} = {Value:G6}, beyond ±{Limit:G6}: {Rule}")
                : FormattableString.Invariant($"{Point} = {Value:G6}: {Rule}");
}

/// <summary>
/// Plausibility of what a SunSpec battery inverter reports (issue 13: implausible device values are faults, not facts).
/// A device whose 802 says <c>SoCMax</c> 0 would be read as "full" and never charge; limits of zero or inverted, a SoC
/// outside 0–100 %, a scale factor outside SunSpec's −10…10, an unimplemented marker on a point Edge needs and a
/// measured power (701 <c>W</c>) beyond ±<see cref="PowerPlausibility.Margin"/> × the rated power (the rule every
/// profile shares, <see cref="PowerPlausibility"/>) are all reported, and the driver
/// then reports the inverter <c>Misconfigured</c> instead of trusting the values (the guard does not ramp from them
/// either). Checked on every poll, allocation-free.
/// </summary>
internal static class SunSpecPlausibility
{
    private const string SocRule = "a state of charge must be in [0, 100] % — check the BMS/inverter configuration";
    private const string RequiredRule = "Edge needs this point — enable it in the device's SunSpec settings or use a register map";
    private const string ScaleRule = "SunSpec scale factors are in [-10, 10] — the device's model is misconfigured";
    private const string RateRule = "a rated charge/discharge power must be > 0 W — set it in the device";
    private const string CapacityRule = "a rated capacity must be > 0 Wh — set it in the device (or Inverter CapacityWh)";

    /// <summary>The first implausible value among the points <paramref name="p"/> reads, or none.</summary>
    /// <param name="p">The points, freshly read.</param>
    /// <param name="configuredRatedW">The rated power configured for the device (RatedPowerW), W; 0 = none: the
    /// device's own rating bounds its measured power.</param>
    public static Implausible Check(SunSpecInverterPoints p, double configuredRatedW = 0)
    {
        Implausible x;
        if (!(x = Required(p.Measure, p.W, "701 W")).IsNone)
        {
            return x;
        }

        if (p.Battery is { } b)
        {
            if (!(x = Required(b, p.BatSoC!, "802 SoC")).IsNone || !(x = Soc(b, p.BatSoC!, "802 SoC")).IsNone
                || !(x = Positive(b, p.WChaRteMax!, "802 WChaRteMax", RateRule)).IsNone
                || !(x = Positive(b, p.WDisChaRteMax!, "802 WDisChaRteMax", RateRule)).IsNone
                || !(x = Positive(b, p.BatWHRtg!, "802 WHRtg", CapacityRule)).IsNone)
            {
                return x;
            }

            // SoCMax and SoCMin are optional; when present they must leave room to charge and discharge.
            bool hasMax = Optional(b, p.SoCMax!, "802 SoCMax", out double socMax, out x);
            if (!x.IsNone)
            {
                return x;
            }

            bool hasMin = Optional(b, p.SoCMin!, "802 SoCMin", out double socMin, out x);
            if (!x.IsNone)
            {
                return x;
            }

            if (hasMax && socMax is <= 0 or > 100)
            {
                return new Implausible("802 SoCMax", socMax, "must be in (0, 100] % — at 0 the battery counts as full and never charges");
            }

            if (hasMin && socMin is < 0 or >= 100)
            {
                return new Implausible("802 SoCMin", socMin, "must be in [0, 100) % — at 100 the battery counts as empty and never discharges");
            }

            if (hasMax && hasMin && socMin >= socMax)
            {
                return new Implausible("802 SoCMin", socMin, "must be below 802 SoCMax — the limits are inverted, the battery can neither charge nor discharge");
            }
        }

        if (p.Capacity is { } c && p.Battery is null)
        {
            if (!(x = Soc(c, p.CapSoC!, "713 SoC")).IsNone || !(x = Positive(c, p.CapWHRtg!, "713 WHRtg", CapacityRule)).IsNone)
            {
                return x;
            }
        }

        if (p.Storage is { } s)
        {
            if (!(x = Positive(s, p.WChaMax!, "124 WChaMax", RateRule)).IsNone)
            {
                return x;
            }

            if (p.Battery is null && p.Capacity is null && !(x = Soc(s, p.ChaState!, "124 ChaState")).IsNone)
            {
                return x;
            }
        }

        // The ratings were checked above; the configured one takes precedence, as for every clamp of the driver.
        double ratedW = configuredRatedW > 0 ? configuredRatedW : DeviceRatedW(p);
        return p.Measure.TryRead(p.W, out double powerW) ? PowerPlausibility.Check("701 W", powerW, ratedW, PowerPlausibility.SunSpecRule) : default;
    }

    /// <summary>The rated power the device reports (802: the larger of charge and discharge; 124 <c>WChaMax</c>), W; 0 when none.</summary>
    private static double DeviceRatedW(SunSpecInverterPoints p)
    {
        double ratedW = 0;
        if (p.Battery is { } b)
        {
            if (b.TryRead(p.WChaRteMax!, out double cha) && cha > ratedW)
            {
                ratedW = cha;
            }

            if (b.TryRead(p.WDisChaRteMax!, out double dis) && dis > ratedW)
            {
                ratedW = dis;
            }
        }

        if (p.Storage is { } s && s.TryRead(p.WChaMax!, out double wChaMax) && wChaMax > ratedW)
        {
            ratedW = wChaMax;
        }

        return ratedW;
    }

    /// <summary>A point Edge cannot work without: implemented, with a valid scale factor.</summary>
    private static Implausible Required(SunSpecBlock block, SunSpecPoint point, string name)
    {
        if (ScaleFactor(block, point, name) is { IsNone: false } bad)
        {
            return bad;
        }

        return Raw(block, point, out _) ? default : new Implausible(name, double.NaN, RequiredRule);
    }

    /// <summary>An optional point: false when unimplemented; a bad scale factor is still implausible.</summary>
    private static bool Optional(SunSpecBlock block, SunSpecPoint point, string name, out double value, out Implausible problem)
    {
        problem = ScaleFactor(block, point, name);
        value = double.NaN;
        return problem.IsNone && Raw(block, point, out _) && block.TryRead(point, out value);
    }

    private static Implausible Soc(SunSpecBlock block, SunSpecPoint point, string name)
    {
        if (!Optional(block, point, name, out double soc, out Implausible problem))
        {
            return problem;
        }

        return soc is >= 0 and <= 100 ? default : new Implausible(name, soc, SocRule);
    }

    private static Implausible Positive(SunSpecBlock block, SunSpecPoint point, string name, string rule)
    {
        if (!Optional(block, point, name, out double value, out Implausible problem))
        {
            return problem.IsNone ? new Implausible(name, double.NaN, RequiredRule) : problem;
        }

        return value > 0 ? default : new Implausible(name, value, rule);
    }

    /// <summary>True when the point's registers hold a value (not the unimplemented marker and within the model).</summary>
    private static bool Raw(SunSpecBlock block, SunSpecPoint point, out RegisterType type)
    {
        type = point.RegisterType ?? RegisterType.UInt16;
        return point.RegisterType is not null && point.Offset + point.Size <= block.Registers.Length
            && !RegisterCodec.IsNotImplemented(block.Registers.Slice(point.Offset, point.Size), type);
    }

    private static Implausible ScaleFactor(SunSpecBlock block, SunSpecPoint point, string name)
    {
        if (point.ScaleFactorName is not { } sfName || !block.Definition.TryGetPoint(sfName, out SunSpecPoint sf) || sf.Offset >= block.Registers.Length)
        {
            return default;
        }

        ushort raw = block.Registers[sf.Offset];
        short value = (short)raw;
        // Named by the scale-factor point itself (a constant string of the model definition: nothing allocated).
        _ = name;
        return raw == 0x8000 ? new Implausible(sfName, double.NaN, ScaleRule)
            : value is < -10 or > 10 ? new Implausible(sfName, value, ScaleRule)
            : default;
    }
}
