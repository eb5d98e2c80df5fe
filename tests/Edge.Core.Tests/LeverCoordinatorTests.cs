using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Forecast;
using Edge.Core.Levers;
using Edge.Core.Metrics;
using Edge.Core.Replay;
using Edge.Tests.Shared;

namespace Edge.Core.Tests;

/// <summary>
/// The lever coordinator on virtual time, closed loop with the real smoothing controller and battery model through
/// <see cref="ReplaySession"/>'s site hook. The flexible load here is a plain slew-limited plant (the simulated miner
/// lives in Edge.Simulation, which this project does not reference).
/// </summary>
public sealed class LeverCoordinatorTests
{
    private const double PeriodS = 0.01;
    private const double PeakW = 1000;
    private const long S = 1_000_000_000;

    /// <summary>A flexible load that follows its command at rated / transition per second, and GPU-less racks.</summary>
    private sealed class FlexSite : IReplaySite
    {
        private readonly double _slewWPerS;
        private readonly double[] _values = new double[1];
        private double _commandW;
        private long _nowNs = -1;
        private bool _primed;

        public FlexSite(LeverCoordinator coordinator, double transitionS)
        {
            Coordinator = coordinator;
            _slewWPerS = coordinator.Levers[0].MaxW / transitionS;
        }

        public LeverCoordinator Coordinator { get; }

        public double EnergyWh { get; private set; }

        public double MaxFlexW { get; private set; }

        public double RacksW { get; private set; }

        public double FlexW { get; private set; }

        public int Tier => 0;

        public ReadOnlySpan<double> LeverValues => _values;

        public void Step(long nowNs, double demandW)
        {
            if (!_primed)
            {
                _primed = true;
                FlexW = _commandW = Coordinator.ReserveFor(demandW);
            }
            else
            {
                double dtS = (nowNs - _nowNs) * 1e-9;
                EnergyWh += FlexW * dtS / 3600;
                FlexW += Math.Clamp(_commandW - FlexW, -_slewWPerS * dtS, _slewWPerS * dtS);
            }

            _nowNs = nowNs;
            RacksW = demandW;
            MaxFlexW = Math.Max(MaxFlexW, FlexW);
            Coordinator.Report(0, FlexW);
            _values[0] = FlexW;
        }

        public void Decided(in TickInput input, in Decision decision, double batteryW)
        {
            Coordinator.Update(new LeverInput
            {
                NowNs = _nowNs,
                LoadW = RacksW,
                GridTargetW = decision.GridTargetW,
                AllowedDischargeW = decision.AllowedDischargeW,
                AllowedChargeW = decision.AllowedChargeW,
                SocPct = input.SocPct,
                SocTargetPct = decision.SocTargetPct,
            });
            _commandW = Coordinator.Commands[0].ValueW;
        }
    }

    private static LeverSpec Flex(double ratedW = 0.3 * PeakW, double transitionS = 2) =>
        new("flex-1", LeverKind.Flex, 0, ratedW, ratedW * 0.05, transitionS, 0.01 * PeakW);

    private static (ControllerOptions Controller, BatteryModelOptions Battery, MetricsOptions Metrics) Sizing(double batteryFraction)
    {
        var o = new ControllerOptions
        {
            PeriodMs = PeriodS * 1000,
            MaxChargeW = batteryFraction * PeakW,
            MaxDischargeW = batteryFraction * PeakW,
            EnergyWh = PeakW * 60 / 3600,
            RampUpWPerS = 0.01 * PeakW,
            RampDownWPerS = 0.01 * PeakW,
        };
        var b = new BatteryModelOptions
        {
            EnergyWh = o.EnergyWh, MaxChargeW = o.MaxChargeW, MaxDischargeW = o.MaxDischargeW, LatencyMs = 0, TimeConstantMs = 0, InitialSocPct = 50,
        };
        return (o, b, new MetricsOptions(PeriodS, o.RampUpWPerS, o.RampDownWPerS));
    }

    private static LeverCoordinatorOptions CoordinatorOptions(ControllerOptions o, double expectedMaxW) => new()
    {
        ExpectedLoadMaxW = expectedMaxW,
        BatteryDischargeW = o.MaxDischargeW,
        BatteryChargeW = o.MaxChargeW,
        BatteryEnergyWh = o.EnergyWh,
        SocMinPct = o.SocMinPct,
    };

    /// <summary>
    /// Idle at 20 % of peak, then a job starts: the load rises to 95 % within 1.5 s (as a cluster's draw does when its
    /// GPUs start together; the MW trace built from the 8×H100 log rises as fast) and stays.
    /// </summary>
    private static double[] JobStart(double idleS = 60, double runS = 60)
    {
        int n = (int)((idleS + runS) / PeriodS);
        var load = new double[n];
        for (int k = 0; k < n; k++)
        {
            double t = k * PeriodS;
            load[k] = PeakW * (t < idleS ? 0.2 : Math.Min(0.95, 0.2 + (0.5 * (t - idleS))));
        }

        return load;
    }

    private static GridMetrics Run(double[] load, double batteryFraction, FlexSite? site, IEnumerable<AnnouncedPhase>? announcements = null)
    {
        (ControllerOptions o, BatteryModelOptions b, MetricsOptions m) = Sizing(batteryFraction);
        var session = new ReplaySession([new SmoothingController(o)], b, m, load.Length, site is null ? null : [site]);
        var pending = new Queue<AnnouncedPhase>(announcements ?? []);
        for (int k = 0; k < load.Length; k++)
        {
            // An announcement reaches the coordinator at its received time, never earlier.
            while (site is not null && pending.Count > 0 && pending.Peek().ReceivedNs <= (long)k * (long)(PeriodS * 1e9))
            {
                site.Coordinator.Announce(pending.Dequeue());
            }

            session.Step(load[k]);
        }

        return session.Results()[0];
    }

    [Fact]
    public void Without_levers_a_job_start_beyond_the_battery_breaks_the_ramp_limit()
    {
        GridMetrics m = Run(JobStart(), 0.6, null);
        Assert.True(m.RampViolationS > 0.5, $"{m.RampViolationS} s");
        Assert.True(m.SaturatedS > 0);
    }

    [Fact]
    public void A_flexible_load_absorbs_what_the_saturating_battery_cannot_and_its_energy_is_accounted()
    {
        (ControllerOptions o, _, _) = Sizing(0.6);
        var site = new FlexSite(new LeverCoordinator([Flex()], CoordinatorOptions(o, PeakW)), 2);
        GridMetrics m = Run(JobStart(), 0.6, site);
        Assert.Equal(0, m.RampViolationS);
        Assert.True(m.BandEnergyRatio <= 1e-4, $"band {m.BandEnergyRatio}");

        // The reserve ran during the idle phase and was curtailed by the rise; the coordinator counted what it drew.
        Assert.True(site.MaxFlexW >= 0.15 * PeakW, $"reserve {site.MaxFlexW} W");
        Assert.True(site.FlexW < 0.01 * PeakW, $"flex still at {site.FlexW} W after the rise");
        LeverCosts c = site.Coordinator.Costs;
        Assert.InRange(c.FlexEnergyWh, site.EnergyWh * 0.99, site.EnergyWh * 1.01 + 1e-9);
        Assert.True(c.CurtailedS > 1, $"curtailed {c.CurtailedS} s");
        Assert.Equal(0, c.GpuCappedS);
    }

    [Fact]
    public void An_announced_job_start_pre_positions_the_flexible_load_only_once_received()
    {
        (ControllerOptions o, _, _) = Sizing(0.6);
        double[] load = JobStart(idleS: 180);

        // Nothing tells the coordinator the racks will rise (the peak is learnt from what it saw): no reserve, a step.
        var blind = new FlexSite(new LeverCoordinator([Flex()], CoordinatorOptions(o, double.NaN)), 2);
        GridMetrics unannounced = Run(load[..(int)(179 / PeriodS)], 0.6, blind);
        Assert.True(blind.MaxFlexW < 1e-6, $"flex ran at {blind.MaxFlexW} W with nothing announced");
        unannounced = Run(load, 0.6, new FlexSite(new LeverCoordinator([Flex()], CoordinatorOptions(o, double.NaN)), 2));
        Assert.True(unannounced.RampViolationS > 0, "the unannounced start should break the limit");

        // Announced 150 s ahead (a scheduler knows that much; received at t = 30 s): the reserve is built from then on —
        // the flexible load rises at its release rate as fast as the grid target follows it — and the start is absorbed.
        var told = new FlexSite(new LeverCoordinator([Flex()], CoordinatorOptions(o, double.NaN)), 2);
        var start = new AnnouncedPhase("job42:start", PhaseKind.JobStart, 30 * S, 180 * S, 0.75 * PeakW, 0, 0);
        (ControllerOptions o2, BatteryModelOptions b, MetricsOptions m) = Sizing(0.6);
        var session = new ReplaySession([new SmoothingController(o2)], b, m, load.Length, [told]);
        for (int k = 0; k < load.Length; k++)
        {
            long nowNs = k * (long)(PeriodS * 1e9);
            if (nowNs == start.ReceivedNs)
            {
                Assert.True(told.MaxFlexW < 1e-6, "the flexible load moved before the announcement was received");
                told.Coordinator.Announce(start);
            }

            session.Step(load[k]);
            if (nowNs == 179 * S)
            {
                Assert.True(told.FlexW >= 0.15 * PeakW, $"pre-positioned only {told.FlexW} W a second before the start");
            }
        }

        GridMetrics announced = session.Results()[0];
        Assert.Equal(0, announced.RampViolationS);
    }

    [Fact]
    public void Flexible_load_moves_that_absorb_nothing_stay_within_the_release_rate()
    {
        (ControllerOptions o, _, _) = Sizing(0.6);
        var coordinator = new LeverCoordinator([Flex()], CoordinatorOptions(o, PeakW));
        double last = double.NaN;
        double fastest = 0;
        for (int k = 0; k < 24_000; k++)
        {
            // The racks go from high to idle slowly: the reserve grows, nothing saturates.
            double load = PeakW * (0.9 - (0.7 * Math.Min(1, k / 3000.0)));
            coordinator.Report(0, coordinator.Commands[0].Release ? 0 : coordinator.Commands[0].ValueW);
            coordinator.Update(new LeverInput
            {
                NowNs = k * 10_000_000L, LoadW = load, GridTargetW = load + coordinator.FlexCommandW, AllowedDischargeW = 600, AllowedChargeW = 600, SocPct = 50,
            });
            double v = coordinator.FlexCommandW;
            if (!double.IsNaN(last))
            {
                fastest = Math.Max(fastest, Math.Abs(v - last) / PeriodS);
            }

            last = v;
        }

        Assert.True(coordinator.FlexReserveW > 190, $"reserve {coordinator.FlexReserveW}");
        Assert.True(coordinator.FlexCommandW > 190, $"flex command {coordinator.FlexCommandW}");
        Assert.InRange(fastest, 1e-9, (0.01 * PeakW) + 1e-6);
    }

    [Fact]
    public void Gpu_caps_hold_the_racks_to_what_the_battery_covers_release_along_a_ramp_and_their_cost_is_counted()
    {
        var gpus = Enumerable.Range(1, 4).Select(i => new LeverSpec($"gpu-{i}", LeverKind.Gpu, 75, 250, 0, 0.1, 2.5)).ToArray();
        var c = new LeverCoordinator(gpus, new LeverCoordinatorOptions { BatteryDischargeW = 400, BatteryChargeW = 400, BatteryEnergyWh = 20 });
        long now = 0;
        void Tick(double demandPerNodeW, double gridTargetW)
        {
            for (int i = 0; i < 4; i++)
            {
                double cap = c.Commands[i].Release ? 250 : c.Commands[i].ValueW;
                c.Report(i, Math.Min(demandPerNodeW, cap), demandPerNodeW);
            }

            c.Update(new LeverInput { NowNs = now, LoadW = 4 * Math.Min(demandPerNodeW, c.Commands[0].Release ? 250 : c.Commands[0].ValueW), GridTargetW = gridTargetW, AllowedDischargeW = 400, AllowedChargeW = 400, SocPct = 50 });
            now += 10_000_000;
        }

        // The caps are an upper bound at what the battery can cover (grid target + 85 % of 400 W); they do not bind.
        Tick(50, 200);
        Assert.InRange(c.GpuAllowedW, 539, 541);
        Tick(50, 200);
        Assert.Equal(0, c.Costs.GpuCappedS);
        Assert.Equal(0, c.Costs.GpuEnergyLostWh);

        // The racks want 1000 W, the grid is at 200 W and the battery gives 85 % of 400 W: the racks get 540 W.
        for (int k = 0; k < 100; k++)
        {
            Tick(250, 200);
        }

        Assert.False(c.Commands[0].Release);
        Assert.InRange(c.GpuAllowedW, 539, 541);
        Assert.InRange(c.Commands[0].ValueW, 134, 136);
        Assert.True(c.Costs.GpuCappedS > 0.9);
        Assert.True(c.Costs.GpuEnergyLostWh > 0);

        // The battery has room again (the grid moved up): the caps rise at the nodes' release rate, never in a step.
        double before = c.GpuAllowedW;
        Tick(250, 2000);
        Assert.InRange(c.GpuAllowedW - before, 0, (4 * 2.5 * PeriodS) + 1e-9);
        for (int k = 0; k < 20_000 && !c.Commands[0].Release; k++)
        {
            double prev = c.GpuAllowedW;
            Tick(250, 2000);
            Assert.True(c.Commands[0].Release || c.GpuAllowedW - prev <= (4 * 2.5 * PeriodS) + 1e-9);
        }

        Assert.True(c.Commands[0].Release, "the caps were released once at their maximum");
    }

    [Fact]
    public void A_site_limit_is_estimated_met_at_the_ramp_limit_and_handed_to_the_levers_as_energy_runs_out()
    {
        var flex = new LeverSpec("flex-1", LeverKind.Flex, 0, 100, 5, 2, 10);
        var gpus = new LeverSpec("gpu-1", LeverKind.Gpu, 100, 500, 0, 0.1, 10);
        var c = new LeverCoordinator([flex, gpus], new LeverCoordinatorOptions { ExpectedLoadMaxW = 600, BatteryDischargeW = 300, BatteryChargeW = 300, BatteryEnergyWh = 100, SocMinPct = 10 });
        var now = new LeverInput { NowNs = 0, LoadW = 500, GridTargetW = 500, AllowedDischargeW = 300, AllowedChargeW = 300, SocPct = 50, RampUpWPerS = 10, RampDownWPerS = 10 };
        c.Report(1, 500, 500);
        c.Update(now);

        // At most 300 W from t = 10 s for one hour: 300 W below the expected 600 W (+ the flex reserve); the battery has
        // 40 Wh above SoC min — 40 W for the hour — and the levers 400 W of caps: feasible, the grid ramps at 10 W/s.
        var request = new SiteLimitRequest("r1", 300, 10 * S, 3600 * S);
        SiteLimitFeasibility f = c.Estimate(request, now);
        Assert.True(f.Feasible, f.Reason);
        Assert.Equal(10, f.RampWPerS);
        Assert.InRange(f.BatteryW, 39.9, 40.1);
        Assert.Equal(0, f.RampStartNs);
        Assert.Equal(20 * S, f.MetNs);

        // Too deep for the battery and the levers: refused as infeasible, with the reason, and how long it could hold.
        SiteLimitFeasibility deep = c.Estimate(request with { LimitW = 0 }, now);
        Assert.False(deep.Feasible);
        Assert.NotNull(deep.Reason);

        // An emergency ramp, when authorised, is used.
        Assert.Equal(100, c.Estimate(request with { EmergencyRampWPerS = 100 }, now).RampWPerS);

        // Accepted: the controller's cap falls at the ramp limit from where the grid is, and holds the limit.
        c.SetSiteLimit(request, now);
        Assert.Equal(double.PositiveInfinity, c.SiteLimitCapW(0));
        Assert.Equal(499, c.SiteLimitCapW(S / 10), 6);
        for (long t = S / 10; t < 30 * S; t += S / 10)
        {
            Assert.True(c.SiteLimitCapW(t) - c.SiteLimitCapW(t + (S / 10)) <= 1.0 + 1e-9);
        }

        Assert.Equal(300, c.SiteLimitCapW(25 * S));
        Assert.Equal(double.PositiveInfinity, c.SiteLimitCapW(3611 * S));

        // The battery's energy runs out (SoC at min): the GPU caps take the rest, so the racks fit under the limit.
        now.NowNs = 30 * S;
        now.GridTargetW = 300;
        now.SocPct = 10;
        c.Update(now);
        Assert.Equal(0, c.BatteryBudgetW);
        Assert.False(c.Commands[1].Release);
        Assert.True(c.GpuAllowedW <= 300 + 1e-9, $"GPU allowed {c.GpuAllowedW} W");
    }

    [Fact]
    public void A_battery_at_its_soc_limits_hands_over_to_the_flexible_load()
    {
        (ControllerOptions o, _, _) = Sizing(0.6);
        var c = new LeverCoordinator([Flex()], CoordinatorOptions(o, 0.5 * PeakW));
        var x = new LeverInput { NowNs = 0, LoadW = 400, GridTargetW = 400, AllowedDischargeW = 600, AllowedChargeW = 600, SocPct = 50 };
        c.Report(0, 0);
        c.Update(x);
        Assert.Equal(0, c.FlexCommandW);

        // Nearly full (the SoC guard leaves 20 W of charge): the racks drop 200 W below the grid target — the flexible
        // load burns what the battery cannot store.
        x.NowNs += 10_000_000;
        x.LoadW = 200;
        x.AllowedChargeW = 20;
        x.SocPct = 89.9;
        c.Update(x);
        Assert.True(c.FlexCommandW >= 180, $"burn {c.FlexCommandW} W");
        Assert.True(c.Absorbing);

        // Nearly empty (20 W of discharge left) with the flexible load running: the racks rise — it is curtailed.
        c.Report(0, 250);
        x.NowNs += 10_000_000;
        x.LoadW = 400;
        x.GridTargetW = 500;
        x.AllowedChargeW = 600;
        x.AllowedDischargeW = 20;
        x.SocPct = 10.1;
        c.Update(x);
        Assert.True(c.FlexCommandW <= 100, $"still {c.FlexCommandW} W");
    }

    [Fact]
    public void A_period_allocates_nothing()
    {
        // Every backstop tier in turn (0–4, 5 s each): caps, smoothing profiles and dip filling cost nothing either.
        var levers = new[] { Flex(), new LeverSpec("gpu-1", LeverKind.Gpu, 100, 500, 0, 0.1, 10), new LeverSpec("gpu-2", LeverKind.Gpu, 100, 500, 0, 0.1, 10, SmoothingProfile: true) };
        var c = new LeverCoordinator(levers, new LeverCoordinatorOptions { BatteryDischargeW = 300, BatteryChargeW = 300, BatteryEnergyWh = 10, SmoothingProfile = 2 });
        c.Announce(new AnnouncedPhase("a", PhaseKind.JobStart, 0, 3600 * S, 500, 0, 0));
        var x = new LeverInput { AllowedDischargeW = 300, AllowedChargeW = 300, SocPct = 50, RampDownWPerS = 10, RampUpWPerS = 10 };
        void Loop(int from, int to)
        {
            for (int k = from; k < to; k++)
            {
                x.NowNs = k * 10_000_000L;
                x.LoadW = 600 + (400 * Math.Sin(k * 0.01));
                x.GridTargetW = 600;
                c.Report(0, c.Commands[0].ValueW);
                c.Report(1, Math.Min(x.LoadW, 500), x.LoadW);
                c.Report(2, 400);
                x.BackstopTier = k / 500 % 5;
                c.Announce(new AnnouncedPhase("a", PhaseKind.JobStart, 0, 3600 * S, 500, 0, 0));
                c.Update(x);
            }
        }

        Loop(0, 1000);
        int from = 1000;
        Action pass = () =>
        {
            Loop(from, from + 100_000);
            from += 100_000;
        };
        Assert.Equal(0, SteadyAllocations.PerPassMinimum(pass));
        Assert.True(c.Costs.GpuCappedS > 0 && c.Costs.FlexEnergyWh > 0);
    }

    [Fact]
    public void Bad_configuration_is_refused_naming_every_problem()
    {
        var e = Assert.Throws<ArgumentException>(() => new LeverCoordinator(
            [new LeverSpec("a", LeverKind.Flex, 10, 5, 0, 1, 1), new LeverSpec("a", LeverKind.Gpu, 0, 5, 0, 1, 0)],
            new LeverCoordinatorOptions { BatteryShare = 2 }));
        Assert.Contains("BatteryShare", e.Message, StringComparison.Ordinal);
        Assert.Contains("min_w ≤ max_w", e.Message, StringComparison.Ordinal);
        Assert.Contains("release rate", e.Message, StringComparison.Ordinal);
        Assert.Contains("unique", e.Message, StringComparison.Ordinal);
    }
}
