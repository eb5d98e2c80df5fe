using Edge.Core.Control;

namespace Edge.Core.Baselines;

/// <summary>
/// Shared shape of the baselines: each computes a grid target from the load alone; the battery takes
/// load − target, clamped into the same <see cref="BatteryEnvelope"/> the smoothing controller uses, so every
/// baseline respects battery power and SoC limits. No trim, no SoC recovery, no ramp limiting: they are what a
/// simple energy manager would do, with the parameters pinned by docs/DESIGN.md §4 so comparisons stay honest.
/// </summary>
public abstract class BaselineController : IGridController
{
    private readonly BatteryEnvelope _envelope;
    private readonly double _nominalDtS;
    private long _lastNs;
    private bool _started;

    /// <summary>Creates the baseline with the battery limits of <paramref name="options"/>.</summary>
    protected BaselineController(ControllerOptions options)
    {
        IReadOnlyList<OptionError> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _envelope = new BatteryEnvelope(options);
        _nominalDtS = options.PeriodMs * 1e-3;
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public Decision Decide(in TickInput input)
    {
        double dtS = _started ? (input.NowNs - _lastNs) * 1e-9 : _nominalDtS;
        if (!(dtS > 0))
        {
            dtS = _nominalDtS;
        }

        _started = true;
        _lastNs = input.NowNs;
        _envelope.Update(input);
        var d = new Decision { NowNs = input.NowNs, Mode = ControlMode.Auto, Flags = _envelope.Flags };
        double loadW = double.IsFinite(input.LoadW) ? input.LoadW : 0;
        double targetW = GridTarget(loadW, input.SocPct, Math.Min(dtS, 1.0));
        double setpointW = (input.Health & InputHealth.EmergencyStop) != 0 ? 0 : _envelope.Clamp(loadW - targetW, ref d.Flags);
        d.GridTargetW = targetW;
        d.GridReferenceW = targetW;
        d.BatterySetpointW = setpointW;
        d.ExpectedGridW = loadW - setpointW;
        d.SocTargetPct = double.NaN;
        d.AllowedChargeW = _envelope.AllowedChargeW;
        d.AllowedDischargeW = _envelope.AllowedDischargeW;
        return d;
    }

    /// <summary>The grid power this baseline aims for, given the load and the time since the last tick.</summary>
    protected abstract double GridTarget(double loadW, double socPct, double dtS);
}
