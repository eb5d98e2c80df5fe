using System.Globalization;
using Edge.Agents.Contract;
using Edge.Agents.Registry;
using Edge.Core.Control;
using Edge.Core.Forecast;
using Edge.Core.Levers;
using Edge.Core.Timing;
using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;
using Edge.Runtime.Handoff;

namespace Edge.Daemon;

/// <summary>
/// The lever coordinator in the daemon (docs/agents.md, "The lever coordinator in the daemon"). Three threads, joined
/// by bounded non-blocking rings:
/// <list type="bullet">
/// <item><b>Registry thread</b> (<see cref="Publish"/>, after every sweep): each counted-on agent with a lever
/// (a flexible load with <c>level</c>, a GPU node with <c>power_cap</c>) keeps one slot of a fixed table of
/// <see cref="Capacity"/> for as long as Edge runs; its spec (from its published capabilities), its power and whether
/// it is counted on go to the loop as slot updates; announcements not yet handed over go too.</item>
/// <item><b>Loop thread</b> (<see cref="Step"/>, every period before the controller decides): applies the updates
/// (<see cref="LeverCoordinator.SetLever"/>, <see cref="LeverCoordinator.Report"/>, <see cref="LeverCoordinator.Announce"/>),
/// runs <see cref="LeverCoordinator.Update"/> with this period's sample and the last decision, and queues the changed
/// commands; costs go to the publisher through a latest-value mailbox. Allocation-free.</item>
/// <item><b>Sender thread</b> (<see cref="SendPending"/>): turns queued commands into agent commands (<c>level</c> or
/// <c>power-cap</c>, with an id and a wall-clock expiry; <c>null</c> = release along the agent's ramp; and
/// <c>smoothing-profile</c> under backstop tier 2, <c>null</c> when it ends) on
/// <c>edge/{site}/agents/{agent}/cmd/{account}/…</c>.</item>
/// </list>
/// </summary>
internal sealed class AgentLevers : Edge.Runtime.Cycle.IFlexibleLoads
{
    /// <summary>Lever slots (agents with a lever Edge can command at once).</summary>
    public const int Capacity = 64;

    private readonly LeverCoordinator _coordinator;
    private readonly SpscRing<SlotUpdate> _updates = new(4096);
    private readonly AnnouncementHandOff _announcements = new();
    private readonly SpscRing<OutCommand> _outbox = new(1024);
    private readonly int _smoothingProfile;
    private readonly string _site;
    private readonly string _account;
    private readonly IMonotonicClock _clock;

    // Registry thread (slot metadata is written before the slot's first update; the loop and the sender read it after).
    private readonly Dictionary<string, int> _slotOf = new(StringComparer.Ordinal);
    private readonly string?[] _slotId = new string?[Capacity];
    private readonly LeverSpec[] _slotSpec = new LeverSpec[Capacity];
    private readonly bool[] _slotActive = new bool[Capacity];
    private readonly bool[] _seen = new bool[Capacity];
    private bool _saidFull;

    // Sender thread.
    private long _sent;

    // Loop thread: each slot's last reported power if it is a flexible load (0 otherwise); whether a GPU agent has
    // reported its demand (the energy lost under caps is known only then).
    private readonly double[] _flexPowerW = new double[Capacity];
    private readonly bool[] _flexKnown = new bool[Capacity];
    private double _curtailableW;
    private double _unmeteredDeltaW;
    private Edge.Runtime.Cycle.ControlCycle? _cycle;
    private bool _gpuDemandKnown;

    public AgentLevers(LeverCoordinatorOptions options, string site, string account, IMonotonicClock clock, bool flexInLoad = false)
    {
        FlexInLoad = flexInLoad;
        _coordinator = LeverCoordinator.WithSlots(Capacity, options);
        _smoothingProfile = options.SmoothingProfile;
        _site = site;
        _account = account;
        _clock = clock;
    }

    /// <summary>
    /// True when the load sensors measure the flexible loads too (they are on the measured feeders): the coordinator's
    /// racks' load is then the measured load less their reported power. False (flexible loads on their own feeders, as
    /// in the sim rig by default): only the grid sees them, so the cycle adds the moves of their reported power to the
    /// controller's load (<see cref="UnmeteredDeltaW"/>, wired as the cycle's <see cref="Edge.Runtime.Cycle.ControlCycle.FlexibleLoads"/>).
    /// Either way the controller smooths racks + flexible loads, what the point of connection carries.
    /// </summary>
    public bool FlexInLoad { get; }

    /// <summary>The coordinator (loop thread only).</summary>
    public LeverCoordinator Coordinator => _coordinator;

    /// <summary>Costs and the plan, written every period (publisher and live view read it).</summary>
    public LatestValueFanOut<LeverFigures> Figures { get; } = new(2);

    /// <summary>
    /// The backstop's figures (the pump's <see cref="CyclePump.BackstopState"/>, its <see cref="DaemonReaders.Loop"/>
    /// reader, read on the loop thread). A tier older than <see cref="BackstopTierMaxAgeNs"/> counts as 0: with the pump
    /// stopped the tier is unknown and its actions end along their release ramps. Null: no backstop.
    /// </summary>
    public LatestValueMailbox<BackstopFigures>? BackstopTier { get; set; }

    /// <summary>Oldest backstop tier the loop acts on, ns.</summary>
    public const long BackstopTierMaxAgeNs = 2_000_000_000;

    /// <summary>Commands sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Called with a message for the log (registry and sender threads).</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Registry thread, after each sweep: slot updates and new announcements to the loop.</summary>
    public void Publish(AgentRegistry registry)
    {
        Array.Clear(_seen);
        registry.Visit(a =>
        {
            if (!a.Active || a.Capabilities is not { } c || a.Telemetry is not { } t)
            {
                return;
            }

            LeverKind kind;
            if (c.Kind == AgentKind.Flex && c.Knobs.Contains(AgentKnob.Level))
            {
                kind = LeverKind.Flex;
            }
            else if (c.Kind == AgentKind.Gpu && c.Knobs.Contains(AgentKnob.PowerCap))
            {
                kind = LeverKind.Gpu;
            }
            else
            {
                return;
            }

            // A GPU agent with the smoothing-profile knob and the configured profile among its presets gets the profile
            // under tier 2; one without (or with too few presets: it would refuse the number) is capped instead.
            bool profile = kind == LeverKind.Gpu && c.Knobs.Contains(AgentKnob.SmoothingProfile) && c.SmoothingProfiles > _smoothingProfile;
            var spec = new LeverSpec(a.Id, kind, c.MinW, c.MaxW, kind == LeverKind.Flex ? (c.LevelStepPct ?? 0) / 100 * c.MaxW : 0,
                c.ResponseMs / 1000, c.ReleaseWPerS, profile);
            if (spec.Problems().Any())
            {
                return;
            }

            if (!_slotOf.TryGetValue(a.Id, out int slot))
            {
                slot = Array.IndexOf(_slotId, null);
                if (slot < 0)
                {
                    if (!_saidFull)
                    {
                        _saidFull = true;
                        Log?.Invoke($"lever table full ({Capacity}): agent {a.Id} is not commanded");
                    }

                    return;
                }

                _slotId[slot] = a.Id;
                _slotOf[a.Id] = slot;
            }

            _seen[slot] = true;
            bool newSpec = !_slotActive[slot] || _slotSpec[slot] != spec;
            _slotSpec[slot] = spec;
            _slotActive[slot] = true;
            // The cap a GPU node says is in force (whoever set it: Edge, an operator, another node's site limit).
            double capW = kind == LeverKind.Gpu && t.State == AgentState.Commanded && t.CapW is { } cap ? cap : double.NaN;
            _updates.TryWrite(new SlotUpdate(slot, newSpec, spec, true, t.PowerW, t.DemandW ?? double.NaN, capW));
        });

        for (int i = 0; i < Capacity; i++)
        {
            if (_slotActive[i] && !_seen[i])
            {
                _slotActive[i] = false;
                _updates.TryWrite(new SlotUpdate(i, false, default, false, 0, double.NaN, double.NaN));
            }
        }

        _announcements.Offer(registry.Announcements());
    }

    /// <summary>
    /// Loop thread: what the cycle adds to the controller's load, W — 0 when the flexible loads are on the measured
    /// feeders; otherwise the sum of every change of a counted-on flexible load's reported power. A load that becomes
    /// known (or whose agent falls silent) adds nothing: the grid carried it before and carries it still, and the
    /// controller must not see its appearance as a step; every move it makes while reported, the controller smooths.
    /// Allocation-free.
    /// </summary>
    public double UnmeteredDeltaW => FlexInLoad ? 0 : _unmeteredDeltaW;

    /// <summary>What the counted-on flexible loads reported drawing at the last <see cref="Step"/>, W (loop thread).</summary>
    public double CurtailableW => _curtailableW;

    /// <summary>
    /// The cycle whose sample and last decision the coordinator reads (set once it exists, before the loop starts);
    /// setting it also makes these levers the cycle's <see cref="Edge.Runtime.Cycle.ControlCycle.FlexibleLoads"/>.
    /// </summary>
    public Edge.Runtime.Cycle.ControlCycle? Cycle
    {
        get => _cycle;
        set
        {
            _cycle = value;
            if (value is not null)
            {
                value.FlexibleLoads = this;
            }
        }
    }

    /// <summary>This period's coordinator input: the sample, the last decision, the limits in force.</summary>
    public LeverInput Input(SmoothingController controller)
    {
        var input = default(LeverInput);
        if (Cycle is not { } cycle)
        {
            input.NowNs = _clock.NowNs;
            input.LoadW = double.NaN;
            input.GridTargetW = double.NaN;
            return input;
        }

        ref readonly TickInput sample = ref cycle.Input;
        Decision last = cycle.LastDecision;
        ControllerLimits limits = controller.Limits;
        input.NowNs = _clock.NowNs;
        double flexW = 0;
        for (int i = 0; i < Capacity; i++)
        {
            flexW += _flexPowerW[i];
        }

        // The coordinator's contract: racks' load without flexible loads; the grid target with them (the grid sees both).
        // The controller's load holds the flexible loads when they are measured (FlexInLoad), else only their moves
        // (UnmeteredDeltaW), so its grid target lacks their power less those moves.
        double inControllerW = FlexInLoad ? flexW : _unmeteredDeltaW;
        input.LoadW = sample.LoadW - inControllerW;
        input.GridTargetW = last.GridTargetW + (flexW - inControllerW);
        input.AllowedDischargeW = last.AllowedDischargeW;
        input.AllowedChargeW = last.AllowedChargeW;
        input.SocPct = sample.SocPct;
        input.SocTargetPct = last.SocTargetPct;
        input.RampUpWPerS = limits.RampUpWPerS;
        input.RampDownWPerS = limits.RampDownWPerS;
        if (BackstopTier is { } tier && tier.TryRead(out BackstopFigures b, out _, out long tierNs) && input.NowNs - tierNs <= BackstopTierMaxAgeNs)
        {
            input.BackstopTier = b.Tier;
        }

        return input;
    }

    /// <summary>Loop thread, every period before the controller decides (after the site limit's step). Allocation-free.</summary>
    public void Step(SmoothingController controller)
    {
        while (_updates.TryRead(out SlotUpdate u))
        {
            if (u.NewSpec)
            {
                _coordinator.SetLever(u.Slot, u.Spec);
            }

            _coordinator.Report(u.Slot, u.PowerW, u.DemandW, u.Online, u.CapW);
            _gpuDemandKnown |= u.Online && double.IsFinite(u.DemandW) && _coordinator.Levers[u.Slot].Kind == LeverKind.Gpu;
            bool flexKnown = u.Online && _coordinator.Levers[u.Slot].Kind == LeverKind.Flex && double.IsFinite(u.PowerW);
            double flexW = flexKnown ? Math.Max(0, u.PowerW) : 0;
            if (flexKnown && _flexKnown[u.Slot] && !u.NewSpec)
            {
                _unmeteredDeltaW += flexW - _flexPowerW[u.Slot]; // a move of a load already counted on
            }

            _flexKnown[u.Slot] = flexKnown;
            _flexPowerW[u.Slot] = flexW;
        }

        // A counted-on flexible load guards the battery's SoC min (the coordinator curtails it there), so the controller's
        // discharging power-headroom bound need not fade for energy (SmoothingController.SocBackedByLevers); what such
        // loads draw is the controller's CurtailableW from the next period on.
        bool flexCounted = false;
        double curtailableW = 0;
        for (int i = 0; i < Capacity; i++)
        {
            flexCounted |= _flexKnown[i];
            curtailableW += _flexPowerW[i];
        }

        controller.SocBackedByLevers = flexCounted;
        _curtailableW = curtailableW;

        while (_announcements.TryTake(out AnnouncedPhase p))
        {
            _coordinator.Announce(p);
        }

        if (Cycle is not { } cycle || controller.Mode != ControlMode.Auto || cycle.LastDecision.NowNs == 0)
        {
            // Without a controller in auto the battery is not covering anything: the levers are released (the
            // coordinator is not stepped; commands in force expire and the agents ramp back). Before the controller's
            // first decision there is no grid target to hold (agents counted on before the first period — a loaded
            // box — would otherwise be capped against a target of 0 W).
            return;
        }

        LeverInput input = Input(controller);
        _coordinator.Update(input);
        ReadOnlySpan<LeverCommand> commands = _coordinator.Commands;
        for (int i = 0; i < commands.Length; i++)
        {
            ref readonly LeverCommand c = ref commands[i];
            if (c.Changed || c.SmoothingChanged)
            {
                _outbox.TryWrite(new OutCommand(i, c));
            }
        }

        LeverCosts costs = _coordinator.Costs;
        Figures.Write(new LeverFigures
        {
            Costs = costs,
            FlexCommandW = _coordinator.FlexCommandW,
            FlexReserveW = _coordinator.FlexReserveW,
            GpuAllowedW = _coordinator.GpuAllowedW,
            BatteryBudgetW = _coordinator.BatteryBudgetW,
            Absorbing = _coordinator.Absorbing,
            CommandsDropped = _outbox.Dropped,
            GpuEnergyLostKnown = _gpuDemandKnown,
        }, input.NowNs);
    }

    /// <summary>Sender thread: publishes the queued commands. Returns how many were sent.</summary>
    public int SendPending(MqttClient client, TimeProvider wall)
    {
        int n = 0;
        while (_outbox.TryRead(out OutCommand o))
        {
            LeverSpec spec = _slotSpec[o.Slot];
            string? agent = _slotId[o.Slot];
            if (agent is null)
            {
                continue;
            }

            LeverCommand c = o.Command;
            var topics = new AgentTopics(_site, agent);
            if (c.Changed)
            {
                Send(client, topics, spec.Kind == LeverKind.Flex ? "level" : "power-cap", new AgentCommand
                {
                    Id = Guid.NewGuid().ToString("N"),
                    ExpiresAt = Expiry(wall, c.ExpiresNs),
                    LevelPct = spec.Kind == LeverKind.Flex && !c.Release ? Math.Clamp(Math.Round(c.ValueW / spec.MaxW * 100, 2), 0, 100) : null,
                    CapW = spec.Kind == LeverKind.Gpu && !c.Release ? Math.Round(Math.Max(c.ValueW, spec.MinW), 1) : null,
                });
                n++;
            }

            if (c.SmoothingChanged && spec.Kind == LeverKind.Gpu)
            {
                Send(client, topics, "smoothing-profile", new AgentCommand
                {
                    Id = Guid.NewGuid().ToString("N"),
                    ExpiresAt = Expiry(wall, c.SmoothingExpiresNs),
                    Profile = c.SmoothingProfile >= 0 ? c.SmoothingProfile : null,
                });
                n++;
            }
        }

        return n;
    }

    private DateTimeOffset Expiry(TimeProvider wall, long expiresNs) =>
        wall.GetUtcNow().AddMilliseconds(Math.Max(1000, (expiresNs - _clock.NowNs) / 1e6));

    private void Send(MqttClient client, AgentTopics topics, string name, AgentCommand command)
    {
        _ = client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topics.Command(_account, name))
            .WithPayload(AgentJson.Serialize(command)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Interlocked.Increment(ref _sent);
    }

    private readonly record struct SlotUpdate(int Slot, bool NewSpec, LeverSpec Spec, bool Online, double PowerW, double DemandW, double CapW);

    private readonly record struct OutCommand(int Slot, LeverCommand Command);
}
