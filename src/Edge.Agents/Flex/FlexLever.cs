using Edge.Agents.Contract;
using Edge.Agents.Host;
using Edge.Core.Levers;

namespace Edge.Agents.Flex;

/// <summary>
/// A flexible load's lever (a miner, a burn load): a level in % of its rated power, set through an
/// <see cref="IFlexActuator"/> in steps of <see cref="FlexAgentOptions.LevelStepPct"/>. A <c>level</c> command holds
/// until it expires; then — or on release — the level goes back to 100 % along the <see cref="ReleaseRamp"/> (in W of
/// rated power, after a jitter delay or a configured release slot), one step at a time, a step never ahead of the ramp
/// and never sooner after the last step up than the ramp takes for one step (an agent or actuator that stalled
/// releases slower afterwards, never in a burst of catch-up steps: the release is never steeper than the ramp).
/// A command is applied at once (the actuator runs before the reply). At start the level is taken to be
/// <c>initialLevelPct</c> (what the operator says the load runs at; 100 % by default) and released from there, so a
/// restart never steps the load. Telemetry's <c>power_w</c> is rated × level (the agent has no meter of its own).
/// </summary>
public sealed class FlexLever : IAgentLever
{
    private readonly IFlexActuator _actuator;
    private readonly FlexAgentOptions _options;
    private readonly ReleaseRamp _ramp;
    private readonly double _stepPct;
    private double _levelPct;
    private bool _started;
    private readonly double _initialPct;
    private string? _fault;
    private readonly long _stepSpacingNs;
    private long _lastUpNs = long.MinValue / 2; // no step yet (halved: the difference to now must not overflow)

    /// <summary>Creates the lever.</summary>
    public FlexLever(IFlexActuator actuator, FlexAgentOptions options, double initialLevelPct = 100)
    {
        _actuator = actuator ?? throw new ArgumentNullException(nameof(actuator));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (!(options.RatedW > 0) || !(options.LevelStepPct > 0 && options.LevelStepPct <= 100) || !(options.MinLevelPct >= 0 && options.MinLevelPct <= 100)
            || !(initialLevelPct >= 0 && initialLevelPct <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Need rated power > 0, a level step in (0, 100] %, min and initial levels in [0, 100] %.");
        }

        _stepPct = options.LevelStepPct;
        double stepW = options.RatedW * _stepPct / 100;
        double? slotDelayS = options.ReleaseSlot is { } slot ? ReleaseRamp.SlotDelayS(slot, options.ReleaseSlots, stepW, options.ReleaseWPerS) : null;
        _ramp = new ReleaseRamp(options.RatedW * options.MinLevelPct / 100, options.RatedW, options.RatedW, options.ReleaseWPerS, options.ReleaseJitterS,
            ReleaseRamp.SeedOf(options.Identity), slotDelayS);
        _stepSpacingNs = (long)(stepW / options.ReleaseWPerS * 1e9);
        _initialPct = initialLevelPct;
        _levelPct = initialLevelPct;
        Capabilities = new AgentCapabilities
        {
            Kind = AgentKind.Flex,
            MinW = _ramp.MinW,
            MaxW = _ramp.MaxW,
            ResponseMs = options.ResponseMs,
            Knobs = [AgentKnob.Level],
            TelemetryHz = options.TelemetryHz,
            ReleaseWPerS = options.ReleaseWPerS,
            ReleaseJitterS = slotDelayS ?? options.ReleaseJitterS,
            LevelStepPct = _stepPct,
            MaxCommandLifetimeS = options.MaxCommandLifetimeS,
        };
    }

    /// <inheritdoc />
    public AgentCapabilities Capabilities { get; }

    /// <summary>The level in force (last written, or assumed at start), %.</summary>
    public double LevelPct => _levelPct;

    /// <summary>The last actuator failure, or null.</summary>
    public string? Fault => _fault;

    /// <inheritdoc />
    public bool IsFree => _ramp.Phase == LeverPhase.Free && _levelPct >= 100;

    /// <inheritdoc />
    public (double? Applied, string? Error) Apply(string name, AgentCommand command, long nowNs, long expiresNs)
    {
        if (name != "level")
        {
            return (null, $"command '{name}' does not exist for a flexible-load agent (level)");
        }

        Start(nowNs);
        if (command.LevelPct is not { } pct)
        {
            _ramp.Release(nowNs);
            return (_levelPct, null);
        }

        if (pct < _options.MinLevelPct || pct > 100)
        {
            return (null, FormattableString.Invariant($"level_pct {pct} is outside the local limits [{_options.MinLevelPct}, 100] %"));
        }

        // To a step of this load: down (more curtailment) unless that falls below the local minimum.
        double q = Math.Floor((pct / _stepPct) + 1e-9) * _stepPct;
        q = q < _options.MinLevelPct ? Math.Min(100, Math.Ceiling((_options.MinLevelPct / _stepPct) - 1e-9) * _stepPct) : q;
        if (!_ramp.TryCommand(_options.RatedW * q / 100, nowNs, expiresNs, command.ReleaseWPerS, out string? refused))
        {
            return (null, refused);
        }

        if (q != _levelPct && Write(q) is { } error)
        {
            _ramp.Release(nowNs);
            return (null, error);
        }

        return (q, null);
    }

    /// <inheritdoc />
    public AgentTelemetry Sample(long nowNs, long seq, long tsMs)
    {
        Start(nowNs);
        double valuePct = _ramp.Update(nowNs) / _options.RatedW * 100;
        // Quantised toward where the level is: a rise waits for the ramp to pass the next step, a fall takes it at once.
        double q = valuePct >= _levelPct ? Math.Floor((valuePct / _stepPct) + 1e-9) * _stepPct : Math.Ceiling((valuePct / _stepPct) - 1e-9) * _stepPct;
        // At most one step up, and not before the ramp's time for one step has passed since the last: an actuator or
        // agent that stalled releases slower afterwards, never in a burst.
        q = Math.Clamp(Math.Min(q, _levelPct + _stepPct), 0, 100);
        if (q > _levelPct && nowNs - _lastUpNs < _stepSpacingNs)
        {
            q = _levelPct;
        }

        if (q != _levelPct || _fault is not null)
        {
            bool up = q > _levelPct;
            _fault = Write(q);
            _lastUpNs = up && _fault is null ? nowNs : _lastUpNs;
        }

        AgentState state = _fault is not null ? AgentState.Fault : _ramp.Phase switch
        {
            LeverPhase.Commanded => AgentState.Commanded,
            LeverPhase.Releasing => AgentState.Releasing,
            _ when !IsFree => AgentState.Releasing,
            _ => AgentState.Free,
        };
        return new AgentTelemetry { Seq = seq, TsMs = tsMs, PowerW = _options.RatedW * _levelPct / 100, LevelPct = _levelPct, State = state };
    }

    /// <inheritdoc />
    public void ReleaseAll(long nowNs) => _ramp.Release(nowNs);

    private void Start(long nowNs)
    {
        if (!_started)
        {
            _started = true;
            _ramp.ReleaseFrom(_options.RatedW * _initialPct / 100, nowNs);
        }
    }

    private string? Write(double levelPct)
    {
        string? error = _actuator.SetLevel(levelPct);
        if (error is null)
        {
            _levelPct = levelPct;
        }

        return error;
    }
}
