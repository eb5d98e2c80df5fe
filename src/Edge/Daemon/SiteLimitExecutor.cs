using Edge.Agents.Registry;
using Edge.Core.Control;
using Edge.Core.Timing;
using Edge.Mqtt.Commands;
using Edge.Runtime.Cycle;
using Edge.Runtime.Handoff;

namespace Edge.Daemon;

/// <summary>
/// Carries out <c>site-limit</c> grid requests on the loop thread (docs/site-limit.md). <see cref="Accept"/> answers at
/// once: the limit (P, or the grid target less X %), the ramp it is met at (the down-ramp limit in force, or the
/// request's emergency ramp up to the configured hard limit <c>Controller:RampDownWPerS</c>), the time to reach it, how
/// long the battery alone can hold it (energy above <c>SocMinPct</c> at the excess power) and what the active agents
/// can shed — feasible when together they cover the whole duration. <see cref="Step"/> (every period, before the
/// controller decides) starts it: the grid cap becomes min(cap in force, P), which the controller ramps in from where
/// the grid is at the ramp limit, so the response starts in the next period and never steps; an operator raising the
/// cap meanwhile is overridden; at the end the previous cap and ramp come back. Compliance (grid at or below the limit
/// after the reach time) is measured every period and handed to the publisher through a latest-value mailbox. The
/// meter has the last word: what it reads over the controller's own target holds the cap that much below the limit
/// (<see cref="CorrectionTimeConstantS"/>) until the controller's trim has learnt it. Allocation-free.
/// </summary>
internal sealed class SiteLimitExecutor : ISiteLimitHandler
{
    private readonly ControllerOptions _configured;
    private readonly IMonotonicClock _clock;
    private readonly LatestValueMailbox<AgentFleet> _fleet;
    private ControlCycle? _cycle;
    private SiteLimitStatus _status;
    private long _startNs, _endNs, _lastNs;
    private double _baseCapW, _baseRampDownWPerS;
    private double _appliedCapW, _correctionW; // the cap this executor set, and how far below the limit the meter put it
    private double _gridMeanW = double.NaN; // the measured grid, exponential 1 s mean: compliance as a meter judges it
    private double _targetMeanW = double.NaN; // the controller's grid target, the same mean

    public SiteLimitExecutor(ControllerOptions configured, IMonotonicClock clock, LatestValueMailbox<AgentFleet> fleet)
    {
        _configured = configured;
        _clock = clock;
        _fleet = fleet;
    }

    /// <summary>The published progress (written every period).</summary>
    public LatestValueFanOut<SiteLimitStatus> Status { get; } = new(2);

    /// <summary>
    /// The lever coordinator (loop thread, like this executor): its <see cref="Edge.Core.Levers.LeverCoordinator.Estimate"/>
    /// is the one feasibility estimate, and the limit accepted here is set in it so that the levers take over as the
    /// battery's energy runs out. Null without agents (then the battery alone is counted).
    /// </summary>
    public AgentLevers? Levers { get; set; }

    /// <summary>The cycle whose input and last decision the request is sized from (set once the cycle exists).</summary>
    public ControlCycle? Cycle { set => _cycle = value; }

    /// <inheritdoc />
    public string? Accept(ref SiteLimitCommand request, SmoothingController controller)
    {
        if (_cycle is null)
        {
            return "the control loop is not running yet";
        }

        if (request.Cancel)
        {
            if (_status.Phase is not (SiteLimitPhase.Scheduled or SiteLimitPhase.Active))
            {
                return "no site limit is in force";
            }

            End(controller, SiteLimitPhase.Cancelled);
            return null;
        }

        if (controller.Mode != ControlMode.Auto)
        {
            return "the controller is not in auto mode: a site limit needs the battery under control";
        }

        ref readonly TickInput input = ref _cycle.Input;
        double fromW = _status.Phase == SiteLimitPhase.Active ? _status.FromW : _cycle.LastDecision.GridTargetW;
        if (!double.IsFinite(fromW))
        {
            return "the grid power is not known yet";
        }

        ControllerLimits limits = controller.Limits;
        double targetW = double.IsNaN(request.MaxW) ? fromW * (1 - (request.ReducePct / 100)) : request.MaxW;
        if (targetW <= limits.GridFloorW)
        {
            return $"the limit {Math.Round(targetW)} W is not above the grid floor {limits.GridFloorW} W";
        }

        double rampWPerS = _status.Phase == SiteLimitPhase.Active ? _baseRampDownWPerS : limits.RampDownWPerS;
        if (!double.IsNaN(request.EmergencyRampWPerS))
        {
            if (request.EmergencyRampWPerS > _configured.RampDownWPerS)
            {
                return $"emergency_ramp_w_per_s exceeds the hard limit {_configured.RampDownWPerS} W/s (Controller:RampDownWPerS)";
            }

            rampWPerS = request.EmergencyRampWPerS;
        }

        double excessW = Math.Max(0, fromW - targetW);
        double reachS = excessW / rampWPerS;
        double socPct = double.IsFinite(input.SocPct) ? input.SocPct : 0;
        double availableWh = Math.Max(0, socPct - _configured.SocMinPct) / 100 * _configured.EnergyWh * _configured.DischargeEfficiency;
        _fleet.TryRead(out AgentFleet fleet, out _, out _);
        double leversW = fleet.FlexCurtailableW + fleet.GpuCappableW;
        double discharge = double.IsFinite(input.AllowedDischargeW) ? Math.Min(input.AllowedDischargeW, _configured.MaxDischargeW) : _configured.MaxDischargeW;
        double battery = double.IsFinite(input.BatteryMeasuredW) ? input.BatteryMeasuredW : 0;
        request.FromW = fromW;
        request.TargetW = targetW;
        request.RampWPerS = rampWPerS;
        request.ReachS = reachS;
        request.BatteryHoldsS = excessW > 0 ? (availableWh * 3600 / excessW) + (reachS / 2) : double.PositiveInfinity;
        request.LeversW = leversW;
        bool power = excessW + Math.Max(0, battery) <= discharge + leversW;
        bool energy = request.BatteryHoldsS >= reachS + request.DurationS || leversW >= excessW;
        request.Feasible = power && energy;

        long nowNs = _clock.NowNs;
        if (_status.Phase == SiteLimitPhase.Active)
        {
            // A new request replaces the one in force: back to the base first (moves nothing when the new limit is lower).
            End(controller, SiteLimitPhase.Done);
        }

        if (Levers is { } levers)
        {
            // One estimate: the coordinator's (battery energy over the duration + what the levers counted on can take).
            var grid = new Edge.Core.Levers.SiteLimitRequest("site-limit", targetW, nowNs + (long)((request.StartsInS + reachS) * 1e9),
                (long)(request.DurationS * 1e9), double.IsNaN(request.EmergencyRampWPerS) ? 0 : request.EmergencyRampWPerS);
            Edge.Core.Levers.SiteLimitFeasibility f = levers.Coordinator.SetSiteLimit(grid, levers.Input(controller));
            request.Feasible = f.Feasible;
            request.LeversW = f.LeverW;
        }

        _startNs = nowNs + (long)(request.StartsInS * 1e9);
        _endNs = _startNs + (long)((request.DurationS + reachS) * 1e9);
        _status = new SiteLimitStatus
        {
            Phase = SiteLimitPhase.Scheduled,
            FromW = fromW,
            TargetW = targetW,
            RampWPerS = rampWPerS,
            ReachS = reachS,
            DurationS = request.DurationS,
            Feasible = request.Feasible,
            Compliant = true,
        };
        Step(controller);
        return null;
    }

    /// <summary>Every period, on the loop thread, before the controller decides.</summary>
    public void Step(SmoothingController controller)
    {
        if (_status.Phase is SiteLimitPhase.None || _cycle is null)
        {
            return;
        }

        long nowNs = _clock.NowNs;
        ref readonly TickInput input = ref _cycle.Input;
        if (_status.Phase == SiteLimitPhase.Scheduled && nowNs >= _startNs)
        {
            ControllerLimits limits = controller.Limits;
            _baseCapW = limits.GridCapW;
            _baseRampDownWPerS = limits.RampDownWPerS;
            _correctionW = 0;
            _appliedCapW = Math.Min(limits.GridCapW, _status.TargetW);
            if (controller.TryApplyLimits(limits with { GridCapW = _appliedCapW, RampDownWPerS = _status.RampWPerS }) is null)
            {
                _status.Phase = SiteLimitPhase.Active;
                _lastNs = nowNs;
            }
            else
            {
                _status.Phase = SiteLimitPhase.Cancelled;
            }
        }
        else if (_status.Phase == SiteLimitPhase.Active)
        {
            ControllerLimits limits = controller.Limits;
            if (nowNs >= _endNs)
            {
                End(controller, SiteLimitPhase.Done);
            }
            else
            {
                if (limits.GridCapW != _appliedCapW)
                {
                    // An operator's limits command changed the cap meanwhile: it is the cap restored at the end, and
                    // while the grid request lasts it holds only where it is the lower one.
                    _baseCapW = limits.GridCapW;
                }

                double capW = Math.Min(_baseCapW, _status.TargetW - _correctionW);
                // (Not at or below a floor an operator raised: refused limits are not retried every period.)
                if (capW > limits.GridFloorW && (capW != limits.GridCapW || limits.RampDownWPerS != _status.RampWPerS))
                {
                    // The grid request wins over a raised cap or a changed down-ramp while it lasts.
                    if (controller.TryApplyLimits(limits with { GridCapW = capW, RampDownWPerS = _status.RampWPerS }) is null)
                    {
                        _appliedCapW = capW;
                    }
                }
            }
        }

        double gridW = input.HasGridMeasured ? input.GridMeasuredW : input.LoadW - input.BatteryMeasuredW;
        double lastTargetW = _cycle.LastDecision.GridTargetW;
        if (double.IsFinite(gridW) && double.IsFinite(lastTargetW))
        {
            // The meter this period answers the target set last period: both as the same exponential 1 s mean.
            double a = Math.Min(1, (nowNs - _lastNs) * 1e-9 / ComplianceMeanS);
            _gridMeanW = double.IsNaN(_gridMeanW) ? gridW : _gridMeanW + (a * (gridW - _gridMeanW));
            _targetMeanW = double.IsNaN(_targetMeanW) ? lastTargetW : _targetMeanW + (a * (lastTargetW - _targetMeanW));
        }

        _status.GridW = gridW;
        _status.GridTargetW = _cycle.LastDecision.GridTargetW;
        _status.ElapsedS = (nowNs - _startNs) * 1e-9;
        if (_status.Phase == SiteLimitPhase.Active && _status.ElapsedS >= _status.ReachS && double.IsFinite(gridW))
        {
            double overW = _gridMeanW - _status.TargetW;
            _status.Compliant = overW <= Tolerance(_status.FromW);
            if (!_status.Compliant)
            {
                _status.OverS += (nowNs - _lastNs) * 1e-9;
                _status.MaxOverW = Math.Max(_status.MaxOverW, overW);
            }

            // The meter is the point of compliance. What it reads over the controller's own target, both as the same 1 s
            // mean (so a ramp's lag cancels) — plant bias the controller's trim has not learnt yet (it learns with
            // 1 / (2π · BandLowHz / 10), 16 s by default), an inverter short of its setpoint, an unmetered load switched on
            // — is followed, with CorrectionTimeConstantS, by a cap that much lower, which the controller ramps in. As
            // the trim learns, the disagreement and with it the correction go back to 0.
            double dtS = Math.Min((nowNs - _lastNs) * 1e-9, MaxCorrectionStepS);
            double disagreementW = Math.Max(0, _gridMeanW - _targetMeanW);
            _correctionW += -double.ExpM1(-dtS / CorrectionTimeConstantS) * (disagreementW - _correctionW);
            _correctionW = Math.Clamp(_correctionW, 0, MaxCorrectionW(_status.FromW, _status.TargetW, controller.Limits.GridFloorW));
        }

        _status.MeterCorrectionW = _correctionW;
        _lastNs = nowNs;
        Status.Write(_status, nowNs);
    }

    /// <summary>
    /// Compliance is judged on the measured grid's exponential mean over this long (s), as a meter or SCADA scan would:
    /// a single period's leak of a load edge (the battery's response latency) is not a breach.
    /// </summary>
    internal const double ComplianceMeanS = 1;

    /// <summary>The compliance tolerance: measurement noise and the trim's residual, 1 % of the starting grid + 5 W.</summary>
    internal static double Tolerance(double fromW) => (0.01 * Math.Abs(fromW)) + 5;

    /// <summary>
    /// The correction follows the meter's disagreement with the controller's target through a low-pass of this time
    /// constant (s): slow against the loop period and a meter's noise, fast against the controller's trim
    /// (1 / (2π · BandLowHz / 10), 16 s by default), which is what it covers for until the trim has learnt.
    /// </summary>
    internal const double CorrectionTimeConstantS = 3;

    /// <summary>The longest step integrated at once (s): an overrun's gap is not a burst of correction.</summary>
    private const double MaxCorrectionStepS = 0.1;

    /// <summary>
    /// The most the cap is lowered below the limit: 10 % of the starting grid (a meter that disagrees by more is a
    /// fault to look at, not a bias to chase), never to the grid floor.
    /// </summary>
    internal static double MaxCorrectionW(double fromW, double targetW, double floorW) =>
        Math.Max(0, Math.Min(0.1 * Math.Abs(fromW), targetW - floorW - 1));

    private void End(SmoothingController controller, SiteLimitPhase phase)
    {
        Levers?.Coordinator.ClearSiteLimit();
        if (_status.Phase == SiteLimitPhase.Active)
        {
            ControllerLimits limits = controller.Limits;
            controller.TryApplyLimits(limits with { GridCapW = _baseCapW, RampDownWPerS = _baseRampDownWPerS });
        }

        _status.Phase = phase;
        Status.Write(_status, _clock.NowNs);
    }
}
