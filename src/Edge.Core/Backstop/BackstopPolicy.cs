namespace Edge.Core.Backstop;

/// <summary>
/// The tiered backstop as data: the watched bands, the averaging time of the amplitude estimates and the rules.
/// <see cref="Validate"/> names every bad entry by its path; <see cref="Default"/> is a starting point scaled to a
/// site's peak power.
/// </summary>
public sealed record BackstopPolicy
{
    /// <summary>Watched bands.</summary>
    public required IReadOnlyList<BandSpec> Bands { get; init; }

    /// <summary>Rules, any order; several may name the same action.</summary>
    public required IReadOnlyList<BackstopRule> Rules { get; init; }

    /// <summary>Averaging time of the mean-square estimates, s (the amplitude follows within about this).</summary>
    public double AveragingS { get; init; } = 5;

    /// <summary>Resonators per band for the dominant frequency (≥ 2).</summary>
    public int ResonatorsPerBand { get; init; } = 6;

    /// <summary>
    /// The default policy for a site whose grid ramp limit is <paramref name="rampWPerS"/>: bands 0.1–1, 1–5 and 5–20 Hz
    /// on the grid side, each band's slope equivalent (amplitude × 2π × dominant frequency — a sine's fastest rise)
    /// against the ramp limit: tier 1 enters at 1 × the ramp, tier 2 at 2 ×, tier 3 at 4 ×, tier 4 at 8 ×, each leaves
    /// below 0.6 × its entry; dwell 10, 10, 30, 60 s.
    /// </summary>
    public static BackstopPolicy Default(double rampWPerS) => new()
    {
        Bands = [new BandSpec(0.1, 1), new BandSpec(1, 5), new BandSpec(5, 20)],
        Rules =
        [
            new BackstopRule(BackstopAction.Alarm, BackstopSignal.Grid, null, rampWPerS, 0.6 * rampWPerS, 10, BackstopMeasure.SlopeWPerS),
            new BackstopRule(BackstopAction.GpuSmoothing, BackstopSignal.Grid, null, 2 * rampWPerS, 1.2 * rampWPerS, 10, BackstopMeasure.SlopeWPerS),
            new BackstopRule(BackstopAction.FlexibleLoads, BackstopSignal.Grid, null, 4 * rampWPerS, 2.4 * rampWPerS, 30, BackstopMeasure.SlopeWPerS),
            new BackstopRule(BackstopAction.RequestThrottling, BackstopSignal.Grid, null, 8 * rampWPerS, 4.8 * rampWPerS, 60, BackstopMeasure.SlopeWPerS),
        ],
    };

    /// <summary>Every invalid entry, with its path under <paramref name="prefix"/>; empty when valid.</summary>
    public IReadOnlyList<OptionError> Validate(string prefix, double periodS)
    {
        var errors = new List<OptionError>();
        if (Bands.Count is 0 or > 16)
        {
            errors.Add(new OptionError($"{prefix}:Bands", Bands.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "1 to 16 bands"));
        }

        double nyquistHz = 0.5 / periodS;
        for (int i = 0; i < Bands.Count; i++)
        {
            BandSpec b = Bands[i];
            if (!(b.LowHz > 0) || !(b.HighHz > b.LowHz) || !double.IsFinite(b.HighHz) || b.HighHz > 0.9 * nyquistHz)
            {
                errors.Add(new OptionError($"{prefix}:Bands:{i}", $"{OptionError.Format(b.LowHz)}–{OptionError.Format(b.HighHz)} Hz",
                    $"0 < low < high ≤ 0.9 × the Nyquist frequency ({OptionError.Format(0.9 * nyquistHz)} Hz)"));
            }
        }

        if (!(AveragingS >= 0.1 && AveragingS <= 600))
        {
            errors.Add(new OptionError($"{prefix}:AveragingS", OptionError.Format(AveragingS), "0.1 to 600 s"));
        }

        if (ResonatorsPerBand is < 2 or > 32)
        {
            errors.Add(new OptionError($"{prefix}:ResonatorsPerBand", ResonatorsPerBand.ToString(System.Globalization.CultureInfo.InvariantCulture), "2 to 32"));
        }

        if (Rules.Count > 32)
        {
            errors.Add(new OptionError($"{prefix}:Rules", Rules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "at most 32 rules"));
        }

        for (int i = 0; i < Rules.Count; i++)
        {
            BackstopRule r = Rules[i];
            string p = $"{prefix}:Rules:{i}";
            if (!Enum.IsDefined(r.Action))
            {
                errors.Add(new OptionError(p + ":Action", r.Action.ToString(), "Alarm, GpuSmoothing, FlexibleLoads or RequestThrottling"));
            }

            if (!Enum.IsDefined(r.Measure))
            {
                errors.Add(new OptionError(p + ":Measure", r.Measure.ToString(), "AmplitudeW or SlopeWPerS"));
            }

            if (!Enum.IsDefined(r.Signal))
            {
                errors.Add(new OptionError(p + ":Signal", r.Signal.ToString(), "Grid or Load"));
            }

            if (r.Band is { } band && (band < 0 || band >= Bands.Count))
            {
                errors.Add(new OptionError(p + ":Band", band.ToString(System.Globalization.CultureInfo.InvariantCulture), $"an index into Bands (0 to {Bands.Count - 1}) or null for any band"));
            }

            if (!(r.EnterW > 0) || !double.IsFinite(r.EnterW))
            {
                errors.Add(new OptionError(p + ":EnterW", OptionError.Format(r.EnterW), "a finite amplitude > 0 W"));
            }

            if (!(r.ExitW >= 0) || !(r.ExitW < r.EnterW))
            {
                errors.Add(new OptionError(p + ":ExitW", OptionError.Format(r.ExitW), "≥ 0 and below EnterW (hysteresis)"));
            }

            if (!(r.MinDwellS >= 0 && r.MinDwellS <= 86_400))
            {
                errors.Add(new OptionError(p + ":MinDwellS", OptionError.Format(r.MinDwellS), "0 to 86400 s"));
            }
        }

        return errors;
    }
}
