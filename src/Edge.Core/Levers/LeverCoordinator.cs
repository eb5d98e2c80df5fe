using Edge.Core.Forecast;

namespace Edge.Core.Levers;

/// <summary>
/// Decides, every period beside the smoothing controller, what the node agents' levers do so that the grid does not
/// step when the battery cannot take the excess (docs/agents.md, "The lever coordinator"):
/// <list type="bullet">
/// <item><b>Absorb.</b> The battery must deliver <c>b = racks + flex − grid target</c>. When that nears the battery's
/// power (its allowed discharge or charge, SoC guard included — so a SoC at its limit counts too), flexible loads are
/// curtailed (a rise) or raised (a fall, burning the excess), and when they are not enough GPU caps hold the racks to
/// what the battery can cover. The controller is given the load the grid sees (racks + flex), so every lever move is
/// smoothed by the battery like any load change.</item>
/// <item><b>Reserve.</b> A flexible load can only absorb a rise if it runs: while the racks are far below their expected
/// peak (between jobs, or before an announced job start or checkpoint end), flexible loads are kept at the level that
/// lets the battery plus their curtailment cover a rise to that peak; during the job they go back to their minimum.
/// Moves that absorb nothing go at the levers' release rates (ramp-safe); moves that absorb go as fast as the lever
/// can.</item>
/// <item><b>Site limit.</b> A grid limit (<see cref="SetSiteLimit"/>) is met at the ramp limit (or an authorised
/// emergency ramp) by the controller's cap (<see cref="SiteLimitCapW"/>); the battery covers what it can sustain with
/// its energy over the remaining duration, and the levers take the rest — as energy runs out they take over.</item>
/// <item><b>Backstop tiers</b> (<see cref="LeverInput.BackstopTier"/>, docs/agents.md "What each tier does"): from tier 2
/// GPU levers with the smoothing-profile knob get the configured profile and the others are capped so the racks stay at
/// most their slow mean plus a margin (peaks clipped; the cap engages as the racks pass through that plateau, so never
/// in a step, and rises at the release rate when the tier ends); from tier 3 the flexible loads fill the dips (racks +
/// flex towards the slow mean + their plan), as fast as they move, and go back to their plan at their release rate.</item>
/// </list>
/// Costs (flexible-load energy, curtailed time, GPU capped time and lost energy) are accounted every period.
/// Deterministic; <see cref="Update"/>, <see cref="Report"/> and <see cref="Announce"/> allocate nothing.
/// Not thread-safe: call from one thread.
/// </summary>
public sealed class LeverCoordinator
{
    /// <summary>Least time between two new values for one lever already commanded, ns (100 ms: the agents' telemetry period).</summary>
    public const long MinCommandIntervalNs = 100_000_000;

    private const int MaxAnnouncements = 32;
    private const double AbsorbGain = 2.0;
    private const double SettleAfterStartS = 30;
    private const double BindingFraction = 0.98;

    // An announced rise is an estimate: the reserve is planned for 10 % more.
    private const double AnnouncedMargin = 1.1;

    private readonly LeverSpec[] _levers;
    private readonly LeverCoordinatorOptions _options;
    private readonly LeverCommand[] _commands;
    private readonly double[] _powerW;
    private readonly double[] _demandW;
    private readonly double[] _reportedCapW; // the cap the node says is in force (NaN: none), whoever set it
    private readonly bool[] _online;
    private readonly double[] _sentW;
    private readonly long[] _sentAtNs;
    private readonly bool[] _sentRelease;
    private readonly long[] _sentExpiresNs;
    private readonly int[] _sentProfile;
    private readonly long[] _sentProfileExpiresNs;
    private readonly AnnouncedPhase[] _announced = new AnnouncedPhase[MaxAnnouncements];
    private readonly long _lifetimeNs;
    private int _announcedCount;
    private bool _initialized;
    private long _lastNs;
    private double _loadSlowW;
    private double _loadSeenMaxW;
    private double _flexCommandW;
    private double _gpuAllowedW = double.PositiveInfinity;
    private double _backstopAllowedW = double.PositiveInfinity;
    private double _demandSlowW;
    private double _racksFillW;
    private int _tier;
    private LeverCosts _costs;
    private bool _hasSiteLimit;
    private SiteLimitRequest _siteLimit;
    private double _siteLimitFromW;
    private double _siteLimitRampWPerS;
    private long _siteLimitRampStartNs;

    /// <summary>Creates the coordinator for <paramref name="levers"/>. Throws <see cref="ArgumentException"/> naming every problem.</summary>
    public LeverCoordinator(IReadOnlyList<LeverSpec> levers, LeverCoordinatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(levers);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems().Concat(levers.SelectMany(l => l.Problems())).ToList();
        if (levers.Select(l => l.Id).Distinct(StringComparer.Ordinal).Count() != levers.Count)
        {
            problems.Add("lever ids must be unique");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid lever coordinator configuration: " + string.Join("; ", problems), nameof(levers));
        }

        _levers = [.. levers];
        _options = options;
        int n = _levers.Length;
        _commands = new LeverCommand[n];
        _powerW = new double[n];
        _demandW = new double[n];
        _reportedCapW = new double[n];
        _online = new bool[n];
        _sentW = new double[n];
        _sentRelease = new bool[n];
        _sentExpiresNs = new long[n];
        _sentAtNs = new long[n];
        _sentProfile = new int[n];
        _sentProfileExpiresNs = new long[n];
        _lifetimeNs = (long)(options.CommandLifetimeS * 1e9);
        for (int i = 0; i < n; i++)
        {
            _online[i] = true;
            _powerW[i] = _levers[i].Kind == LeverKind.Gpu ? 0 : _levers[i].MinW;
            _demandW[i] = double.NaN;
            _reportedCapW[i] = double.NaN;
            _sentRelease[i] = true;
            _sentAtNs[i] = long.MinValue;
            _sentProfile[i] = -1;
            _commands[i].Release = true;
            _commands[i].SmoothingProfile = -1;
        }

        _flexCommandW = SumFlex(min: true);
    }

    /// <summary>
    /// A coordinator with <paramref name="capacity"/> empty lever slots, all offline: the daemon's fixed-capacity lever
    /// table, whose slots the agents fill (<see cref="SetLever"/>) and leave (<see cref="Report"/> with online false) at
    /// run time without a rebuild.
    /// </summary>
    public static LeverCoordinator WithSlots(int capacity, LeverCoordinatorOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var slots = new LeverSpec[capacity];
        for (int i = 0; i < capacity; i++)
        {
            slots[i] = new LeverSpec("slot-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), LeverKind.Gpu, 0, 1, 0, 0, 1);
        }

        var c = new LeverCoordinator(slots, options);
        for (int i = 0; i < capacity; i++)
        {
            c._online[i] = false;
        }

        c._flexCommandW = 0;
        return c;
    }

    /// <summary>
    /// Puts <paramref name="spec"/> into slot <paramref name="index"/> (an agent taking a slot of the table, or its
    /// capabilities changing), online, with nothing sent yet (its first command is sent in the next update).
    /// <paramref name="spec"/> must be valid (<see cref="LeverSpec.Problems"/> empty: check it off the loop); an
    /// invalid one or an index out of range is ignored and returns false. Allocation-free.
    /// </summary>
    public bool SetLever(int index, in LeverSpec spec)
    {
        if ((uint)index >= (uint)_levers.Length || string.IsNullOrEmpty(spec.Id) || !(spec.MaxW > 0) || !(spec.MinW >= 0)
            || spec.MinW > spec.MaxW || !double.IsFinite(spec.MaxW) || !(spec.ReleaseWPerS > 0) || !double.IsFinite(spec.ReleaseWPerS)
            || !(spec.StepW >= 0) || !double.IsFinite(spec.StepW) || !(spec.ResponseS >= 0) || !double.IsFinite(spec.ResponseS))
        {
            return false;
        }

        _levers[index] = spec;
        _online[index] = true;
        _powerW[index] = spec.Kind == LeverKind.Gpu ? 0 : spec.MinW;
        _demandW[index] = double.NaN;
        _reportedCapW[index] = double.NaN;
        _sentRelease[index] = true;
        _sentW[index] = 0;
        _sentExpiresNs[index] = 0;
        _sentAtNs[index] = long.MinValue;
        _sentProfile[index] = -1;
        _sentProfileExpiresNs[index] = 0;
        _commands[index] = new LeverCommand { Release = true, SmoothingProfile = -1 };
        return true;
    }

    /// <summary>The levers, in the order of <see cref="Commands"/> and <see cref="Report"/>.</summary>
    public IReadOnlyList<LeverSpec> Levers => _levers;

    /// <summary>The commands after the last <see cref="Update"/>, one per lever.</summary>
    public ReadOnlySpan<LeverCommand> Commands => _commands;

    /// <summary>Costs accounted so far.</summary>
    public LeverCosts Costs => _costs;

    /// <summary>The flexible loads' planned level (what they run at when absorbing nothing), W.</summary>
    public double FlexReserveW { get; private set; }

    /// <summary>The flexible loads' total commanded level after the last update, W.</summary>
    public double FlexCommandW => _flexCommandW;

    /// <summary>What the GPU nodes together may draw after the last update (∞ = uncapped), W.</summary>
    public double GpuAllowedW => _gpuAllowedW;

    /// <summary>What the GPU levers without a smoothing profile may draw together under backstop tier 2 (∞ = not capped by it), W.</summary>
    public double BackstopGpuAllowedW => _backstopAllowedW;

    /// <summary>The backstop tier of the last update (0–4).</summary>
    public int BackstopTier => _tier;

    /// <summary>The battery power the coordinator assumed it could use in the last update, W (discharge).</summary>
    public double BatteryBudgetW { get; private set; }

    /// <summary>True while the levers absorb what the battery cannot take.</summary>
    public bool Absorbing { get; private set; }

    /// <summary>The accepted site limit, if any (until its end).</summary>
    public SiteLimitRequest? SiteLimit => _hasSiteLimit ? _siteLimit : null;

    /// <summary>
    /// Telemetry of lever <paramref name="index"/>: what it draws now, and (when the agent or a simulation knows it)
    /// what it would draw uncapped, for the GPU energy lost; <paramref name="online"/> false drops it from the plan;
    /// <paramref name="capW"/> is the cap a GPU node reports in force (NaN: none), whoever set it — without a demand,
    /// the node drawing at it counts as capped.
    /// </summary>
    public void Report(int index, double powerW, double demandW = double.NaN, bool online = true, double capW = double.NaN)
    {
        if ((uint)index >= (uint)_levers.Length)
        {
            return;
        }

        _powerW[index] = double.IsFinite(powerW) ? Math.Max(0, powerW) : _powerW[index];
        _demandW[index] = demandW;
        _online[index] = online;
        _reportedCapW[index] = capW;
    }

    /// <summary>
    /// Takes a phase announcement (a later one with the same id replaces it). Returns false when the table is full
    /// (<c>32</c> live announcements); announcements whose phase ended are dropped by <see cref="Update"/>.
    /// </summary>
    public bool Announce(in AnnouncedPhase phase)
    {
        for (int i = 0; i < _announcedCount; i++)
        {
            if (string.Equals(_announced[i].Id, phase.Id, StringComparison.Ordinal))
            {
                _announced[i] = phase;
                return true;
            }
        }

        if (_announcedCount == MaxAnnouncements)
        {
            return false;
        }

        _announced[_announcedCount++] = phase;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="request"/> can be met from the state in <paramref name="now"/>: the reduction from the
    /// expected load (racks at their expected peak + flexible loads as planned) to the limit, against what the battery
    /// can sustain over the duration with the energy above its minimum SoC plus what the levers can take; and when the
    /// grid reaches the limit at the granted ramp.
    /// </summary>
    public SiteLimitFeasibility Estimate(in SiteLimitRequest request, in LeverInput now)
    {
        double rampWPerS = request.EmergencyRampWPerS > 0 ? Math.Max(request.EmergencyRampWPerS, now.RampDownWPerS) : now.RampDownWPerS;
        double gridW = double.IsFinite(now.GridTargetW) ? now.GridTargetW : now.LoadW;
        double expectedW = Math.Max(ExpectedLoadMaxW(now.LoadW), now.LoadW) + FlexPlannedForEstimate();
        double reductionW = Math.Max(0, expectedW - request.LimitW);
        double durationS = Math.Max(1e-9, request.DurationNs * 1e-9);
        double energyWh = AvailableEnergyWh(now.SocPct);
        double batteryW = Math.Min(Math.Max(0, now.AllowedDischargeW), energyWh * 3600 / durationS);
        double leverW = LeverReducibleW();
        double downW = Math.Max(0, gridW - request.LimitW);
        long rampStartNs = Math.Max(now.NowNs, request.StartNs - (long)(downW / Math.Max(rampWPerS, 1e-9) * 1e9));
        long metNs = rampStartNs + (long)(downW / Math.Max(rampWPerS, 1e-9) * 1e9);
        bool feasible = reductionW <= batteryW + leverW + 1e-9 && rampWPerS > 0;
        double allowedW = Math.Max(0, now.AllowedDischargeW);
        double batteryNeedW = Math.Max(0, reductionW - leverW);
        double heldS = batteryNeedW <= 0 ? durationS : batteryNeedW > allowedW ? 0 : Math.Min(durationS, energyWh * 3600 / batteryNeedW);
        string? reason = feasible ? null
            : !(rampWPerS > 0) ? "no ramp limit was given (LeverInput.RampDownWPerS) and no emergency ramp authorised"
            : batteryNeedW > allowedW
                ? FormattableString.Invariant($"the reduction of {reductionW:0} W exceeds the battery's power {allowedW:0} W plus the levers' {leverW:0} W")
                : FormattableString.Invariant($"the battery's energy ({energyWh:0.#} Wh above SoC min) lasts {heldS:0} s of the {durationS:0} s with the levers' {leverW:0} W");
        return new SiteLimitFeasibility(feasible, rampWPerS, rampStartNs, metNs, reductionW, batteryW, leverW, heldS, reason);
    }

    /// <summary>
    /// Accepts <paramref name="request"/> (replacing any other) and returns its feasibility. Accepted even when not fully
    /// feasible: the site then comes down as far and as long as the battery and the levers allow, and the estimate says so.
    /// </summary>
    public SiteLimitFeasibility SetSiteLimit(in SiteLimitRequest request, in LeverInput now)
    {
        SiteLimitFeasibility f = Estimate(request, now);
        _siteLimit = request;
        _hasSiteLimit = true;
        _siteLimitRampWPerS = f.RampWPerS;
        _siteLimitRampStartNs = f.RampStartNs;
        _siteLimitFromW = Math.Max(request.LimitW, double.IsFinite(now.GridTargetW) ? now.GridTargetW : now.LoadW);
        return f;
    }

    /// <summary>Ends the site limit now (the controller's cap is lifted; the grid ramps back at the ramp limit).</summary>
    public void ClearSiteLimit() => _hasSiteLimit = false;

    /// <summary>
    /// The grid cap the controller should hold at <paramref name="nowNs"/> for the site limit: it falls from where the grid
    /// was at acceptance at the granted ramp, reaching the limit at its start; ∞ without a limit or after its end.
    /// </summary>
    public double SiteLimitCapW(long nowNs)
    {
        if (!_hasSiteLimit || nowNs >= _siteLimit.StartNs + _siteLimit.DurationNs)
        {
            return double.PositiveInfinity;
        }

        if (nowNs <= _siteLimitRampStartNs)
        {
            return double.PositiveInfinity;
        }

        return Math.Max(_siteLimit.LimitW, _siteLimitFromW - (_siteLimitRampWPerS * (nowNs - _siteLimitRampStartNs) * 1e-9));
    }

    /// <summary>
    /// The flexible loads' reserve for racks at <paramref name="loadW"/> with nothing announced: what a site starts at
    /// (replay positions its flexible loads there before the first period), W.
    /// </summary>
    public double ReserveFor(double loadW)
    {
        double expectedMaxW = double.IsNaN(_options.ExpectedLoadMaxW) ? loadW : _options.ExpectedLoadMaxW;
        double minW = 0, maxW = 0;
        for (int i = 0; i < _levers.Length; i++)
        {
            if (_online[i] && _levers[i].Kind == LeverKind.Flex)
            {
                minW += _levers[i].MinW;
                maxW += _levers[i].MaxW;
            }
        }

        return maxW > 0 ? Math.Clamp(expectedMaxW - loadW - (_options.ReserveShare * _options.BatteryDischargeW), minW, maxW) : 0;
    }

    /// <summary>Decides every lever's command for this period and accounts costs. Allocation-free.</summary>
    public void Update(in LeverInput input)
    {
        double loadW = double.IsFinite(input.LoadW) ? Math.Max(0, input.LoadW) : _loadSlowW;
        double dtS = 0;
        bool first = !_initialized;
        if (!_initialized)
        {
            _initialized = true;
            _loadSlowW = loadW;
            _loadSeenMaxW = loadW;
            _demandSlowW = loadW;
            _racksFillW = loadW;
        }
        else
        {
            dtS = Math.Clamp((input.NowNs - _lastNs) * 1e-9, 0, 1);
        }

        _lastNs = input.NowNs;
        _loadSlowW += (loadW - _loadSlowW) * -double.ExpM1(-dtS / _options.LoadTimeConstantS);
        _loadSeenMaxW = Math.Max(_loadSeenMaxW, loadW);
        if (_hasSiteLimit && input.NowNs >= _siteLimit.StartNs + _siteLimit.DurationNs)
        {
            _hasSiteLimit = false;
        }

        // Measured lever state (online levers only); "plain" GPUs are those without a smoothing profile (tier 2 caps them).
        _tier = input.BackstopTier is >= 0 and <= 4 ? input.BackstopTier : 0;
        double flexW = 0, flexMinW = 0, flexMaxW = 0, flexReleaseWPerS = 0, flexResponseS = 0, gpuW = 0, gpuMinW = 0, gpuMaxW = 0, gpuReleaseWPerS = 0;
        double plainW = 0, plainMinW = 0, plainMaxW = 0, plainReleasePerS = double.PositiveInfinity, withheldW = 0;
        for (int i = 0; i < _levers.Length; i++)
        {
            if (!_online[i])
            {
                continue;
            }

            ref readonly LeverSpec l = ref _levers[i];
            if (l.Kind == LeverKind.Flex)
            {
                flexW += _powerW[i];
                flexMinW += l.MinW;
                flexMaxW += l.MaxW;
                flexReleaseWPerS += l.ReleaseWPerS;
                flexResponseS = Math.Max(flexResponseS, l.ResponseS);
            }
            else
            {
                gpuW += _powerW[i];
                gpuMinW += l.MinW;
                gpuMaxW += l.MaxW;
                gpuReleaseWPerS += l.ReleaseWPerS;
                if (double.IsFinite(_demandW[i]))
                {
                    withheldW += Math.Max(0, _demandW[i] - _powerW[i]);
                }

                if (!l.SmoothingProfile)
                {
                    plainW += _powerW[i];
                    plainMinW += l.MinW;
                    plainMaxW += l.MaxW;
                    // The caps share one fraction of each node's maximum: it rises at the slowest node's rate.
                    plainReleasePerS = Math.Min(plainReleasePerS, l.ReleaseWPerS / l.MaxW);
                }
            }
        }

        // The racks' slow mean as they would draw uncapped (a reported demand counts what the caps withhold, so the
        // plateau does not sink under its own clipping).
        _demandSlowW += (loadW + withheldW - _demandSlowW) * -double.ExpM1(-dtS / _options.LoadTimeConstantS);

        // The racks as a flexible load can follow them: low-passed at its response time (a load that needs 2 s to move
        // cannot fill a dip of an iteration; chasing one would add its lag to the grid).
        _racksFillW += flexResponseS > 0 ? (loadW - _racksFillW) * -double.ExpM1(-dtS / flexResponseS) : loadW - _racksFillW;

        // The battery's power now (SoC guard included); under a site limit, only what its energy sustains.
        double dischargeW = Math.Max(0, input.AllowedDischargeW);
        double chargeW = Math.Max(0, input.AllowedChargeW);
        if (_hasSiteLimit && input.NowNs >= _siteLimitRampStartNs)
        {
            double remainingS = Math.Max(1, (_siteLimit.StartNs + _siteLimit.DurationNs - input.NowNs) * 1e-9);
            dischargeW = Math.Min(dischargeW, AvailableEnergyWh(input.SocPct) * 3600 / remainingS);
        }

        double share = _options.BatteryShare;
        BatteryBudgetW = share * dischargeW;
        double gridTargetW = double.IsFinite(input.GridTargetW) ? input.GridTargetW : loadW + flexW;
        double batteryNeedW = loadW + flexW - gridTargetW;

        // Reserve: flexible loads run where their curtailment plus the battery covers a rise to the expected peak.
        double expectedMaxW = ExpectedLoadMaxW(loadW);
        expectedMaxW = Math.Max(expectedMaxW, AnnouncedRiseToW(input.NowNs, flexMaxW - flexMinW, flexReleaseWPerS));
        double reserveW = Math.Clamp(expectedMaxW - _loadSlowW - (_options.ReserveShare * _options.BatteryDischargeW), flexMinW, flexMaxW);
        FlexReserveW = reserveW;
        if (first)
        {
            // A coordinator starts from its plan (in replay the flexible loads start there; in the daemon they are
            // brought there by the first commands, which the agents apply at their own slew).
            _flexCommandW = reserveW;
        }

        // Flexible loads: absorb beyond the battery's share, else move to the reserve at their release rate.
        double curtailAboveW = _options.CurtailShare * dischargeW;
        double burnBelowW = -share * chargeW;
        double planned = Math.Clamp(reserveW, flexMinW, flexMaxW);
        double stepW = flexReleaseWPerS * dtS;
        bool curtailing = false, burning = false, filling = false;
        if (batteryNeedW > curtailAboveW && _flexCommandW > flexMinW)
        {
            curtailing = true;
            _flexCommandW = Math.Max(flexMinW, Math.Min(_flexCommandW, flexW - (AbsorbGain * (batteryNeedW - curtailAboveW))));
        }
        else if (batteryNeedW < burnBelowW && _flexCommandW < flexMaxW)
        {
            burning = true;
            _flexCommandW = Math.Min(flexMaxW, Math.Max(_flexCommandW, flexW + (AbsorbGain * (burnBelowW - batteryNeedW))));
        }
        else if (_tier >= 3 && flexMaxW > flexMinW)
        {
            // Backstop tier 3: fill the dips — racks + flex towards the racks' slow mean plus the plan, following the
            // racks as fast as the loads can (low-passed at their response time). With a controller smoothing, only
            // the part of the dip beyond the battery's share of its charge power: the battery keeps recharging (taking
            // that over would leave it empty for the next rise), the grid is never pushed above its target.
            filling = true;
            double fillToW = double.IsFinite(input.GridTargetW) ? Math.Min(_demandSlowW + planned, input.GridTargetW - (share * chargeW)) : _demandSlowW + planned;
            _flexCommandW = Math.Clamp(Math.Max(planned, fillToW - _racksFillW), flexMinW, flexMaxW);
        }
        else
        {
            _flexCommandW += Math.Clamp(planned - _flexCommandW, -stepW, stepW);
        }

        _flexCommandW = flexMaxW > 0 ? Math.Clamp(_flexCommandW, flexMinW, flexMaxW) : 0;

        // GPU caps: the racks may draw what the battery (its share) and the flexible loads' curtailment cannot cover.
        double flexAfterW = Math.Min(flexW, _flexCommandW);
        double nonGpuW = Math.Max(0, loadW - gpuW);
        double gpuAllowedW = gridTargetW + (share * dischargeW) - flexAfterW - nonGpuW;
        if (_hasSiteLimit)
        {
            double capW = SiteLimitCapW(input.NowNs);
            gpuAllowedW = Math.Min(gpuAllowedW, capW + (share * dischargeW) - flexAfterW - nonGpuW);
        }

        bool gpuCapping = gpuMaxW > 0 && gpuAllowedW < gpuMaxW;
        if (gpuCapping)
        {
            // Down at once; up (releasing) at the GPUs' release rate, never in a step.
            double from = double.IsFinite(_gpuAllowedW) ? _gpuAllowedW : gpuMaxW;
            _gpuAllowedW = gpuAllowedW < from ? Math.Max(gpuMinW, gpuAllowedW) : Math.Min(gpuAllowedW, from + (gpuReleaseWPerS * dtS));
        }
        else if (double.IsFinite(_gpuAllowedW))
        {
            _gpuAllowedW += gpuReleaseWPerS * dtS;
            if (_gpuAllowedW >= gpuMaxW)
            {
                _gpuAllowedW = double.PositiveInfinity;
            }
        }

        StepBackstopCap(loadW, plainW, plainMinW, plainMaxW, plainMaxW > 0 ? plainReleasePerS * plainMaxW : 0, dtS);
        Absorbing = curtailing || burning || filling || double.IsFinite(_gpuAllowedW) || double.IsFinite(_backstopAllowedW);
        WriteCommands(input.NowNs, flexMinW, flexMaxW, gpuMaxW, plainMaxW);
        Account(dtS, reserveW, flexW);
        DropPastAnnouncements(input.NowNs);
    }

    /// <summary>
    /// Backstop tier 2's cap on the plain GPU levers (no smoothing profile): the racks at most their slow mean plus the
    /// margin. It engages once the plain GPUs draw no more than their share of that plateau (the racks pass through it
    /// — an oscillation does within one period of it), so it clips the next peak instead of stepping the racks down;
    /// then it follows the plateau down at once and up at the levers' release rate (no node faster than its own), and
    /// when the tier ends it rises at that rate until it is free.
    /// </summary>
    private void StepBackstopCap(double loadW, double plainW, double plainMinW, double plainMaxW, double plainReleaseWPerS, double dtS)
    {
        if (_tier >= 2 && plainMaxW > 0)
        {
            double marginW = _options.BackstopCapMarginFraction * ExpectedLoadMaxW(loadW);
            double targetW = _demandSlowW + marginW - (loadW - plainW);
            if (double.IsFinite(_backstopAllowedW))
            {
                double from = _backstopAllowedW;
                _backstopAllowedW = targetW < from ? Math.Max(plainMinW, targetW) : Math.Min(targetW, from + (plainReleaseWPerS * dtS));
            }
            else if (plainW <= targetW && targetW < plainMaxW)
            {
                _backstopAllowedW = Math.Max(plainMinW, targetW);
            }
        }
        else if (double.IsFinite(_backstopAllowedW))
        {
            _backstopAllowedW += plainReleaseWPerS * dtS;
        }

        if (_backstopAllowedW >= plainMaxW)
        {
            _backstopAllowedW = double.PositiveInfinity;
        }
    }

    private void WriteCommands(long nowNs, double flexMinW, double flexMaxW, double gpuMaxW, double plainMaxW)
    {
        double flexFraction = flexMaxW > flexMinW ? (_flexCommandW - flexMinW) / (flexMaxW - flexMinW) : 0;
        double gpuFraction = double.IsFinite(_gpuAllowedW) && gpuMaxW > 0 ? Math.Clamp(_gpuAllowedW / gpuMaxW, 0, 1) : 1;
        double plainFraction = double.IsFinite(_backstopAllowedW) && plainMaxW > 0 ? Math.Clamp(_backstopAllowedW / plainMaxW, 0, 1) : 1;
        for (int i = 0; i < _levers.Length; i++)
        {
            ref readonly LeverSpec l = ref _levers[i];
            ref LeverCommand c = ref _commands[i];
            bool release;
            double valueW;
            if (!_online[i])
            {
                release = true;
                valueW = l.MaxW;
            }
            else if (l.Kind == LeverKind.Flex)
            {
                // The flexible loads share the level in proportion to their range; each is always commanded (its free
                // value is its rated level, which the plan rarely wants).
                release = false;
                valueW = l.MinW + (flexFraction * (l.MaxW - l.MinW));
            }
            else
            {
                double fraction = l.SmoothingProfile ? gpuFraction : Math.Min(gpuFraction, plainFraction);
                release = fraction >= 1;
                valueW = release ? l.MaxW : Math.Max(l.MinW, fraction * l.MaxW);
            }

            WriteProfile(i, nowNs, _online[i] && l.Kind == LeverKind.Gpu && l.SmoothingProfile && _tier >= 2 ? _options.SmoothingProfile : -1);

            // A new value goes out when it moved by half a step (a continuous lever: 0.1 % of its range) and, for a
            // lever already commanded, at most every MinCommandIntervalNs: a GPU node's cap following the plan would
            // otherwise be re-sent every period (≈ 50 commands/s of a few hundred mW each). Release and renewal are
            // never held back.
            double deadbandW = Math.Max(l.StepW * 0.5, 1e-3 * (l.MaxW - l.MinW));
            bool renew = !release && nowNs >= _sentExpiresNs[i] - (_lifetimeNs / 2);
            bool moved = Math.Abs(valueW - _sentW[i]) >= deadbandW && (_sentRelease[i] || _sentAtNs[i] == long.MinValue || nowNs - _sentAtNs[i] >= MinCommandIntervalNs);
            c.Changed = release != _sentRelease[i] || (!release && (moved || renew));
            c.Release = release;
            c.ValueW = valueW;
            if (c.Changed)
            {
                _sentRelease[i] = release;
                _sentW[i] = valueW;
                _sentAtNs[i] = nowNs;
                _sentExpiresNs[i] = release ? 0 : nowNs + _lifetimeNs;
            }

            c.ExpiresNs = _sentExpiresNs[i];
        }
    }

    private void WriteProfile(int i, long nowNs, int profile)
    {
        ref LeverCommand c = ref _commands[i];
        bool renew = profile >= 0 && nowNs >= _sentProfileExpiresNs[i] - (_lifetimeNs / 2);
        c.SmoothingChanged = profile != _sentProfile[i] || renew;
        c.SmoothingProfile = profile;
        if (c.SmoothingChanged)
        {
            _sentProfile[i] = profile;
            _sentProfileExpiresNs[i] = profile >= 0 ? nowNs + _lifetimeNs : 0;
        }

        c.SmoothingExpiresNs = _sentProfileExpiresNs[i];
    }

    private void Account(double dtS, double reserveW, double flexW)
    {
        if (dtS <= 0)
        {
            return;
        }

        _costs.FlexEnergyWh += flexW * dtS / 3600;
        if (_flexCommandW < reserveW - FlexHalfStepW())
        {
            _costs.CurtailedS += dtS;
        }

        bool bound = false;
        for (int i = 0; i < _levers.Length; i++)
        {
            if (_levers[i].Kind != LeverKind.Gpu || !_online[i])
            {
                continue;
            }

            double demand = _demandW[i];
            if (double.IsFinite(demand))
            {
                double lostW = demand - _powerW[i];
                if (lostW > 1e-9 * _levers[i].MaxW)
                {
                    bound = true;
                    _costs.GpuEnergyLostWh += lostW * dtS / 3600;
                }
            }
            else if ((!_commands[i].Release && _powerW[i] >= BindingFraction * _commands[i].ValueW)
                || (_reportedCapW[i] < _levers[i].MaxW && _powerW[i] >= BindingFraction * _reportedCapW[i]))
            {
                // Without the demand, a cap the node draws at counts as binding — the coordinator's own, or the one the
                // node reports in force (an operator's, another site limit's); the energy is not known.
                bound = true;
            }
        }

        if (bound)
        {
            _costs.GpuCappedS += dtS;
        }
    }

    private double FlexHalfStepW()
    {
        double s = 0;
        foreach (LeverSpec l in _levers)
        {
            if (l.Kind == LeverKind.Flex)
            {
                s = Math.Max(s, l.StepW * 0.5);
            }
        }

        return Math.Max(s, 1e-9);
    }

    private double ExpectedLoadMaxW(double loadW) =>
        double.IsNaN(_options.ExpectedLoadMaxW) ? Math.Max(_loadSeenMaxW, loadW) : _options.ExpectedLoadMaxW;

    /// <summary>The level the racks are announced to rise to, while a rise is near (within the flex's lead time).</summary>
    private double AnnouncedRiseToW(long nowNs, double flexRangeW, double flexReleaseWPerS)
    {
        double leadS = flexRangeW > 0 && flexReleaseWPerS > 0 ? _options.AnnounceLeadMaxS : 0;
        double toW = 0;
        for (int i = 0; i < _announcedCount; i++)
        {
            ref readonly AnnouncedPhase a = ref _announced[i];
            if (a.Kind is not (PhaseKind.JobStart or PhaseKind.CheckpointEnd) || nowNs < a.ReceivedNs)
            {
                continue;
            }

            double toStartS = (a.StartNs - nowNs) * 1e-9;
            if (toStartS <= leadS && toStartS >= -SettleAfterStartS)
            {
                toW = Math.Max(toW, _loadSlowW + (AnnouncedMargin * a.PowerW));
            }
        }

        return toW;
    }

    private void DropPastAnnouncements(long nowNs)
    {
        long keepNs = (long)(SettleAfterStartS * 1e9);
        for (int i = _announcedCount - 1; i >= 0; i--)
        {
            ref readonly AnnouncedPhase a = ref _announced[i];
            if (nowNs - a.StartNs > keepNs + a.DurationNs)
            {
                _announced[i] = _announced[--_announcedCount];
                _announced[_announcedCount] = default;
            }
        }
    }

    private double AvailableEnergyWh(double socPct) =>
        double.IsFinite(socPct) ? Math.Max(0, (socPct - _options.SocMinPct) / 100 * _options.BatteryEnergyWh) : 0;

    private double FlexPlannedForEstimate() => Math.Max(_flexCommandW, SumFlex(min: true));

    private double LeverReducibleW()
    {
        double w = 0;
        for (int i = 0; i < _levers.Length; i++)
        {
            if (!_online[i])
            {
                continue;
            }

            ref readonly LeverSpec l = ref _levers[i];
            w += l.Kind == LeverKind.Flex ? Math.Max(0, _powerW[i] - l.MinW) : Math.Max(0, l.MaxW - l.MinW);
        }

        // Flexible loads count at their planned level, not only what they draw now.
        return Math.Max(w, w - FlexOnlineW() + Math.Max(0, _flexCommandW - SumFlex(min: true)));
    }

    private double FlexOnlineW()
    {
        double w = 0;
        for (int i = 0; i < _levers.Length; i++)
        {
            if (_online[i] && _levers[i].Kind == LeverKind.Flex)
            {
                w += Math.Max(0, _powerW[i] - _levers[i].MinW);
            }
        }

        return w;
    }

    private double SumFlex(bool min)
    {
        double w = 0;
        for (int i = 0; i < _levers.Length; i++)
        {
            ref readonly LeverSpec l = ref _levers[i];
            if (_online[i] && l.Kind == LeverKind.Flex)
            {
                w += min ? l.MinW : l.MaxW;
            }
        }

        return w;
    }
}
