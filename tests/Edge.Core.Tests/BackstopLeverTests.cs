using Edge.Core.Backstop;
using Edge.Core.Levers;
using Xunit.Abstractions;

namespace Edge.Core.Tests;

/// <summary>
/// The backstop's tiers acting on the levers through the <see cref="LeverCoordinator"/>, on virtual time: the grid is the
/// racks plus the flexible loads (the battery takes none of this oscillation — its controller lets it through, or it
/// is not smoothing: no grid target), the <see cref="TieredBackstop"/> watches that grid and its tier is fed to the coordinator every
/// period, and the GPU nodes and flexible loads are plain plants (caps in force after a latency; a slew-limited load).
/// Each scenario runs twice on the same trace — the tier not fed (the backstop only measuring, as before) and fed — and
/// compares what the grid sees.
/// </summary>
public sealed class BackstopLeverTests(ITestOutputHelper output)
{
    private const double PeriodS = 0.01;
    private const long PeriodNs = 10_000_000;
    private const double PeakW = 1000;
    private const double RampWPerS = 0.01 * PeakW;

    /// <summary>Amplitude of the <paramref name="hz"/> component of <paramref name="x"/> over whole periods from <paramref name="from"/>.</summary>
    private static double Fundamental(IReadOnlyList<double> x, int from, int to, double hz)
    {
        double re = 0, im = 0;
        for (int k = from; k < to; k++)
        {
            double w = 2 * Math.PI * hz * k * PeriodS;
            re += x[k] * Math.Cos(w);
            im += x[k] * Math.Sin(w);
        }

        return 2 * Math.Sqrt((re * re) + (im * im)) / (to - from);
    }

    private sealed record GpuRun(List<double> GridW, List<int> Tier, List<double> BackstopAllowedW, List<double> CapW, LeverCoordinator Coordinator, List<bool> Sent);

    [Fact]
    public void A_cap_that_follows_the_backstop_goes_out_at_most_ten_times_a_second()
    {
        // While the backstop holds the GPUs' caps, the allowed power moves a little every period; sending each move
        // was ≈ 50 commands/s per node on the sim rig (most of them a few hundred mW). A new value goes out at most
        // every 100 ms (the agents' telemetry period), and only when it moved by 0.1 % of the node's range.
        GpuRun run = RunGpus(true);
        int perSecond = (int)(1 / PeriodS);
        int most = 0, total = 0;
        for (int from = 0; from + perSecond <= run.Sent.Count; from += perSecond)
        {
            int sent = run.Sent.Skip(from).Take(perSecond).Count(x => x);
            most = Math.Max(most, sent);
            total += sent;
        }

        output.WriteLine($"commands to gpu-1: {total} over {run.Sent.Count * PeriodS:F0} s, at most {most} in one second");
        Assert.True(total > 0, "the backstop never capped the GPUs: the scenario tests nothing");
        Assert.True(most <= 10, $"{most} commands in one second");
    }

    /// <summary>
    /// Four GPU nodes of 75–250 W (0.1 s to apply a cap, 2.5 W/s release each: the ramp limit together) whose demand
    /// swings 600 ± 240 W at 0.2 Hz from 5 s to 70 s, then holds 600 W until 160 s.
    /// </summary>
    private static GpuRun RunGpus(bool feedTier)
    {
        var specs = Enumerable.Range(1, 4).Select(i => new LeverSpec($"gpu-{i}", LeverKind.Gpu, 75, 250, 0, 0.1, 2.5)).ToArray();
        var c = new LeverCoordinator(specs, new LeverCoordinatorOptions { ExpectedLoadMaxW = PeakW, BatteryDischargeW = 1e6, BatteryChargeW = 1e6, BatteryEnergyWh = 1e6 });
        var backstop = new TieredBackstop(BackstopPolicy.Default(RampWPerS), PeriodS);
        var applied = new Queue<double>(Enumerable.Repeat(250.0, 10)); // 0.1 s latency at 10 ms
        var run = new GpuRun([], [], [], [], c, []);
        int n = (int)(160 / PeriodS);
        for (int k = 0; k < n; k++)
        {
            double t = k * PeriodS;
            double demandW = 150 + (t is >= 5 and < 70 ? 60 * Math.Sin(2 * Math.PI * 0.2 * t) : 0);
            double capW = applied.Dequeue();
            double drawW = Math.Min(demandW, capW);
            for (int i = 0; i < 4; i++)
            {
                c.Report(i, drawW, demandW);
            }

            double gridW = 4 * drawW;
            int tier = backstop.Step(gridW, gridW);
            c.Update(new LeverInput
            {
                NowNs = k * PeriodNs,
                LoadW = gridW,
                GridTargetW = gridW,
                AllowedDischargeW = 1e6,
                AllowedChargeW = 1e6,
                SocPct = 50,
                BackstopTier = feedTier ? tier : 0,
            });
            LeverCommand cmd = c.Commands[0];
            applied.Enqueue(cmd.Release ? 250 : cmd.ValueW);
            Assert.All(specs.Select((_, i) => c.Commands[i]), x => Assert.False(x.SmoothingChanged, "a GPU without the knob was sent a profile"));
            run.GridW.Add(gridW);
            run.Tier.Add(tier);
            run.BackstopAllowedW.Add(c.BackstopGpuAllowedW);
            run.CapW.Add(cmd.Release ? double.PositiveInfinity : cmd.ValueW);
            run.Sent.Add(cmd.Changed);
        }

        return run;
    }

    [Fact]
    public void Tier_2_caps_gpu_peaks_reducing_the_grid_band_amplitude_holds_through_the_dwell_and_releases_along_the_ramp()
    {
        GpuRun before = RunGpus(feedTier: false);
        GpuRun after = RunGpus(feedTier: true);

        // The oscillation is far above tier 2's entry (slope 2π × 0.2 Hz × 240 W = 302 W/s against 2 × 10 W/s).
        int enter = after.Tier.FindIndex(t => t >= 2);
        Assert.InRange(enter * PeriodS, 5, 8);
        Assert.True(before.BackstopAllowedW.All(double.IsPositiveInfinity), "without the tier nothing is capped (the battery covers the absorb)");

        // The grid's 0.2 Hz amplitude over 20–70 s (whole periods): a real reduction.
        double a0 = Fundamental(before.GridW, 2000, 7000, 0.2);
        double a1 = Fundamental(after.GridW, 2000, 7000, 0.2);
        output.WriteLine($"0.2 Hz grid amplitude: {a0:F1} W with the tier not fed, {a1:F1} W with tier 2 acting ({(1 - (a1 / a0)) * 100:F0} % less); grid max {before.GridW.Skip(2000).Take(5000).Max():F0} → {after.GridW.Skip(2000).Take(5000).Max():F0} W");
        Assert.InRange(a0, 230, 250);
        Assert.True(a1 < 0.65 * a0, $"{a1:F1} W of {a0:F1} W");

        // Peaks clipped at the plateau: slow mean (600 W) + 2 % of the peak, within the nodes' 0.1 s latency.
        Assert.InRange(after.GridW.Skip(2000).Take(5000).Max(), 600, 640);

        // The cap engaged without a step: in the period it did, the racks were at or below it.
        int engaged = after.BackstopAllowedW.FindIndex(double.IsFinite);
        Assert.True(engaged >= enter);
        Assert.True(after.GridW[engaged] <= after.BackstopAllowedW[engaged] + 1e-9);

        // Held while the tier is ≥ 2 (its dwell and hysteresis are the backstop's): the cap is finite throughout.
        int leave = after.Tier.FindIndex(enter, t => t < 2);
        Assert.True(leave > 0, "tier 2 ended after the oscillation stopped");
        Assert.True(leave * PeriodS > 70, "not before the oscillation stopped");
        Assert.True((leave - enter) * PeriodS >= 10, "dwell");
        for (int k = engaged; k < leave; k++)
        {
            Assert.True(double.IsFinite(after.BackstopAllowedW[k]), $"cap lifted at {k * PeriodS:F2} s with tier {after.Tier[k]}");
        }

        // Released at the release rate: never more than 4 × 2.5 W/s × 10 ms per period, per node 2.5 W/s × 10 ms.
        double fastest = 0, fastestNode = 0;
        int free = -1;
        for (int k = leave; k < after.BackstopAllowedW.Count; k++)
        {
            if (double.IsPositiveInfinity(after.BackstopAllowedW[k]))
            {
                free = k;
                break;
            }

            fastest = Math.Max(fastest, after.BackstopAllowedW[k] - after.BackstopAllowedW[k - 1]);
            fastestNode = Math.Max(fastestNode, after.CapW[k] - after.CapW[k - 1]);
        }

        output.WriteLine($"tier 2 from {enter * PeriodS:F2} s to {leave * PeriodS:F2} s; released to free by {free * PeriodS:F2} s, fastest rise {fastest / PeriodS:F2} W/s total, {fastestNode / PeriodS:F2} W/s per node");
        Assert.True(free > leave, "released fully");
        Assert.InRange(fastest, 1e-9, (4 * 2.5 * PeriodS) + 1e-9);
        Assert.InRange(fastestNode, 1e-9, (2.5 * PeriodS) + 1e-9);

        // Costs: the clipped energy is counted as GPU work lost, and capped time.
        Assert.True(after.Coordinator.Costs.GpuCappedS > 30, $"{after.Coordinator.Costs.GpuCappedS} s");
        Assert.True(after.Coordinator.Costs.GpuEnergyLostWh > 0);
        Assert.Equal(0, before.Coordinator.Costs.GpuEnergyLostWh);
    }

    [Fact]
    public void Tier_2_sends_the_smoothing_profile_only_to_levers_with_the_knob_renews_it_and_releases_it_when_the_tier_ends()
    {
        LeverSpec[] specs =
        [
            new("gb300-1", LeverKind.Gpu, 200, 1200, 0, 0.1, 10, SmoothingProfile: true),
            new("h100-1", LeverKind.Gpu, 200, 700, 0, 0.1, 10),
            new("miner", LeverKind.Flex, 0, 300, 15, 2, 10),
        ];
        var c = new LeverCoordinator(specs, new LeverCoordinatorOptions { BatteryDischargeW = 1e6, BatteryChargeW = 1e6, BatteryEnergyWh = 1e6, SmoothingProfile = 3, CommandLifetimeS = 10 });
        var sent = new List<(double T, int Lever, int Profile)>();
        void Run(double fromS, double toS, int tier)
        {
            for (long k = (long)(fromS / PeriodS); k < (long)(toS / PeriodS); k++)
            {
                c.Report(0, 900);
                c.Report(1, 500);
                c.Report(2, 0);
                c.Update(new LeverInput { NowNs = k * PeriodNs, LoadW = 1400, GridTargetW = 1400, AllowedDischargeW = 1e6, AllowedChargeW = 1e6, SocPct = 50, BackstopTier = tier });
                for (int i = 0; i < specs.Length; i++)
                {
                    LeverCommand x = c.Commands[i];
                    if (x.SmoothingChanged)
                    {
                        sent.Add((k * PeriodS, i, x.SmoothingProfile));
                    }
                }
            }
        }

        Run(0, 5, tier: 1);
        Assert.Empty(sent); // the alarm tier does not touch the levers
        Run(5, 17, tier: 2);
        Assert.Equal([(5.0, 0, 3), (10.0, 0, 3), (15.0, 0, 3)], sent.Select(s => (Math.Round(s.T, 2), s.Lever, s.Profile)));
        Assert.True(c.Commands[0].SmoothingExpiresNs > 17 * (long)1e9);
        Assert.True(c.Commands[0].Release, "the lever with a profile is not capped by tier 2");
        Assert.Equal(-1, c.Commands[1].SmoothingProfile);
        sent.Clear();
        Run(17, 30, tier: 0);
        Assert.Equal([(17.0, 0, -1)], sent.Select(s => (Math.Round(s.T, 2), s.Lever, s.Profile)));
        Assert.True(specs.Select((_, i) => c.Commands[i].SmoothingProfile).All(p => p == -1));
    }

    private sealed record FlexRun(List<double> RacksW, List<double> GridW, List<double> FlexW, List<double> CommandW, List<int> Tier, LeverCoordinator Coordinator);

    /// <summary>
    /// Racks at 600 ± 200 W with a period of 30 s (0.033 Hz: far slower than the flexible load's 2 s response) from 10 s
    /// to 220 s, then steady; one flexible load of 300 W in 5 % steps, 2 s from 0 to full, released at 10 W/s. A policy
    /// watching 0.01–0.2 Hz: tier 1 from 40 W, tier 3 from 80 W (exit 30 W, dwell 30 s).
    /// </summary>
    private static FlexRun RunFlex(bool feedTier)
    {
        var policy = new BackstopPolicy
        {
            Bands = [new BandSpec(0.01, 0.2)],
            AveragingS = 30,
            Rules =
            [
                new BackstopRule(BackstopAction.Alarm, BackstopSignal.Grid, null, 40, 20, 10),
                new BackstopRule(BackstopAction.FlexibleLoads, BackstopSignal.Grid, null, 80, 30, 30),
            ],
        };
        var backstop = new TieredBackstop(policy, PeriodS);
        var c = new LeverCoordinator([new LeverSpec("miner", LeverKind.Flex, 0, 300, 15, 2, 10)],
            new LeverCoordinatorOptions { ExpectedLoadMaxW = 800, BatteryDischargeW = 1e6, BatteryChargeW = 1e6, BatteryEnergyWh = 1e6 });
        var run = new FlexRun([], [], [], [], [], c);
        double flexW = 0;
        int n = (int)(320 / PeriodS);
        for (int k = 0; k < n; k++)
        {
            double t = k * PeriodS;
            double racksW = 600 + (t is >= 10 and < 220 ? 200 * Math.Sin(2 * Math.PI * t / 30) : 0);

            // The plant: moves to its command's step at 150 W/s (full range in 2 s).
            double targetW = Math.Floor((c.Commands[0].ValueW / 15) + 1e-9) * 15;
            flexW += Math.Clamp(targetW - flexW, -150 * PeriodS, 150 * PeriodS);
            c.Report(0, flexW);
            double gridW = racksW + flexW;
            int tier = backstop.Step(racksW, gridW);
            c.Update(new LeverInput
            {
                NowNs = k * PeriodNs,
                LoadW = racksW,
                GridTargetW = double.NaN, // no controller smoothing: the backstop is the only defence
                AllowedDischargeW = 1e6,
                AllowedChargeW = 1e6,
                SocPct = 50,
                BackstopTier = feedTier ? tier : 0,
            });
            run.RacksW.Add(racksW);
            run.GridW.Add(gridW);
            run.FlexW.Add(flexW);
            run.CommandW.Add(c.Commands[0].ValueW);
            run.Tier.Add(tier);
        }

        return run;
    }

    [Fact]
    public void Tier_3_flexible_loads_fill_the_dips_of_a_slow_oscillation_and_return_to_their_plan_at_the_release_rate()
    {
        FlexRun before = RunFlex(feedTier: false);
        FlexRun after = RunFlex(feedTier: true);
        int enter = after.Tier.FindIndex(t => t >= 3);
        Assert.InRange(enter * PeriodS, 10, 60);
        Assert.True(before.FlexW.All(w => w == 0), "without the tier the flexible load stays at its plan (0 W during the job)");

        // Dip depth: how far the grid falls below the racks' mean (600 W) over whole periods (100–220 s).
        static double Dip(List<double> x) => 600 - x.Skip(10_000).Take(12_000).Min();
        double d0 = Dip(before.GridW), d1 = Dip(after.GridW);
        output.WriteLine($"dip depth below the racks' mean: {d0:F0} W with the tier not fed, {d1:F0} W with tier 3 ({(1 - (d1 / d0)) * 100:F0} % less); flex energy {after.Coordinator.Costs.FlexEnergyWh:F1} Wh; tier 3 from {enter * PeriodS:F1} s");
        Assert.InRange(d0, 190, 210);
        Assert.True(d1 < 0.45 * d0, $"{d1:F0} W of {d0:F0} W"); // what is left is the 2 s response (the command follows the racks low-passed at it, the load slews)
        Assert.True(after.Coordinator.Costs.FlexEnergyWh > 0);

        // The load moves within its response: never faster than its full range in 2 s (the plant enforces it; the
        // command is where it should be, on its steps).
        int leave = after.Tier.FindIndex(enter, t => t < 3);
        Assert.True(leave * PeriodS > 220, "tier 3 held until the oscillation stopped");

        // Back to the plan (0 W) at its release rate once the tier ends: the command never rises, and falls at ≤ 10 W/s.
        double fastest = 0;
        for (int k = leave + 1; k < after.CommandW.Count; k++)
        {
            double d = after.CommandW[k - 1] - after.CommandW[k];
            Assert.True(d >= -1e-9, $"the command rose after the tier at {k * PeriodS:F2} s");
            fastest = Math.Max(fastest, d);
        }

        Assert.True(fastest <= (10 * PeriodS) + 1e-9, $"{fastest / PeriodS:F2} W/s");
        Assert.Equal(0, after.CommandW[^1], 1e-9);
    }
}
