using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Cli;
using Edge.Configuration;
using Edge.Core;
using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Forecast;
using Edge.Core.Levers;
using Edge.Core.Metrics;
using Edge.Core.Replay;
using Edge.Output;
using Edge.Runtime.Files;
using Edge.Replay;
using Edge.Simulation.Profiles;
using Microsoft.Extensions.Configuration;

namespace Edge.Commands;

/// <summary>
/// <c>edge replay</c> (docs/DESIGN.md §6): runs controllers over a trace or a generated profile on virtual time with the
/// battery model, prints a side-by-side table of the docs/DESIGN.md §5 metrics and optionally writes JSON, a per-period
/// CSV series and a plot. Every input is checked before anything runs; outputs are written atomically.
/// </summary>
public sealed class ReplayCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "replay";

    /// <inheritdoc />
    public string Summary => "run controllers over a power trace or AI-load profile and compare them";

    /// <inheritdoc />
    public IReadOnlySet<string> Switches { get; } = new HashSet<string>(StringComparer.Ordinal) { "quiet", "flex-load", "planner", "bound" };

    /// <inheritdoc />
    public string Usage => """
        edge replay (--trace FILE.csv | --profile ai-training[:k=v,…] | --profile inference[:k=v,…])
                    [--controller smoothing|none|moving-average|low-pass|peak-shave|all] [--period-ms 10]
                    [--config FILE.json] [--battery-power-w W] [--battery-energy-wh WH] [--battery-latency-ms MS]
                    [--battery-tau-ms MS] [--latency-compensation-ms MS] [--ramp-w-per-s R | --ramp-up-w-per-s R --ramp-down-w-per-s R]
                    [--dynamic-range-w W] [--time-column NAME] [--power-column NAME] [--power-scale X]
                    [--max-gap-s S] [--max-periods N]
                    [--flex-load[=SPEC]] [--agents SPEC] [--announce FILE.jsonl]
                    [--json OUT.json] [--series OUT.csv] [--plot OUT.svg|OUT.html] [--plot-from S] [--plot-to S] [--quiet]
                    [--planner [--planner-solver banded|glop] [--planner-forecast periodic|perfect] [--planner-horizon-s S]] [--bound]

        --planner adds "planner": the smoothing controller with the forecast-assisted grid planner beside it
        (docs/planner.md), run in step with virtual time, its solve latency modelled (20 ms); --planner-solver picks
        the programme's solver (banded: purpose-written, the default; glop: Google OR-Tools); --planner-forecast
        perfect gives the planner the trace's own future instead of its forecast (periodic and phase predictors,
        --announce), which shows what a forecast can be worth on this trace at most; --planner-horizon-s S sets how far each plan looks
        ahead (10–600 s; default 60, as the daemon's Planner:HorizonS). --bound prints the
        clairvoyant lower bound on battery throughput (an LP over the whole trace at 0.1 s means, with perfect
        foresight, under the same power, energy and ramp limits) and each controller's ratio to it.
        --latency-compensation-ms MS (Controller:LatencyCompensationMs; 0 = off) commands the load predicted MS ahead
        (a per-period periodic predictor, gated by its measured error) so a battery with --battery-latency-ms MS meets
        the load's edges instead of leaking them to the grid (docs/planner.md, "Latency compensation").
        Runs the controller(s) over the trace on virtual time with the battery model and prints the metrics
        (ramp violation, band energy ratio, battery throughput, SoC range …) side by side.
        Without flags the battery is sized from the trace: power = peak, energy = 120 s of peak, latency 0,
        ramp = 1 % of peak per second both ways. --config FILE reads the "Controller" and "Battery" sections of a
        JSON file (the daemon's format); flags override it. One source per value: the modelled battery's size and
        efficiencies are the controller's (Controller:EnergyWh, MaxChargeW, MaxDischargeW, Charge/DischargeEfficiency),
        it starts at Controller:SocTargetPct, and the period is --period-ms; "Battery" holds only what the controller is
        not told (LatencyMs, TimeConstantMs, RampWPerS). Battery:EnergyWh & co. and Controller:PeriodMs are refused.
        CSV input: a header row, a time column (seconds or ISO-8601; _ms/_us/_ns names and Unix-epoch values are scaled)
        and a power column (W; _kw/_mw names, or --power-scale 1000 for kW; --power-column a+b sums columns).
        Comma, semicolon or tab delimited (decimal commas with the latter two). Rows whose power is empty, NaN or [N/A]
        are skipped with a note; any other bad value is an error naming file:line:column.
        nvidia-smi CSV logs (--query-gpu=timestamp,power.draw,… --format=csv) are recognised and summed per poll.
        Profiles: ai-training and inference; e.g. --profile ai-training:peak_w=2e6,duration_s=3600,seed=7.
        Limits (absurd input is refused before anything runs): a gap between rows longer than --max-gap-s
        (default 3600 s), more than --max-periods periods (default 50 000 000, 5.8 days at 10 ms), binary files.
        Memory does not grow with the trace: it is read twice (a checking pass, then the replay), every metric is
        accumulated as the replay runs and --series is written as it goes.
        Levers (docs/agents.md): --flex-load adds flexible loads commanded by the lever coordinator; bare, one
        miner-like load of 30 % of the trace's peak, 2 s to curtail or restart, level in 5 % steps
        (--flex-load=rated_frac=0.3,count=1,transition_s=2,step_pct=5,min_frac=0). --agents nodes=8[,share=1,
        min_cap_frac=0.3,latency_s=0.1,release_frac=1] splits the racks' load over simulated GPU nodes that obey power
        caps after their latency. The controller then sees the racks plus the flexible loads; when the battery cannot
        take the excess, flexible loads and caps absorb it. --announce FILE: phase announcements as JSON lines, the
        contract's fields (id, kind, in_s, power_w, duration_s, period_s) plus received_s, the trace time at which each
        is received (seen from then on, never earlier). --series then has load_w = the racks' load, grid_w = the point
        of connection (racks + flexible loads − battery), flex_w, tier and a column per lever; --json gains "levers"
        (flex_energy_wh, curtailed_s, gpu_capped_s, gpu_energy_lost_wh); the plot a tier and lever timeline.
        Outputs never land on an input (--trace, --announce, --config) or on one another (links and '-' = /dev/stdout
        count): that is refused as bad input.
        Exit codes: 0 ok, 2 bad input (nothing is written).
        """;

    /// <inheritdoc />
    public int Run(CommandArgs args, CommandContext context)
    {
        string? tracePath = args.String("trace");
        string? profileSpec = args.String("profile");
        string controllerArg = args.String("controller") ?? "smoothing";
        double periodMs = args.Double("period-ms", 0.1, 1000) ?? 10;
        string? configPath = args.String("config");
        double? batteryPowerW = args.Double("battery-power-w", 0, 1e12);
        double? batteryEnergyWh = args.Double("battery-energy-wh", 1e-6, 1e13);
        double? batteryLatencyMs = args.Double("battery-latency-ms", 0, 60_000);
        double? batteryTauMs = args.Double("battery-tau-ms", 0, 600_000);
        double? latencyCompensationMs = args.Double("latency-compensation-ms", 0, 1000);
        double? rampW = args.Double("ramp-w-per-s", 1e-9, 1e12);
        double? rampUpW = args.Double("ramp-up-w-per-s", 1e-9, 1e12);
        double? rampDownW = args.Double("ramp-down-w-per-s", 1e-9, 1e12);
        double? dynamicRangeW = args.Double("dynamic-range-w", 0, 1e12);
        double maxGapS = args.Double("max-gap-s", 1e-6, 1e12) ?? TraceReadOptions.DefaultMaxGapS;
        long maxPeriods = args.Long("max-periods", 2, long.MaxValue / 2) ?? TraceScan.DefaultMaxPeriods;
        var readOptions = new TraceReadOptions(args.String("time-column"), args.String("power-column"), args.Double("power-scale", 1e-12, 1e12) ?? 1.0, maxGapS);
        string? jsonPath = args.String("json");
        string? seriesPath = args.String("series");
        string? plotPath = args.String("plot");
        double? plotFromS = args.Double("plot-from", 0);
        double? plotToS = args.Double("plot-to", 0);
        bool quiet = args.Has("quiet");
        bool planner = args.Has("planner");
        string? solverName = args.String("planner-solver");
        Planning.PlannerSolver solver = solverName switch
        {
            null or "banded" => Planning.PlannerSolver.Banded,
            "glop" => Planning.PlannerSolver.Glop,
            _ => throw new UsageException($"--planner-solver: '{solverName}' is not a solver: banded or glop."),
        };
        string? forecastName = args.String("planner-forecast");
        bool perfectForesight = forecastName switch
        {
            null or "periodic" => false,
            "perfect" => true,
            _ => throw new UsageException($"--planner-forecast: '{forecastName}' is not a forecast: periodic or perfect."),
        };
        double? horizonS = args.Double("planner-horizon-s", Planning.PlannerOptions.MinHorizonS, Planning.PlannerOptions.MaxHorizonS);
        if ((solverName is not null || forecastName is not null || horizonS is not null) && !planner)
        {
            throw new UsageException("--planner-solver, --planner-forecast and --planner-horizon-s set up the planner: add --planner.");
        }

        bool bound = args.Has("bound");
        bool flexPresent = args.SwitchWithValue("flex-load", out string? flexSpec);
        string? agentsSpec = args.String("agents");
        string? announcePath = args.String("announce");
        args.ThrowOnUnused();
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected word '{args.Positional[0]}' (a SPEC for --flex-load is written --flex-load=SPEC).");
        }

        SiteLevers levers;
        try
        {
            levers = SiteLevers.Parse(flexPresent, flexSpec, agentsSpec);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message, e);
        }

        if ((tracePath is null) == (profileSpec is null))
        {
            throw new UsageException("give exactly one of --trace FILE.csv or --profile NAME[:k=v,…].");
        }

        if (rampW is not null && (rampUpW is not null || rampDownW is not null))
        {
            throw new UsageException("use either --ramp-w-per-s or --ramp-up-w-per-s/--ramp-down-w-per-s, not both.");
        }

        string[] controllers = controllerArg == "all"
            ? [.. Controllers.Names]
            : controllerArg.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (controllers.Length == 0)
        {
            throw new UsageException($"--controller: '{controllerArg}' names no controller. Give one or more, comma-separated: {string.Join(", ", Controllers.Names)}, or all.");
        }

        foreach (string c in controllers)
        {
            if (!Controllers.Names.Contains(c))
            {
                throw new UsageException($"--controller: unknown controller '{c}'. Known: {string.Join(", ", Controllers.Names)}, all.");
            }
        }

        OutputOption.Check("json", jsonPath);
        OutputOption.Check("series", seriesPath);
        OutputOption.Check("plot", plotPath);
        OutputOption.CheckDistinct(
            [("trace", tracePath), ("announce", announcePath), ("config", configPath)],
            [("series", seriesPath), ("json", jsonPath), ("plot", plotPath)]);

        if (plotFromS is { } f0 && plotToS is { } t0 && t0 <= f0)
        {
            throw new UsageException($"--plot-to ({t0}) must be after --plot-from ({f0}).");
        }

        bool plotHtml = plotPath is not null && plotPath.EndsWith(".html", StringComparison.OrdinalIgnoreCase);
        if (plotPath is not null && !plotHtml && !plotPath.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) && OutputFile.Resolve(plotPath).IsReplaced)
        {
            // A file is named for its format; a stream (-, /dev/stdout, a FIFO, /dev/null) gets SVG.
            throw new UsageException($"--plot: '{plotPath}' must end in .svg or .html (or be a stream such as '-', which gets SVG).");
        }

        double periodS = periodMs * 1e-3;
        ILoadTrace trace = OpenTrace(tracePath, profileSpec, readOptions, periodS, maxPeriods);
        var progress = new ProgressLine(context.Error, context.ErrorIsTerminal && !quiet, quiet);
        TraceSummary summary;
        try
        {
            // First pass: every row checked and the run sized before anything is replayed or written.
            summary = TraceScan.Scan(trace, periodS, maxPeriods, f => progress.Report($"checking {trace.Name}", f));
        }
        catch (TraceFormatException e)
        {
            throw new UsageException(e.Message, e);
        }

        foreach (string w in summary.Warnings)
        {
            context.Error.WriteLine($"edge replay: note: {w}");
        }

        // Read once the run is sized: an announcement received after the last period would never be delivered.
        IReadOnlyList<AnnouncedPhase> announcements = [];
        if (announcePath is not null)
        {
            try
            {
                announcements = AnnouncementFile.Read(announcePath, (summary.Periods - 1) * (long)Math.Round(periodS * 1e9));
            }
            catch (FormatException e)
            {
                throw new UsageException("--announce " + e.Message, e);
            }
            catch (IOException e)
            {
                throw new UsageException($"--announce {announcePath}: cannot read: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new UsageException($"--announce {announcePath}: cannot read: {e.Message}", e);
            }
        }

        double peakW = summary.PeakW;
        if (!(peakW > 0))
        {
            throw new UsageException($"{summary.Source}: the trace's peak power is {peakW} W; a positive load is needed to size the battery.");
        }

        // Sizing from the trace (docs/DESIGN.md §6), then the config file, then flags.
        var options = new ControllerOptions
        {
            PeriodMs = periodMs,
            MaxChargeW = peakW,
            MaxDischargeW = peakW,
            EnergyWh = peakW * 120 / 3600,
            RampUpWPerS = 0.01 * peakW,
            RampDownWPerS = 0.01 * peakW,
        };
        var battery = new BatteryModelOptions { LatencyMs = 0, TimeConstantMs = 0 };
        if (configPath is not null)
        {
            IConfiguration config = ConfigFile.Load(configPath, ConfigSections, ConfigSetElsewhere);
            ConfigFile.Bind(config, "Controller", options, configPath);
            ConfigFile.Bind(config, "Battery", battery, configPath);
        }

        options.PeriodMs = periodMs;
        if (batteryPowerW is { } p)
        {
            options.MaxChargeW = p;
            options.MaxDischargeW = p;
        }

        options.EnergyWh = batteryEnergyWh ?? options.EnergyWh;
        options.RampUpWPerS = rampW ?? rampUpW ?? options.RampUpWPerS;
        options.RampDownWPerS = rampW ?? rampDownW ?? options.RampDownWPerS;
        options.DynamicRangeW = dynamicRangeW ?? options.DynamicRangeW;
        battery.LatencyMs = batteryLatencyMs ?? battery.LatencyMs;
        options.LatencyCompensationMs = latencyCompensationMs ?? options.LatencyCompensationMs;
        battery.TimeConstantMs = batteryTauMs ?? battery.TimeConstantMs;
        battery.EnergyWh = options.EnergyWh;
        battery.MaxChargeW = options.MaxChargeW;
        battery.MaxDischargeW = options.MaxDischargeW;
        battery.ChargeEfficiency = options.ChargeEfficiency;
        battery.DischargeEfficiency = options.DischargeEfficiency;
        battery.InitialSocPct = options.SocTargetPct;
        var errors = options.Validate().Concat(battery.Validate()).ToList();
        if (errors.Count > 0)
        {
            throw new UsageException("invalid options:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors));
        }

        var metricsOptions = new MetricsOptions(periodS, options.RampUpWPerS, options.RampDownWPerS, options.RampWindowS,
            options.DynamicRangeW, options.BandLowHz, options.BandHighHz, summary.NativeSampleRateHz);
        // --planner: the smoothing controller with the grid planner beside it (docs/planner.md), added as "planner".
        if (planner && !controllers.Contains("planner"))
        {
            controllers = [.. controllers, "planner"];
        }

        Planning.ClairvoyantBound? boundLoad = bound ? new Planning.ClairvoyantBound(options, periodS) : null;
        Planning.TraceForesight? foresight = null;
        if (planner && perfectForesight)
        {
            // The planner's foresight: the same periods the replay feeds the controllers (one more pass over the trace).
            var periodLoadsW = new List<double>((int)Math.Min(summary.Periods, int.MaxValue / 2));
            foreach (double loadW in TraceScan.Periods(trace.Samples(null), periodS, maxPeriods, summary.Name))
            {
                periodLoadsW.Add(loadW);
            }

            foresight = new Planning.TraceForesight(periodLoadsW, periodS);
        }

        Planning.PlannedController? plannedController = planner ? new Planning.PlannedController(options, announcements, horizonS ?? Planning.PlannerOptions.DefaultHorizonS, solver, foresight) : null;
        ReplaySite[]? sites = levers.IsEmpty ? null : [.. controllers.Select(_ => new ReplaySite(levers, peakW, options, announcements))];
        IGridController[] gridControllers = [.. controllers.Select(name => name == "planner" ? plannedController! : Controllers.Create(name, options, peakW))];
        if (levers.Flex is not null)
        {
            foreach (SmoothingController smoothing in gridControllers.OfType<SmoothingController>())
            {
                smoothing.SocBackedByLevers = true; // the flexible loads guard SoC min (docs/agents.md)
            }
        }

        double endS = (summary.Periods - 1) * periodS;
        if (plotPath is not null && plotFromS is { } fromS && fromS >= endS)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--plot-from {fromS:G6} is at or beyond the end of the trace ({endS:G6} s): nothing would be drawn."));
        }

        var session = new ReplaySession(gridControllers, battery, metricsOptions, summary.Periods, sites);
        PlotRecorder? recorder = plotPath is null ? null : new PlotRecorder(controllers, periodS, summary.Periods,
            plotFromS ?? 0, plotToS ?? ((summary.Periods - 1) * periodS), ReplayPlot.PlotWidth, sites is not null);
        string label = $"replay {summary.Name}: {string.Join(", ", controllers)}";
        void Replay(Stream? series)
        {
            using SeriesWriter? writer = series is null ? null : new SeriesWriter(series, controllers, periodS, sites);
            long k = 0, reportEvery = Math.Max(1, summary.Periods / 200);
            foreach (double loadW in TraceScan.Periods(trace.Samples(null), periodS, maxPeriods, summary.Name))
            {
                if (k >= summary.Periods)
                {
                    throw new UsageException($"{summary.Source}: the file changed while it was replayed (more periods than the first pass found).");
                }

                session.Step(loadW);
                boundLoad?.Add(loadW);
                writer?.Write(k, loadW, session.States);
                recorder?.Add(k, loadW, session.States);
                if (++k % reportEvery == 0)
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    progress.Report(label, (double)k / summary.Periods);
                }
            }

            if (k != summary.Periods)
            {
                throw new UsageException($"{summary.Source}: the file changed while it was replayed ({k} periods instead of {summary.Periods}).");
            }
        }

        try
        {
            if (seriesPath is not null)
            {
                OutputOption.Write("series", seriesPath, Replay);
            }
            else
            {
                Replay(null);
            }
        }
        catch (TraceFormatException e)
        {
            throw new UsageException($"{e.Message} (the file changed while it was replayed)", e);
        }

        progress.Done();
        GridMetrics[] results = session.Results();
        var runs = controllers.Select((name, i) => (Name: name, Metrics: results[i])).ToList();
        string table = Table(summary, periodS, options, battery, runs) + LeverTable(levers, runs, sites);
        (OutputOption.TakesStandardOutput(jsonPath, seriesPath, plotPath) ? context.Error : context.Out).Write(table);
        if (boundLoad is not null)
        {
            if (!quiet)
            {
                context.Error.WriteLine("edge replay: solving the clairvoyant bound (one LP over the whole trace)…");
            }

            double boundWh = boundLoad.SolveWh();
            string ratios = string.Join(", ", runs.Select(r => $"{r.Name} {r.Metrics.BatteryThroughputWh / boundWh:F2}×"));
            context.Error.WriteLine($"edge replay: clairvoyant bound on battery throughput {boundWh:F2} Wh (LP over {boundLoad.StepCount} steps of {boundLoad.StepS:0.###} s means, perfect foresight, the same power, energy and ramp limits); ratios: {ratios}");
        }

        if (plannedController is not null)
        {
            // Wall-clock solve times vary from run to run; they go to stderr and never into the run or the json.
            Planning.GridPlanner rounds = plannedController.Planner;
            Edge.Runtime.Statistics.HistogramSummary solve = rounds.SolveTimes.Summarize();
            context.Error.WriteLine($"edge replay: planner: {rounds.Rounds} plans, {rounds.NotOptimal} not optimal, plan tracked {plannedController.PlannedPeriods * periodS:F0} s; solve p50 {solve.P50Ns / 1e6:F2} ms, p99 {solve.P99Ns / 1e6:F2} ms, max {solve.MaxNs / 1e6:F2} ms ({rounds.Solver}, wall clock, this machine); {rounds.AllocatedBytes / Math.Max(1, rounds.Rounds)} B managed per plan (forecast and solve)");
            plannedController.Dispose();
        }
        if (seriesPath is not null)
        {
            context.Error.WriteLine($"edge replay: wrote {OutputOption.Describe(seriesPath)}");
        }

        if (jsonPath is not null)
        {
            OutputOption.Write("json", jsonPath, s => WriteJson(s, summary, periodS, options, battery, runs, sites));
            context.Error.WriteLine($"edge replay: wrote {OutputOption.Describe(jsonPath)}");
        }

        if (plotPath is not null)
        {
            var plot = new ReplayPlot.Input(
                $"edge replay — {summary.Name}",
                Subtitle(summary, periodS, options, battery),
                recorder!,
                runs.Select((r, i) => new ReplayPlot.Run(r.Name, r.Metrics, session.GridSpectrum(i))).ToList(),
                session.LoadSpectrum(),
                metricsOptions,
                options.SocMinPct,
                options.SocTargetPct,
                options.SocMaxPct);
            string doc = plotHtml ? ReplayPlot.Html(plot, table) : ReplayPlot.Svg(plot);
            OutputOption.Write("plot", plotPath, s =>
            {
                using var w = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                w.Write(doc);
            });
            context.Error.WriteLine($"edge replay: wrote {OutputOption.Describe(plotPath)}");
        }

        return ExitCodes.Ok;
    }

    private static ILoadTrace OpenTrace(string? tracePath, string? profileSpec, TraceReadOptions readOptions, double periodS, long maxPeriods)
    {
        if (tracePath is not null)
        {
            try
            {
                return TraceReader.Open(tracePath, readOptions);
            }
            catch (TraceFormatException e)
            {
                throw new UsageException(e.Message, e);
            }
        }

        try
        {
            // A profile is generated into memory at its resolution: refuse an absurd one before generating it.
            ProfileSpec spec = LoadProfiles.Check(profileSpec!);
            double durationS = spec["duration_s"];
            double samples = durationS / spec["resolution_s"];
            if (samples > MaxProfileSamples)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                    $"--profile: {durationS:G6} s at resolution_s={spec["resolution_s"]:G4} is {samples:G3} samples, more than the {MaxProfileSamples:G3} a generated profile may hold in memory; use a coarser resolution_s or a shorter duration_s."));
            }

            if (durationS / periodS > maxPeriods)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                    $"--profile: {durationS:G6} s at {periodS * 1000:G4} ms is more than the limit of {maxPeriods} periods; --max-periods N replays longer runs."));
            }

            return new ProfileTrace(profileSpec!, LoadProfiles.Create(profileSpec!), periodS);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--profile: {e.Message}", e);
        }
    }

    private static string Subtitle(TraceSummary trace, double periodS, ControllerOptions o, BatteryModelOptions b) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{trace.Format}, {trace.Periods * periodS:0.#} s at {periodS * 1000:0.##} ms, peak {PowerText(trace.PeakW)} · battery {PowerText(o.MaxDischargeW)} / {ReplayPlot.Unit.Energy(o.EnergyWh)}, latency {b.LatencyMs:0.##} ms{(o.LatencyCompensationMs > 0 ? $" (compensated {o.LatencyCompensationMs:0.##} ms)" : "")}, τ {b.TimeConstantMs:0.##} ms · ramp ↑{PowerText(o.RampUpWPerS)}/s ↓{PowerText(o.RampDownWPerS)}/s, dynamic range {PowerText(o.DynamicRangeW)}");

    private static string PowerText(double w) => ReplayPlot.Unit.Power.Format(w);

    private static string Table(TraceSummary trace, double periodS, ControllerOptions o, BatteryModelOptions b, List<(string Name, GridMetrics Metrics)> runs)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"trace      {trace.Name} ({trace.Source})");
        sb.AppendLine(Subtitle(trace, periodS, o, b));
        sb.AppendLine(CultureInfo.InvariantCulture, $"band       {runs[0].Metrics.BandLowHz:0.###}–{runs[0].Metrics.BandHighHz:0.###} Hz (native rate {trace.NativeSampleRateHz:0.##} Hz)");
        sb.AppendLine();
        string[] head = ["controller", "ramp_viol_s", "max_rise_W/s", "max_fall_W/s", "band_ratio", "peak_grid_W", "min_grid_W", "throughput_Wh", "soc_min", "soc_max", "soc_final", "saturated_s", "dyn_range_W"];
        var rows = new List<string[]> { head };
        foreach ((string name, GridMetrics m) in runs)
        {
            rows.Add(
            [
                name,
                F(m.RampViolationS, "0.###"),
                F(m.MaxRiseWPerS, "0.#"),
                F(m.MaxFallWPerS, "0.#"),
                double.IsFinite(m.BandEnergyRatio) ? m.BandEnergyRatio.ToString("0.000E+0", CultureInfo.InvariantCulture) : "n/a",
                F(m.PeakGridW, "0"),
                F(m.MinGridW, "0"),
                F(m.BatteryThroughputWh, "0.##"),
                F(m.SocMinPct, "0.0"),
                F(m.SocMaxPct, "0.0"),
                F(m.SocFinalPct, "0.0"),
                F(m.SaturatedS, "0.##"),
                F(m.DynamicRangeNeededW, "0"),
            ]);
        }

        int[] widths = new int[head.Length];
        foreach (string[] row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        foreach (string[] row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                sb.Append(c == 0 ? row[c].PadRight(widths[c]) : "  " + row[c].PadLeft(widths[c]));
            }

            sb.AppendLine();
        }

        sb.AppendLine("dyn_range_W: the dynamicRangeW that would bring ramp_viol_s to 0.");
        return sb.ToString();
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string LeverTable(SiteLevers levers, List<(string Name, GridMetrics Metrics)> runs, ReplaySite[]? sites)
    {
        if (sites is null)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"levers     {levers.Describe()}");
        for (int i = 0; i < runs.Count; i++)
        {
            LeverCosts c = sites[i].Coordinator.Costs;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"  {runs[i].Name}: flex_energy_wh {c.FlexEnergyWh:0.##} ({100 * c.FlexEnergyWh / Math.Max(1e-12, sites[i].RacksEnergyWh):0.##} % of the load's), curtailed_s {c.CurtailedS:0.##}, gpu_capped_s {c.GpuCappedS:0.##}, gpu_energy_lost_wh {c.GpuEnergyLostWh:0.##}");
        }

        return sb.ToString();
    }

    private static void WriteJson(Stream s, TraceSummary trace, double periodS, ControllerOptions o, BatteryModelOptions b, List<(string Name, GridMetrics Metrics)> runs, ReplaySite[]? sites)
    {
        using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartObject("trace");
        w.WriteString("name", trace.Name);
        w.WriteString("source", trace.Source);
        w.WriteString("format", trace.Format);
        w.WriteNumber("samples", trace.Samples);
        w.WriteNumber("duration_s", trace.DurationS);
        w.WriteNumber("native_sample_rate_hz", trace.NativeSampleRateHz);
        w.WriteNumber("period_ms", periodS * 1000);
        w.WriteNumber("periods", trace.Periods);
        w.WriteNumber("peak_w", trace.PeakW);
        w.WriteNumber("mean_w", trace.MeanW);
        w.WriteNumber("min_w", trace.MinW);
        w.WriteStartArray("warnings");
        foreach (string warning in trace.Warnings)
        {
            w.WriteStringValue(warning);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("battery");
        w.WriteNumber("power_w", o.MaxDischargeW);
        w.WriteNumber("energy_wh", o.EnergyWh);
        w.WriteNumber("latency_ms", b.LatencyMs);
        w.WriteNumber("latency_compensation_ms", o.LatencyCompensationMs);
        w.WriteNumber("time_constant_ms", b.TimeConstantMs);
        w.WriteNumber("charge_efficiency", o.ChargeEfficiency);
        w.WriteNumber("discharge_efficiency", o.DischargeEfficiency);
        w.WriteEndObject();
        w.WriteStartObject("limits");
        w.WriteNumber("ramp_up_w_per_s", o.RampUpWPerS);
        w.WriteNumber("ramp_down_w_per_s", o.RampDownWPerS);
        w.WriteNumber("ramp_window_s", o.RampWindowS);
        w.WriteNumber("dynamic_range_w", o.DynamicRangeW);
        w.WriteNumber("band_low_hz", runs[0].Metrics.BandLowHz);
        w.WriteNumber("band_high_hz", runs[0].Metrics.BandHighHz);
        WriteNumberOrNull(w, "grid_cap_w", o.GridCapW);
        WriteNumberOrNull(w, "grid_floor_w", o.GridFloorW);
        w.WriteNumber("soc_min_pct", o.SocMinPct);
        w.WriteNumber("soc_target_pct", o.SocTargetPct);
        w.WriteNumber("soc_max_pct", o.SocMaxPct);
        w.WriteEndObject();
        w.WriteStartArray("results");
        for (int r = 0; r < runs.Count; r++)
        {
            (string name, GridMetrics m) = runs[r];
            w.WriteStartObject();
            w.WriteString("controller", name);
            w.WriteNumber("max_rise_w_per_s", m.MaxRiseWPerS);
            w.WriteNumber("max_fall_w_per_s", m.MaxFallWPerS);
            w.WriteNumber("ramp_violation_s", m.RampViolationS);
            WriteNumberOrNull(w, "band_energy_ratio", m.BandEnergyRatio);
            w.WriteNumber("peak_grid_w", m.PeakGridW);
            w.WriteNumber("min_grid_w", m.MinGridW);
            w.WriteNumber("battery_throughput_wh", m.BatteryThroughputWh);
            w.WriteNumber("soc_min_pct", m.SocMinPct);
            w.WriteNumber("soc_max_pct", m.SocMaxPct);
            w.WriteNumber("soc_final_pct", m.SocFinalPct);
            w.WriteNumber("saturated_s", m.SaturatedS);
            w.WriteNumber("dynamic_range_needed_w", m.DynamicRangeNeededW);
            if (sites is not null)
            {
                LeverCosts c = sites[r].Coordinator.Costs;
                w.WriteStartObject("levers");
                w.WriteNumber("flex_energy_wh", c.FlexEnergyWh);
                w.WriteNumber("curtailed_s", c.CurtailedS);
                w.WriteNumber("gpu_capped_s", c.GpuCappedS);
                w.WriteNumber("gpu_energy_lost_wh", c.GpuEnergyLostWh);
                w.WriteNumber("racks_energy_wh", sites[r].RacksEnergyWh);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>Maximum samples of a generated profile (it is held in memory, 8 B each).</summary>
    private const double MaxProfileSamples = 1 << 25;

    /// <summary>
    /// The daemon's configuration sections and replay's own <c>Battery</c> (a daemon's configuration file can be given
    /// as it is; only <c>Controller</c> and <c>Battery</c> are used).
    /// </summary>
    /// <summary>
    /// Keys of <see cref="ConfigSections"/> that replay sets from one other source, so they are refused rather than read
    /// and overwritten: the modelled battery is the battery the controller is told of (Controller section, or the
    /// --battery-* flags), it starts at the SoC target, and the period is --period-ms.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> ConfigSetElsewhere = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Controller:PeriodMs"] = "replay's period is --period-ms (default 10)",
        ["Battery:EnergyWh"] = "the modelled battery is the one the controller is told of: set Controller:EnergyWh or --battery-energy-wh",
        ["Battery:MaxChargeW"] = "the modelled battery is the one the controller is told of: set Controller:MaxChargeW or --battery-power-w",
        ["Battery:MaxDischargeW"] = "the modelled battery is the one the controller is told of: set Controller:MaxDischargeW or --battery-power-w",
        ["Battery:ChargeEfficiency"] = "the modelled battery is the one the controller is told of: set Controller:ChargeEfficiency",
        ["Battery:DischargeEfficiency"] = "the modelled battery is the one the controller is told of: set Controller:DischargeEfficiency",
        ["Battery:InitialSocPct"] = "every replay starts at the SoC target: set Controller:SocTargetPct",
    };

    private static readonly IReadOnlyDictionary<string, Type> ConfigSections =
        new Dictionary<string, Type>(RunCommand.Sections, StringComparer.OrdinalIgnoreCase) { ["Battery"] = typeof(BatteryModelOptions) };
}
