// The smoothing controller: what the batteries must absorb or deliver, every period, so that the grid sees a
// ramp-limited, band-limited, capped curve.
//
// Sign convention (docs/DESIGN.md §1): battery power b > 0 = discharging into the site; grid g = load − b.
// The controller chooses a smooth grid TARGET g*, and the battery takes the rest: b = L − g*. Everything below is
// about choosing g* well, and about what to give up when the battery cannot take the rest.
//
// 1. Battery limits (physics, highest priority). BatteryEnvelope: the smaller of the inverters' reported limits,
//    the configured ones, and a state-of-charge guard that tapers power near SoC min/max (at most 1/SocGuardS of
//    the remaining energy per second), so SoC approaches its limits exponentially and never crosses them. Every
//    setpoint is clamped into this envelope last; nothing else may override it.
//
// 2. Effective load L = rack load + trim. With a site meter, the trim is a first-order low-pass (time constant
//    τref, below) of the grid power nobody explained: u = grid_measured − (load − b_previous_setpoint). It learns
//    unmeasured loads, losses and inverter gain errors, and being slow it cannot inject in-band content. Without a
//    meter the trim stays at 0 (or frozen at its last value when the meter goes stale).
//
// 3. Reference. r = LPF2(L + P_soc), clamped to [floor, cap]. LPF2 is two first-order stages with time constant
//    τref = 1 / (2π · BandLowHz/10) each: two real poles a decade below the band edge attenuate power by ≥ 40 dB
//    (1e-4) at BandLowHz and 80 dB per decade above it, so the reference carries essentially none of the 0.1–20 Hz
//    swings of AI training (compute / all-reduce / checkpoint). Its slope dr/dt = (s1 − s2)/τref is known exactly
//    and is fed forward to the tracker, so following a slowly moving load costs no extra battery energy.
//
// 4. SoC recovery, P_soc = (SoC_target − SoC) · E / SocRecoveryS, bounded to SocRecoveryMaxFraction of battery
//    power. It is added to the reference BEFORE the low-pass and BEFORE the ramp limiter, so it only ever uses the
//    ramp budget left over and cannot create in-band content (lowest priority). The SoC target itself is moved to
//    keep headroom for what may come: a battery that must absorb an abrupt drop of ΔP while the grid ramps down at
//    R needs ΔP²/2R of energy (and likewise for a rise), with ΔP taken from the expected (or learnt) load range.
//    When both cannot fit, the target is a compromise between them and HeadroomShort is flagged.
//
// 5. Ramp limiter (tracker). g* moves towards r with a slope s that is a first-order low-pass (τs = 1/(2π·BandLowHz))
//    of the desired slope s_des = dr/dt + (r − g*)/τg, with s_des clamped to [−RampDownWPerS, RampUpWPerS] and
//    τg = 4·τs (critically damped). Because s is a weighted average of clamped values, |dg*/dt| never exceeds the
//    limits, so every window of any length sees rise ≤ RampUp·window (the §5 metric) — by construction, not by
//    tuning. Low-passing the slope removes the corners a plain rate limiter leaves (a corner is broadband: it
//    would put energy back into the band we are suppressing).
//
// 6. Cap and floor beat the ramp limit: g* is clamped into [effective floor, effective cap]. Limit changes by an
//    operator ramp in (the effective cap falls at RampDownWPerS from where the grid is), so a command can never
//    create a step; raising a cap or lowering a floor is immediate because it moves nothing.
//
// 7. Battery setpoint b = L − g*, clamped into the envelope (1). If it was clipped the battery is saturated: the
//    grid will really be L − b, and the tracker is moved there (anti-windup). The grid thus moves at the least-bad
//    ramp that physics allows, and when the battery recovers the target ramps on from where the grid really is
//    instead of snapping back. Saturation is flagged; metrics count it.
//
// Modes (a small state machine; every transition is bumpless):
//   auto     — the law above.
//   hold     — r frozen at the grid target when hold began; the battery absorbs load changes within its limits.
//   standby  — the setpoint ramps to 0 at the ramp limits (|Δb| ≤ R·dt, the battery's own share of the grid ramp),
//              then the grid follows the load. The filters are re-seeded with the actual grid so that auto resumes
//              from where the grid is.
//   fault    — entered by the daemon; behaves like standby until an operator clears it (to standby).
// Inputs that end in a safe state: no usable load → setpoint ramps out as in standby; no usable battery → setpoint
// 0 (nothing to command) and the filters follow the grid; E-stop → 0 W at once, the one deliberate step.
//
// Time: every step uses the measured dt between ticks (a skipped period is twice the time, so twice the ramp
// budget — right in time terms), clamped to [0, 1 s]; coefficients are recomputed only when dt changes. No
// allocation, no exception, no I/O: Decide() is arithmetic on doubles (float32 would stall: at 1 ms, dt/τ ≈ 3e-5).

namespace Edge.Core.Control;

/// <summary>
/// The smoothing controller of docs/DESIGN.md §4: ramp-limited, band-limited, capped grid power with SoC recovery,
/// closed-loop trim on a site meter, modes and graceful saturation. The control law is explained at the top of this
/// file. Not thread-safe: call every member from the control thread (commands arrive there through a mailbox).
/// </summary>
public sealed class SmoothingController : IGridController
{
    private const double MaxDtS = 1.0;

    /// <summary>Most periods one decision may advance the ramps and filters by (a late period counts; a stall does not).</summary>
    private const double MaxPeriodsPerStep = 2.0;
    private const double PowerMargin = 0.05;

    private readonly ControllerOptions _configured;
    private readonly BatteryEnvelope _envelope;
    private readonly double _nominalDtS;
    private readonly double _tauRefS;
    private readonly double _tauSlopeS;
    private readonly double _tauGridS;
    private readonly double _energyJ;
    private readonly WindowedExtremes _recent;
    private readonly WindowedExtremes _recentFirm;

    // Operator-changeable limits (validated against _configured).
    private double _rampUpWPerS;
    private double _rampDownWPerS;
    private double _capTargetW;
    private double _floorTargetW;
    private double _socTargetPct;

    // Filter and tracker state.
    private bool _initialized;
    private long _lastNs;
    private double _cachedDtS = double.NaN;
    private double _alphaRef;
    private double _alphaSlope;
    private double _refStage1W;
    private double _refStage2W;
    private double _gridTargetW;
    private double _slopeWPerS;
    private double _effectiveCapW;
    private double _effectiveFloorW;
    private double _holdReferenceW;
    private double _lastSetpointW;
    private double _trimW;
    private bool _meterSeen;
    private bool _wasSaturated;
    private LoadRange _loadRange;
    private double _lastLoadW;
    private double _curtailableW;
    private GridPlan _plan;
    private double _followedPlanSlopeWPerS = double.NaN;
    private readonly LatencyCompensator? _compensator;
    private readonly double _compensationS;

    /// <summary>Creates the controller. Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public SmoothingController(ControllerOptions options)
    {
        IReadOnlyList<OptionError> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _configured = options.Clone();
        _envelope = new BatteryEnvelope(_configured);
        _nominalDtS = _configured.PeriodMs * 1e-3;
        _tauRefS = 1.0 / (2 * Math.PI * _configured.BandLowHz / 10.0);
        _tauSlopeS = 1.0 / (2 * Math.PI * _configured.BandLowHz);
        _tauGridS = 4 * _tauSlopeS;
        _energyJ = _configured.EnergyWh * 3600.0;
        _recent = new WindowedExtremes(_configured.PowerHeadroomMemoryS);
        _recentFirm = new WindowedExtremes(_configured.PowerHeadroomMemoryS);
        ControllerLimits limits = ControllerLimits.From(_configured);
        _rampUpWPerS = limits.RampUpWPerS;
        _rampDownWPerS = limits.RampDownWPerS;
        _capTargetW = limits.GridCapW;
        _floorTargetW = limits.GridFloorW;
        _socTargetPct = limits.SocTargetPct;
        _compensationS = _configured.LatencyCompensationMs * 1e-3;
        if (_compensationS > 0)
        {
            _compensator = new LatencyCompensator(_compensationS, _nominalDtS, _configured.LatencyCompensationMaxPeriodS, LatencyCompensationErrorTauS);
        }
    }

    /// <summary>Time constant of the latency compensator's error averages, s (its confidence gate).</summary>
    public const double LatencyCompensationErrorTauS = 20;

    /// <summary>The latency compensator (null when <see cref="ControllerOptions.LatencyCompensationMs"/> is 0).</summary>
    public LatencyCompensator? Compensator => _compensator;

    /// <inheritdoc />
    public string Name => "smoothing";

    /// <summary>The mode in force.</summary>
    public ControlMode Mode { get; private set; } = ControlMode.Auto;

    /// <summary>The limits in force (as configured, or as last changed by an operator).</summary>
    public ControllerLimits Limits => new(_rampUpWPerS, _rampDownWPerS, _capTargetW, _floorTargetW, _socTargetPct);

    /// <summary>The options this controller was built with (a private copy).</summary>
    public ControllerOptions Options => _configured;

    /// <summary>Time constant of each reference low-pass stage, s (derived from <see cref="ControllerOptions.BandLowHz"/>).</summary>
    public double ReferenceTimeConstantS => _tauRefS;

    /// <summary>
    /// Requests a mode. <see cref="ControlMode.Fault"/> cannot be requested (use <see cref="EnterFault"/>), and a
    /// fault is left only through <see cref="ClearFault"/>. Returns null when accepted, else the reason.
    /// </summary>
    public string? TrySetMode(ControlMode mode)
    {
        if (mode == ControlMode.Fault)
        {
            return "fault is entered by the daemon, not requested";
        }

        if (Mode == ControlMode.Fault)
        {
            return "the controller is in fault: clear the fault first";
        }

        if (mode == Mode)
        {
            return null;
        }

        if (mode == ControlMode.Hold)
        {
            _holdReferenceW = _gridTargetW;
        }

        if (Mode is ControlMode.Standby && mode is ControlMode.Auto or ControlMode.Hold)
        {
            // Resume from where the grid is: filters were following the actual grid during standby.
            _holdReferenceW = _gridTargetW;
        }

        Mode = mode;
        return null;
    }

    /// <summary>
    /// Set by the loop while the cause of a fault is still present (E-stop pressed, deadline fault raised): the fault
    /// cannot be cleared until it goes away.
    /// </summary>
    public bool FaultCauseActive { get; set; }

    /// <summary>Enters the fault mode: the battery ramps out as in standby. Idempotent.</summary>
    public void EnterFault() => Mode = ControlMode.Fault;

    /// <summary>Leaves the fault mode to standby. Returns false when not in fault or while its cause is still active.</summary>
    public bool ClearFault()
    {
        if (Mode != ControlMode.Fault || FaultCauseActive)
        {
            return false;
        }

        Mode = ControlMode.Standby;
        return true;
    }

    /// <summary>
    /// Applies operator limits whole or not at all. Returns null when applied, else the reason. Changes take effect
    /// through the ramp limiter: a lowered cap (raised floor) ramps in from where the grid is.
    /// </summary>
    public string? TryApplyLimits(in ControllerLimits limits)
    {
        string? error = limits.Check(_configured);
        if (error is not null)
        {
            return error;
        }

        _rampUpWPerS = limits.RampUpWPerS;
        _rampDownWPerS = limits.RampDownWPerS;
        _slopeWPerS = Math.Clamp(_slopeWPerS, -_rampDownWPerS, _rampUpWPerS);
        _capTargetW = limits.GridCapW;
        _floorTargetW = limits.GridFloorW;
        _socTargetPct = limits.SocTargetPct;
        return null;
    }

    /// <summary>
    /// Takes a planner's grid plan (read by the loop from the planner's latest-value mailbox, between or inside periods;
    /// a copy, no allocation). In auto mode and while the plan applies, its reference replaces the low-pass reference
    /// (cap and floor still bound it, the ramp limiter still tracks it, battery limits still clip the setpoint); when it
    /// lapses the low-pass reference, which kept running, takes over. Either switch moves only the reference, never the
    /// grid target, so it is bumpless.
    /// </summary>
    public void SetPlan(in GridPlan plan) => _plan = plan;

    /// <summary>True when the last <see cref="Decide"/> tracked a plan.</summary>
    public bool PlanInUse { get; private set; }

    /// <summary>
    /// Set by the loop (or replay) while flexible loads guard the battery's low SoC limit (the lever coordinator hands
    /// over to them near SoC min: they are curtailed). The upper power-headroom bound — the one that discharges the
    /// battery to keep room for the largest drop it may have to absorb — then holds in full while they draw power
    /// (<see cref="TickInput.CurtailableW"/> &gt; 0) instead of fading as SoC nears the lowest level from which the
    /// battery could still carry the largest rise: that fade trades ramp compliance for SoC, and while a load can be
    /// curtailed the trade is not needed. While they are off (already curtailed) it fades towards SocMinPct itself:
    /// nothing else would stop a long high-duty job from draining the battery. The lower bound (charging) keeps its
    /// fade: a small battery must not be charged to its ceiling (a flexible load that burns the surplus is too slow to
    /// stand in for it).
    /// </summary>
    public bool SocBackedByLevers { get; set; }

    /// <summary>The battery setpoint of the last decision, W (what the next one moves from; standby ramps it to 0).</summary>
    public double LastSetpointW => _lastSetpointW;

    /// <summary>Forgets all filter state; the next tick starts bumpless from the measured battery power.</summary>
    public void Reset() => _initialized = false;

    /// <inheritdoc />
    public Decision Decide(in TickInput input)
    {
        bool loadUsable = double.IsFinite(input.LoadW) && (input.Health & InputHealth.LoadMissing) == 0;
        double loadW = loadUsable ? input.LoadW : _lastLoadW;
        if (!_initialized)
        {
            Initialize(input, loadW);
        }

        double dtS = StepSeconds(input.NowNs);
        _envelope.Update(input);

        var d = new Decision { NowNs = input.NowNs, Mode = Mode, Flags = _envelope.Flags };
        if ((input.Health & InputHealth.LoadDegraded) != 0)
        {
            d.Flags |= ControlFlags.LoadDegraded;
        }

        UpdateTrim(input, loadUsable, ref d.Flags);
        double effectiveLoadW = loadW + _trimW;
        if (loadUsable)
        {
            _lastLoadW = loadW;
            UpdateLoadRange(effectiveLoadW, Curtailable(input), dtS);
        }

        RampLimitsIn(dtS, ref d.Flags);
        double socTargetPct = HeadroomSocTarget(ref d.Flags);
        double socPowerW = SocRecoveryPowerW(input.SocPct, socTargetPct);

        // Reference: two low-pass stages over load + SoC recovery, within the (effective) floor and cap.
        double referenceInW = Math.Clamp(effectiveLoadW + socPowerW, _effectiveFloorW, _effectiveCapW);
        _refStage1W += _alphaRef * (referenceInW - _refStage1W);
        _refStage2W += _alphaRef * (_refStage1W - _refStage2W);
        double referenceW = Math.Clamp(PowerHeadroomClamp(_refStage2W, input, socTargetPct), _effectiveFloorW, _effectiveCapW);
        // The filter's slope is fed forward only while the filter itself is the reference (not a clamp bound).
        double referenceSlopeWPerS = referenceW == _refStage2W ? (_refStage1W - _refStage2W) / _tauRefS : 0;
        PlanInUse = Mode == ControlMode.Auto && _plan.AppliesAt(input.NowNs);
        bool followPlan = false;
        if (PlanInUse)
        {
            d.Flags |= ControlFlags.PlanTracked;
            // A plan steers within the same power-headroom envelope as the controller's own reference: the planner's
            // forecast may not know the next peak (an irregular pause), the envelope remembers the last one.
            // An announced rise (fall) lets the plan cross the charging (discharging) bound: the envelope guards against
            // moves the history suggests, the plan knows one that is coming (a battery too small for a job start has to
            // charge towards it beforehand, above "recent low + charge power").
            double plannedW = _plan.ReferenceAt(input.NowNs);
            referenceW = Math.Clamp(PowerHeadroomClamp(plannedW, input, socTargetPct, _plan.Announced), _effectiveFloorW, _effectiveCapW);
            followPlan = referenceW == plannedW;
            referenceSlopeWPerS = followPlan ? _plan.SlopeWPerS : 0;
        }

        // Latency compensation: the predicted change of the load over the actuator latency (0 when off or not confident).
        double loadAheadW = _compensator is not null && loadUsable ? _compensator.Predict(effectiveLoadW) : 0;
        double setpointW;
        if ((input.Health & InputHealth.EmergencyStop) != 0)
        {
            // The one deliberate step: E-stop beats smoothness (docs/DESIGN.md §9).
            d.Flags |= ControlFlags.EmergencyStop;
            setpointW = 0;
            FollowActualGrid(effectiveLoadW - setpointW);
        }
        else if ((input.Health & InputHealth.BatteryUnavailable) != 0 || !double.IsFinite(input.SocPct))
        {
            // No inverter answers usably (a Modbus timeout, a stalled gateway): the devices may still deliver what they
            // were last given. The command walks to 0 W at the ramp limit — never a step — so that an inverter that
            // comes back (or was only unreadable) continues from where it was (docs/DESIGN.md §9).
            d.Flags |= ControlFlags.BatteryUnavailable;
            double stepW = (_lastSetpointW > 0 ? _rampUpWPerS : _rampDownWPerS) * dtS;
            setpointW = MoveToward(_lastSetpointW, 0, stepW);
            FollowActualGrid(effectiveLoadW - setpointW);
        }
        else if (!loadUsable || Mode is ControlMode.Standby or ControlMode.Fault)
        {
            if (!loadUsable)
            {
                d.Flags |= ControlFlags.LoadMissing;
            }

            // Ramp the battery out: its own share of the grid ramp stays within the limits.
            double stepW = (_lastSetpointW > 0 ? _rampUpWPerS : _rampDownWPerS) * dtS;
            setpointW = _envelope.Clamp(MoveToward(_lastSetpointW, 0, stepW), ref d.Flags);
            FollowActualGrid(effectiveLoadW - setpointW);
        }
        else
        {
            if (Mode == ControlMode.Hold)
            {
                referenceW = Math.Clamp(_holdReferenceW, _effectiveFloorW, _effectiveCapW);
                referenceSlopeWPerS = 0;
            }

            setpointW = Track(effectiveLoadW, loadAheadW, referenceW, referenceSlopeWPerS, followPlan, dtS, ref d.Flags);
        }

        _lastSetpointW = setpointW;
        _wasSaturated = d.IsSaturated;
        d.GridTargetW = _gridTargetW;
        d.GridReferenceW = referenceW;
        d.BatterySetpointW = setpointW;
        d.ExpectedGridW = effectiveLoadW - setpointW;
        d.SocTargetPct = socTargetPct;
        d.TrimW = _trimW;
        d.AllowedChargeW = _envelope.AllowedChargeW;
        d.AllowedDischargeW = _envelope.AllowedDischargeW;
        return d;
    }

    private void Initialize(in TickInput input, double loadW)
    {
        double batteryW = double.IsFinite(input.BatteryMeasuredW) ? input.BatteryMeasuredW : 0;
        _trimW = input.HasGridMeasured && double.IsFinite(input.GridMeasuredW)
            ? input.GridMeasuredW - (loadW - batteryW)
            : 0;
        _meterSeen = input.HasGridMeasured;
        double gridW = loadW + _trimW - batteryW;
        _gridTargetW = gridW;
        _refStage1W = gridW;
        _refStage2W = gridW;
        _holdReferenceW = gridW;
        _slopeWPerS = 0;
        _lastSetpointW = batteryW;
        _lastLoadW = loadW;
        _loadRange.Reset(loadW + _trimW);
        _recent.Reset(_loadRange.MaxW);
        _recentFirm.Reset(_loadRange.MaxW - Curtailable(input));
        // A grid already beyond a limit is brought inside by a ramp, not a step (bumpless start).
        _effectiveCapW = Math.Max(_capTargetW, gridW);
        _effectiveFloorW = Math.Min(_floorTargetW, gridW);
        _lastNs = input.NowNs;
        _compensator?.Reset();
        _initialized = true;
    }

    private double StepSeconds(long nowNs)
    {
        double dtS = (nowNs - _lastNs) * 1e-9;
        _lastNs = nowNs;
        if (!(dtS > 0))
        {
            dtS = _nominalDtS;
        }

        // A stalled loop (SIGSTOP, a pause of the machine) resumes where it was: the devices held their power meanwhile,
        // and granting the stall's time to the ramp at once would step them by it.
        dtS = Math.Min(dtS, Math.Min(MaxDtS, MaxPeriodsPerStep * _nominalDtS));
        if (dtS != _cachedDtS)
        {
            _cachedDtS = dtS;
            _alphaRef = -double.ExpM1(-dtS / _tauRefS);
            _alphaSlope = -double.ExpM1(-dtS / _tauSlopeS);
        }

        return dtS;
    }

    private void UpdateTrim(in TickInput input, bool loadUsable, ref ControlFlags flags)
    {
        if (input.HasGridMeasured && double.IsFinite(input.GridMeasuredW) && loadUsable)
        {
            _meterSeen = true;
            flags |= ControlFlags.TrimActive;
            if (!_wasSaturated)
            {
                double unexplainedW = input.GridMeasuredW - (input.LoadW - _lastSetpointW);
                _trimW += _alphaRef * (unexplainedW - _trimW);
            }
        }
        else if (_meterSeen || (input.Health & InputHealth.GridMeterStale) != 0)
        {
            flags |= ControlFlags.GridMeterStale;
        }
    }

    private static double Curtailable(in TickInput input) =>
        double.IsFinite(input.CurtailableW) && input.CurtailableW > 0 ? Math.Min(input.CurtailableW, Math.Max(0, input.LoadW)) : 0;

    private void UpdateLoadRange(double loadW, double curtailableW, double dtS)
    {
        _loadRange.Add(loadW, dtS, LoadRange.ForgetS);
        _recent.Add(loadW, dtS);
        _recentFirm.Add(loadW - curtailableW, dtS);
        _curtailableW = curtailableW;
    }

    /// <summary>
    /// Keeps the reference where the battery's power can cover the swing seen recently: the grid must stay within
    /// [recent max − discharge power, recent min + charge power], else the next peak (or dip) saturates the battery
    /// and the grid takes a step. When the swing exceeds what the battery can cover both ways, the middle.
    /// <para>
    /// Energy balance: a bound that holds the grid above the load charges the battery for as long as it binds (and one
    /// below it discharges it). With a battery smaller than the swing (40 % of peak power) the lower bound sits above
    /// the mean load, so it would charge the battery steadily to its SoC ceiling, where it can no longer absorb the
    /// job's end. So each bound yields as SoC nears the level beyond which the battery could no longer carry the
    /// largest move the other way: the lower bound (charging) fades out linearly, over half the span between the SoC
    /// target and SocMaxPct, as SoC approaches the highest SoC from which the battery can still absorb a drop from the
    /// grid target to the learnt load minimum at the ramp limit (energy limited by its charge power, SwingEnergyJ);
    /// the upper bound (discharging) likewise towards the lowest SoC that still carries a rise to the learnt maximum.
    /// Power headroom thus yields to energy headroom instead of overriding it.
    /// A plan's announced moves lift one side each (<see cref="AnnouncedMoves"/>).
    /// </para>
    /// </summary>
    private double PowerHeadroomClamp(double referenceW, in TickInput input, double socTargetPct, AnnouncedMoves announced = AnnouncedMoves.None)
    {
        double dischargeW = Math.Min(_configured.MaxDischargeW, Math.Max(0, input.AllowedDischargeW)) * (1 - PowerMargin);
        double chargeW = Math.Min(_configured.MaxChargeW, Math.Max(0, input.AllowedChargeW)) * (1 - PowerMargin);
        // The peak to carry: the recent one, or the recent firm load's (racks without flexible loads) with the flexible
        // loads on as they are now (a rise comes before they curtail).
        double lowestW = (announced & AnnouncedMoves.Fall) != 0 ? double.NegativeInfinity : Math.Max(_recent.Max, _recentFirm.Max + _curtailableW) - dischargeW;
        double highestW = (announced & AnnouncedMoves.Rise) != 0 ? double.PositiveInfinity : _recent.Min + chargeW;
        double boundedW = lowestW <= highestW ? Math.Clamp(referenceW, lowestW, highestW) : 0.5 * (lowestW + highestW);
        if (!double.IsFinite(input.SocPct) || boundedW == referenceW || (SocBackedByLevers && boundedW < referenceW && _curtailableW > 0))
        {
            return boundedW;
        }

        // boundedW > referenceW: the bound makes the battery charge; < : discharge. The SoC limit it may push to is the
        // one from which the battery can still carry the largest move the other way (power-limited, see below).
        double weight = boundedW > referenceW
            ? EnergyWeight(_configured.SocMaxPct - 100 * _configured.ChargeEfficiency * LoadRange.SwingEnergyJ(_gridTargetW - _loadRange.MinW, chargeW, _rampDownWPerS) / _energyJ - input.SocPct, _configured.SocMaxPct - socTargetPct)
            : EnergyWeight(input.SocPct - _configured.SocMinPct - (SocBackedByLevers ? 0 : 100) * LoadRange.SwingEnergyJ(_loadRange.MaxW - _gridTargetW, dischargeW, _rampUpWPerS) / _configured.DischargeEfficiency / _energyJ, socTargetPct - _configured.SocMinPct);
        return referenceW + weight * (boundedW - referenceW);
    }

    /// <summary>
    /// 1 while SoC keeps at least half of <paramref name="spanPct"/> away from the limit the bound pushes it to, falling
    /// linearly to 0 at that limit (<paramref name="roomPct"/> = distance left).
    /// </summary>
    private static double EnergyWeight(double roomPct, double spanPct)
    {
        double releasePct = Math.Max(1.0, 0.5 * spanPct);
        return Math.Clamp(roomPct / releasePct, 0, 1);
    }

    private void RampLimitsIn(double dtS, ref ControlFlags flags)
    {
        if (_effectiveCapW > _capTargetW)
        {
            _effectiveCapW = Math.Max(_capTargetW, Math.Min(_effectiveCapW, _gridTargetW) - _rampDownWPerS * dtS);
        }
        else
        {
            _effectiveCapW = _capTargetW;
        }

        if (_effectiveFloorW < _floorTargetW)
        {
            _effectiveFloorW = Math.Min(_floorTargetW, Math.Max(_effectiveFloorW, _gridTargetW) + _rampUpWPerS * dtS);
        }
        else
        {
            _effectiveFloorW = _floorTargetW;
        }

        if (_effectiveCapW != _capTargetW || _effectiveFloorW != _floorTargetW)
        {
            flags |= ControlFlags.LimitRamping;
        }
    }

    private double HeadroomSocTarget(ref ControlFlags flags)
    {
        double loadMaxW = _loadRange.MaxWith(_configured.ExpectedLoadMaxW);
        double loadMinW = _loadRange.MinWith(_configured.ExpectedLoadMinW);
        double riseW = Math.Max(0, Math.Min(loadMaxW, _effectiveCapW) - _gridTargetW);
        double dropW = Math.Max(0, _gridTargetW - Math.Max(loadMinW, _effectiveFloorW));
        // Energy (in the cells) to carry a step of riseW / dropW while the grid ramps after it: ΔP²/2R.
        double riseJ = riseW * riseW / (2 * _rampUpWPerS) / _configured.DischargeEfficiency;
        double dropJ = dropW * dropW / (2 * _rampDownWPerS) * _configured.ChargeEfficiency;
        double lowestPct = _configured.SocMinPct + 100 * riseJ / _energyJ;
        double highestPct = _configured.SocMaxPct - 100 * dropJ / _energyJ;
        if (lowestPct <= highestPct)
        {
            return Math.Clamp(_socTargetPct, lowestPct, highestPct);
        }

        // Not enough energy for both: split the shortfall in proportion to what each direction needs.
        flags |= ControlFlags.HeadroomShort;
        double span = _configured.SocMaxPct - _configured.SocMinPct;
        double share = riseJ + dropJ > 0 ? riseJ / (riseJ + dropJ) : 0.5;
        return _configured.SocMinPct + span * share;
    }

    private double SocRecoveryPowerW(double socPct, double socTargetPct)
    {
        if (!double.IsFinite(socPct) || Mode == ControlMode.Hold)
        {
            return 0;
        }

        // Positive when SoC is below target: the grid carries more, the battery charges.
        double powerW = (socTargetPct - socPct) * 0.01 * _energyJ / _configured.SocRecoveryS;
        double fraction = _configured.SocRecoveryMaxFraction;
        return Math.Clamp(powerW, -fraction * _configured.MaxDischargeW, fraction * _configured.MaxChargeW);
    }

    private double Track(double effectiveLoadW, double loadAheadW, double referenceW, double referenceSlopeWPerS, bool followPlan, double dtS, ref ControlFlags flags)
    {
        double previousW = _gridTargetW;
        double desiredSlope = referenceSlopeWPerS + (referenceW - previousW) / _tauGridS;
        bool clampedUp = desiredSlope > _rampUpWPerS;
        bool clampedDown = desiredSlope < -_rampDownWPerS;
        desiredSlope = Math.Clamp(desiredSlope, -_rampDownWPerS, _rampUpWPerS);
        if (followPlan)
        {
            // A plan is followed without the slope's low-pass: its slope is fed forward as it is (the programme already
            // bounds its curvature and third difference, so the grid turns no faster than planned — the low-pass made
            // the grid lag every turn of the plan by τ, and the battery paid for the lag), and only the correction
            // towards its reference, the grid's deviation from the plan, is low-passed. The correction continues from
            // the slope the grid has (in a plan's first period against the plan's own slope), so switching into and
            // out of a plan is bumpless; from one plan to the next the slope changes by what the programme allowed
            // (its first step continues the present slope within the curvature and third-difference bounds).
            double correctionWPerS = _slopeWPerS - (double.IsNaN(_followedPlanSlopeWPerS) ? referenceSlopeWPerS : _followedPlanSlopeWPerS);
            correctionWPerS += _alphaSlope * (((referenceW - previousW) / _tauGridS) - correctionWPerS);
            _slopeWPerS = Math.Clamp(referenceSlopeWPerS + correctionWPerS, -_rampDownWPerS, _rampUpWPerS);
            _followedPlanSlopeWPerS = referenceSlopeWPerS;
        }
        else
        {
            _slopeWPerS += _alphaSlope * (desiredSlope - _slopeWPerS);
            _followedPlanSlopeWPerS = double.NaN;
        }

        // The flags say what the target does: ramp-limited down only while it falls (the low-passed slope turns
        // from rising to falling over a few periods after the clamp changes sides), and up only while it rises.
        if (clampedUp && _slopeWPerS > 0)
        {
            flags |= ControlFlags.RampLimitedUp;
        }
        else if (clampedDown && _slopeWPerS < 0)
        {
            flags |= ControlFlags.RampLimitedDown;
        }
        double gridW = previousW + _slopeWPerS * dtS;
        if (gridW >= _effectiveCapW)
        {
            gridW = _effectiveCapW;
            _slopeWPerS = Math.Min(_slopeWPerS, 0);
            flags |= ControlFlags.AtGridCap;
        }
        else if (gridW <= _effectiveFloorW)
        {
            gridW = _effectiveFloorW;
            _slopeWPerS = Math.Max(_slopeWPerS, 0);
            flags |= ControlFlags.AtGridFloor;
        }

        // The setpoint acts one latency later: command L̂(t+Δ) − g*(t+Δ) (with compensation off both terms are 0).
        double gridAheadW = _compensationS > 0 ? Math.Clamp(gridW + _slopeWPerS * _compensationS, _effectiveFloorW, _effectiveCapW) : gridW;
        double setpointW = _envelope.Clamp(effectiveLoadW + loadAheadW - gridAheadW, ref flags);
        if ((flags & ControlFlags.Saturated) != 0)
        {
            // Anti-windup: the grid will really be load − setpoint; continue from there at the least-bad ramp.
            gridW = effectiveLoadW - setpointW;
            _slopeWPerS = Math.Clamp((gridW - previousW) / dtS, -_rampDownWPerS, _rampUpWPerS);
        }

        _gridTargetW = gridW;
        return setpointW;
    }

    private void FollowActualGrid(double gridW)
    {
        // While the battery does not control (standby, fault, unavailable, no load, E-stop) the grid may go beyond a
        // limit; the limit is then brought back over it by a ramp once control resumes (RampLimitsIn), exactly as at
        // start — never enforced at once, which would step the battery by the whole excess.
        _effectiveCapW = Math.Max(_capTargetW, gridW);
        _effectiveFloorW = Math.Min(_floorTargetW, gridW);
        _gridTargetW = gridW;
        _refStage1W = gridW;
        _refStage2W = gridW;
        _holdReferenceW = gridW;
        _slopeWPerS = 0;
        _followedPlanSlopeWPerS = double.NaN;
    }

    private static double MoveToward(double fromW, double toW, double maxStepW)
    {
        double deltaW = toW - fromW;
        return Math.Abs(deltaW) <= maxStepW ? toW : fromW + Math.CopySign(maxStepW, deltaW);
    }
}
