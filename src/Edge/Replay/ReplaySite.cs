using Edge.Core.Backstop;
using Edge.Core.Control;
using Edge.Core.Forecast;
using Edge.Core.Levers;
using Edge.Core.Replay;
using Edge.Simulation.Agents;

namespace Edge.Replay;

/// <summary>
/// One controller's site in a replay with levers: simulated flexible loads (<see cref="SimulatedMiner"/>) and GPU nodes
/// (<see cref="SimulatedGpuNode"/>, sharing the trace's load and obeying caps after their latency), the
/// <see cref="LeverCoordinator"/> commanding them, the announcements of <c>--announce</c> handed to it from their
/// received time on (never earlier), and the tiered backstop watching load and grid, whose tier the coordinator acts on
/// (docs/agents.md, "What each tier does"). Allocation-free per period.
/// </summary>
public sealed class ReplaySite : IReplaySite
{
    private readonly SimulatedMiner[] _miners;
    private readonly (ReleaseRamp Lever, double RatedW, double StepPct, double TransitionS)[] _minerParts;
    private readonly SimulatedGpuNode[] _gpus;
    private readonly int[] _minerLever;
    private readonly int[] _gpuLever;
    private readonly double[] _values;
    private readonly AnnouncedPhase[] _announcements;
    private readonly TieredBackstop _backstop;
    private readonly double _gpuShare;
    private readonly long _lifetimeNs;
    private int _nextAnnouncement;
    private double _demandW;
    private double _racksW;
    private double _flexW;
    private long _nowNs;
    private bool _backstopStepped;
    private bool _stepped;
    private long _lastNs;

    /// <summary>Builds the site.</summary>
    /// <param name="levers">The parsed <c>--flex-load</c> / <c>--agents</c>.</param>
    /// <param name="peakW">The trace's peak (sizes the levers).</param>
    /// <param name="options">The controller's options (battery, ramp limit).</param>
    /// <param name="announcements">Announcements in received order (see <see cref="AnnouncementFile"/>).</param>
    public ReplaySite(SiteLevers levers, double peakW, ControllerOptions options, IReadOnlyList<AnnouncedPhase> announcements)
    {
        ArgumentNullException.ThrowIfNull(levers);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(announcements);
        var specs = new List<LeverSpec>();
        var minerParts = new List<(ReleaseRamp, double, double, double)>();
        var gpus = new List<SimulatedGpuNode>();
        double rampWPerS = Math.Min(options.RampUpWPerS, options.RampDownWPerS);
        if (levers.Flex is { } f)
        {
            int count = (int)f["count"];
            double ratedW = f["rated_frac"] * peakW / count;
            double stepW = ratedW * f["step_pct"] / 100;
            double minW = Math.Floor(f["min_frac"] * ratedW / stepW + 1e-9) * stepW;
            // Releases (levels going up when nothing is absorbed) at the flex's share of the ramp limit, in slots.
            double releaseWPerS = rampWPerS / count;
            for (int i = 0; i < count; i++)
            {
                string id = FormattableString.Invariant($"flex-{i + 1}");
                var lever = new ReleaseRamp(minW, ratedW, ratedW, releaseWPerS, 0, ReleaseRamp.SeedOf(id), ReleaseRamp.SlotDelayS(i, count, stepW, releaseWPerS));
                minerParts.Add((lever, ratedW, f["step_pct"], f["transition_s"]));
                specs.Add(new LeverSpec(id, LeverKind.Flex, minW, ratedW, stepW, f["transition_s"], releaseWPerS));
            }
        }

        if (levers.Agents is { } a)
        {
            int nodes = (int)a["nodes"];
            _gpuShare = a["share"];
            double maxW = peakW * _gpuShare / nodes;
            double releaseWPerS = rampWPerS * a["release_frac"] / nodes;
            for (int i = 0; i < nodes; i++)
            {
                string id = FormattableString.Invariant($"gpu-{i + 1}");
                var lever = new ReleaseRamp(maxW * a["min_cap_frac"], maxW, maxW, releaseWPerS, 1, ReleaseRamp.SeedOf(id));
                gpus.Add(new SimulatedGpuNode(lever, _ => _demandW * _gpuShare / nodes, a["latency_s"]));
                specs.Add(new LeverSpec(id, LeverKind.Gpu, lever.MinW, maxW, 0, a["latency_s"], releaseWPerS));
            }
        }

        _minerParts = [.. minerParts];
        _miners = new SimulatedMiner[_minerParts.Length];
        _gpus = [.. gpus];
        _minerLever = [.. Enumerable.Range(0, _miners.Length)];
        _gpuLever = [.. Enumerable.Range(_miners.Length, _gpus.Length)];
        _values = new double[specs.Count];
        _announcements = [.. announcements];
        Names = [.. specs.Select(s => s.Id)];
        Kinds = [.. specs.Select(s => s.Kind)];
        Coordinator = new LeverCoordinator(specs, new LeverCoordinatorOptions
        {
            // The racks' rated power is what a site knows (the battery is sized from it too).
            ExpectedLoadMaxW = peakW,
            BatteryDischargeW = options.MaxDischargeW,
            BatteryChargeW = options.MaxChargeW,
            BatteryEnergyWh = options.EnergyWh,
            SocMinPct = options.SocMinPct,
        });
        _lifetimeNs = (long)10e9;
        _backstop = new TieredBackstop(BackstopPolicy.Default(rampWPerS), options.PeriodMs / 1000);
    }

    /// <summary>The coordinator (its costs are the run's lever costs).</summary>
    public LeverCoordinator Coordinator { get; }

    /// <summary>The levers' ids, in the order of <see cref="LeverValues"/>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The levers' kinds, in the order of <see cref="LeverValues"/>.</summary>
    public IReadOnlyList<LeverKind> Kinds { get; }

    /// <summary>The GPU nodes' capped time (s) and lost energy (Wh), as the simulated hardware counted them.</summary>
    public (double CappedS, double LostWh) GpuTotals
    {
        get
        {
            double s = 0, wh = 0;
            foreach (SimulatedGpuNode g in _gpus)
            {
                s = Math.Max(s, g.CappedS);
                wh += g.EnergyLostWh;
            }

            return (s, wh);
        }
    }

    /// <inheritdoc />
    public double RacksW => _racksW;

    /// <summary>Energy the racks drew so far, Wh.</summary>
    public double RacksEnergyWh { get; private set; }

    /// <inheritdoc />
    public double FlexW => _flexW;

    /// <inheritdoc />
    public int Tier => _backstop.ActiveTier;

    /// <inheritdoc />
    public ReadOnlySpan<double> LeverValues => _values;

    /// <inheritdoc />
    public void Step(long nowNs, double demandW)
    {
        _nowNs = nowNs;
        _demandW = demandW;
        if (!_stepped)
        {
            // The flexible loads start where the coordinator plans them for this load (as if it had been running).
            double reserveW = _minerParts.Length == 0 ? 0 : Coordinator.ReserveFor(demandW) / _minerParts.Length;
            for (int i = 0; i < _minerParts.Length; i++)
            {
                (ReleaseRamp lever, double ratedW, double stepPct, double transitionS) = _minerParts[i];
                lever.TryCommand(Math.Clamp(reserveW, lever.MinW, lever.MaxW), nowNs - 1, nowNs + _lifetimeNs, null, out _);
                _miners[i] = new SimulatedMiner(lever, ratedW, stepPct, transitionS);
            }
        }

        while (_nextAnnouncement < _announcements.Length && _announcements[_nextAnnouncement].ReceivedNs <= nowNs)
        {
            Coordinator.Announce(_announcements[_nextAnnouncement++]);
        }

        double flexW = 0;
        for (int i = 0; i < _miners.Length; i++)
        {
            flexW += _miners[i].Step(nowNs);
            Coordinator.Report(_minerLever[i], _miners[i].PowerW);
            _values[_minerLever[i]] = _miners[i].LevelW;
        }

        double gpuW = 0;
        for (int i = 0; i < _gpus.Length; i++)
        {
            SimulatedGpuNode g = _gpus[i];
            double p = g.Step(nowNs);
            gpuW += p;
            Coordinator.Report(_gpuLever[i], p, demandW * _gpuShare / _gpus.Length);
            _values[_gpuLever[i]] = g.EffectiveCapW;
        }

        if (_stepped)
        {
            RacksEnergyWh += _racksW * (nowNs - _lastNs) * 1e-9 / 3600;
        }

        _stepped = true;
        _lastNs = nowNs;
        _flexW = flexW;
        _racksW = _gpus.Length == 0 ? demandW : (demandW * (1 - _gpuShare)) + gpuW;
        _backstopStepped = false;
    }

    /// <inheritdoc />
    public void Decided(in TickInput input, in Decision decision, double batteryW)
    {
        bool smoothing = decision.AllowedDischargeW > 0 || decision.AllowedChargeW > 0;
        var x = new LeverInput
        {
            NowNs = _nowNs,
            LoadW = _racksW,
            GridTargetW = decision.GridTargetW,
            AllowedDischargeW = smoothing ? decision.AllowedDischargeW : input.AllowedDischargeW,
            AllowedChargeW = smoothing ? decision.AllowedChargeW : input.AllowedChargeW,
            SocPct = input.SocPct,
            SocTargetPct = decision.SocTargetPct,

            // The backstop's tier after the last period: its actions (GPU caps, flexible loads filling dips) are the
            // coordinator's, their costs in its LeverCosts.
            BackstopTier = _backstop.ActiveTier,
        };
        Coordinator.Update(x);
        ReadOnlySpan<LeverCommand> commands = Coordinator.Commands;
        for (int i = 0; i < _miners.Length; i++)
        {
            Apply(_miners[i].Lever, commands[_minerLever[i]]);
        }

        for (int i = 0; i < _gpus.Length; i++)
        {
            Apply(_gpus[i].Lever, commands[_gpuLever[i]]);
        }

        if (!_backstopStepped)
        {
            _backstop.Step(_racksW + _flexW, _racksW + _flexW - batteryW);
            _backstopStepped = true;
        }
    }

    private void Apply(ReleaseRamp lever, in LeverCommand c)
    {
        if (c.Release)
        {
            lever.Release(_nowNs);
        }
        else if (c.Changed || lever.Phase != LeverPhase.Commanded)
        {
            lever.TryCommand(Math.Clamp(c.ValueW, lever.MinW, lever.MaxW), _nowNs, c.ExpiresNs > _nowNs ? c.ExpiresNs : _nowNs + _lifetimeNs, null, out _);
        }
    }
}
