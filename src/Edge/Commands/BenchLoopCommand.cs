using System.Globalization;
using Edge.Bench;
using Edge.Cli;
using Edge.Simulation.Profiles;
using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Runtime.Cycle;
using Edge.Runtime.Realtime;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Statistics;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Commands;

/// <summary>
/// <c>edge bench loop</c> (docs/DESIGN.md §6): the real cyclic executive with the real smoothing controller and a simulated
/// rig — profile-driven rack sensors read in the sample phase, a slow site meter on its own sampler thread, battery
/// inverters with their own I/O workers behind mailboxes, a publisher draining the hand-off ring and formatting JSON,
/// and a logger — for N cycles at a given period. Prints lateness and compute percentiles, overruns, bytes allocated
/// on the loop thread, GC pause time and the sample-to-setpoint latency; <c>--json</c> writes them.
/// </summary>
internal sealed class BenchLoopCommand : ICommand
{
    public string Name => "bench loop";

    public string Summary => "Runs the real control loop on a simulated rig and reports its timing.";

    public string Usage => """
        edge bench loop [--period-ms 1] [--cycles 10000] [--json OUT.json] [options]

        Runs the real cyclic executive + smoothing controller against a simulated rig with production-like
        background threads, then reports wake-up lateness and compute percentiles, overruns, allocated bytes per
        cycle on the loop thread, GC pause time and sample-to-setpoint latency.

          --period-ms MS        loop period (0.1–1000, default 1)
          --cycles N            measured cycles (default 10000)
          --warmup-cycles N     cycles run first and not measured (default 2000)
          --json FILE           write the results as JSON (docs/DESIGN.md §6 shape plus extra fields)
          --racks N             simulated rack sensors (default 8)
          --inverters N         simulated inverters (default 2)
          --sleeper KIND        auto | timerfd | nanosleep | portable (default auto = timerfd on Linux)
          --spin-tail-us US     wake this much early and spin to the deadline (default 0)
          --priority P          SCHED_FIFO priority of the loop thread, 0 = normal scheduling (default 80)
          --cpu N               pin the loop thread to CPU N (default: unpinned)
          --other-cpus LIST     keep the process's other threads on these CPUs, e.g. 0 (default: leave)
          --no-mlock            do not lock memory (mlockall MCL_ONFAULT)
          --no-dma-latency      do not hold /dev/cpu_dma_latency at 0
          --no-gc-mode          do not switch the GC to SustainedLowLatency
          --no-background       no publisher/logger threads (the loop and the rig only)
          --garbage-mb-per-s R  an extra thread allocating R MB/s of short-lived arrays (default 0)
          --trace-runtime       record the runtime's execution-engine suspensions and match them to overruns
        """;

    public IReadOnlySet<string> Switches { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "no-mlock", "no-dma-latency", "no-gc-mode", "no-background", "trace-runtime",
    };

    public int Run(CommandArgs args, CommandContext context)
    {
        double periodMs = args.Double("period-ms", 0.1, 1000) ?? 1;
        long cycles = args.Long("cycles", 1, 1_000_000_000) ?? 10_000;
        long warmup = args.Long("warmup-cycles", 0, 1_000_000_000) ?? 2_000;
        string? jsonPath = args.String("json");
        int racks = (int)(args.Long("racks", 1, 256) ?? 8);
        int inverterCount = (int)(args.Long("inverters", 1, 64) ?? 2);
        string sleeperText = args.String("sleeper") ?? "auto";
        double spinTailUs = args.Double("spin-tail-us", 0, 100_000) ?? 0;
        var realtime = new RealtimeOptions
        {
            FifoPriority = (int)(args.Long("priority", 0, 99) ?? 80),
            Cpu = (int)(args.Long("cpu", -1, 1023) ?? -1),
            OtherThreadsCpus = args.String("other-cpus") ?? "",
            LockMemory = !args.Has("no-mlock"),
            HoldDmaLatencyZero = !args.Has("no-dma-latency"),
            SustainedLowLatencyGc = !args.Has("no-gc-mode"),
        };
        bool background = !args.Has("no-background");
        double garbageMbPerS = args.Double("garbage-mb-per-s", 0, 10_000) ?? 0;
        bool traceRuntime = args.Has("trace-runtime");
        args.ThrowOnUnused();

        if (!DeadlineSleepers.TryParse(sleeperText, out SleeperKind sleeperKind))
        {
            throw new UsageException($"Option --sleeper: '{sleeperText}' is not one of auto, timerfd, nanosleep, portable.");
        }

        var realtimeErrors = realtime.Validate();
        if (realtimeErrors.Count > 0)
        {
            throw new UsageException(string.Join(" ", realtimeErrors));
        }

        OutputOption.Check("json", jsonPath);

        IDeadlineSleeper sleeper;
        try
        {
            sleeper = DeadlineSleepers.Create(sleeperKind, (long)(spinTailUs * 1e3));
        }
        catch (PlatformNotSupportedException e)
        {
            throw new UsageException($"Option --sleeper {sleeperText}: {e.Message}");
        }

        var setup = new Setup(periodMs, cycles, warmup, racks, inverterCount, realtime, background, garbageMbPerS, traceRuntime);
        return RunBench(context, setup, sleeper, jsonPath);
    }

    private static int RunBench(CommandContext context, Setup setup, IDeadlineSleeper sleeper, string? jsonPath)
    {
        IMonotonicClock clock = sleeper.Clock;
        long epochNs = clock.NowNs;
        double periodS = setup.PeriodMs * 1e-3;

        // The simulated cluster: racks of 10 kW peak; inverters sized to 75 % of the peak, 40 min of their power.
        double peakW = 10_000.0 * setup.Racks;
        // The AI-training load (iterations, checkpoints, job starts and ends) over the simulated cluster.
        ILoadProfile profile = LoadProfiles.Create(FormattableString.Invariant($"ai-training:peak_w={peakW},duration_s=600,seed=1"));
        var sensors = new IPowerSensor[setup.Racks];
        for (int i = 0; i < setup.Racks; i++)
        {
            sensors[i] = new ProfilePowerSensor($"rack{i + 1}", profile, 1.0 / setup.Racks, clock, epochNs);
        }

        double inverterPowerW = Math.Ceiling(peakW * 0.75 / setup.Inverters / 1000) * 1000;
        double inverterEnergyWh = inverterPowerW * 2 / 3;
        var inverters = new SimulatedInverter[setup.Inverters];
        for (int i = 0; i < setup.Inverters; i++)
        {
            inverters[i] = new SimulatedInverter($"inv{i + 1}", new BatteryModelOptions
            {
                EnergyWh = inverterEnergyWh,
                MaxChargeW = inverterPowerW,
                MaxDischargeW = inverterPowerW,
                TimeConstantMs = 20,
                InitialSocPct = 50,
            }, clock, periodS);
        }

        using var siteMeter = new SampledSiteMeter(profile, inverters, clock, epochNs, intervalMs: 50);
        var controller = new SmoothingController(new ControllerOptions
        {
            PeriodMs = setup.PeriodMs,
            RampUpWPerS = peakW * 0.02,
            RampDownWPerS = peakW * 0.02,
            EnergyWh = inverterEnergyWh * setup.Inverters,
            MaxChargeW = inverterPowerW * setup.Inverters,
            MaxDischargeW = inverterPowerW * setup.Inverters,
        });
        var cycle = new ControlCycle(sensors, inverters, controller, siteMeter, emergencyStop: null, handOffCapacity: 4096);
        using var executive = new CyclicExecutive(cycle, new LoopOptions { PeriodMs = setup.PeriodMs }, sleeper, setup.Realtime);
        using var metrics = new LoopMetrics(executive.Statistics, "bench"); // dotnet-counters monitor -n edge --counters Edge.Runtime
        using var publisher = setup.Background ? new BenchPublisher(cycle, executive.Statistics) : null;
        using var tracer = setup.TraceRuntime ? new RuntimeSuspensionTracer(clock) : null;
        using var allocators = setup.Background ? new BackgroundAllocators(executive.Statistics, setup.GarbageMbPerS) : null;

        try
        {
            foreach (SimulatedInverter i in inverters)
            {
                i.Start();
            }

            siteMeter.Start();
            publisher?.Start();
            allocators?.Start();

            // Wait for the rig's first state so the controller starts from real measurements.
            SpinWait.SpinUntil(() => siteMeter.TryRead(out _), TimeSpan.FromSeconds(5));

            RealtimeReport report = executive.Start(setup.Cycles, setup.Warmup);
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"edge bench loop: {setup.Warmup} warm-up + {setup.Cycles} cycles at {setup.PeriodMs} ms on {executive.SleeperName}; real-time setup:"));
            foreach (RealtimeItem item in report.Items)
            {
                context.Error.WriteLine($"  {item}");
            }

            // GC figures cover the measured part only: wait for the warm-up to end first.
            long measuredStartNs = WaitForWarmup(executive, setup, context);
            TimeSpan pauseBefore = GC.GetTotalPauseDuration();
            int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            var overruns = new List<OverrunEvent>();
            DrainOverruns(executive, measuredStartNs, overruns);
            ShowProgress(executive, setup.Cycles, context, () => DrainOverruns(executive, measuredStartNs, overruns));
            if (context.Cancellation.IsCancellationRequested)
            {
                context.Error.WriteLine("edge bench loop: cancelled; the results cover the cycles run so far.");
            }

            executive.Stop();
            double durationS = (clock.NowNs - measuredStartNs) * 1e-9;
            TimeSpan pause = GC.GetTotalPauseDuration() - pauseBefore;
            int[] collections = [GC.CollectionCount(0) - collectionsBefore[0], GC.CollectionCount(1) - collectionsBefore[1], GC.CollectionCount(2) - collectionsBefore[2]];
            LoopStatsSnapshot loop = executive.Statistics.Snapshot();
            publisher?.Dispose();
            foreach (SimulatedInverter i in inverters)
            {
                i.Dispose();
            }

            if (executive.Failure is { } failure)
            {
                context.Error.WriteLine($"edge bench loop: the loop thread failed: {failure}");
                return ExitCodes.Failed;
            }

            var result = new LoopBenchResult
            {
                PeriodMs = setup.PeriodMs,
                WarmupCycles = setup.Warmup,
                Sleeper = executive.SleeperName,
                Loop = loop,
                SampleToSetpoint = Merge(inverters),
                GcPauseMs = pause.TotalMilliseconds,
                GcCollections = collections,
                HandOffDropped = cycle.HandOffRing.Dropped,
                PublishedMessages = publisher?.Messages ?? 0,
                DurationS = durationS,
                Realtime = report,
                Load = profile.Description,
                Overruns = DrainOverruns(executive, measuredStartNs, overruns),
                MeasuredStartNs = measuredStartNs,
                LateCounts = LateCounts(executive.Statistics.Lateness, setup.PeriodMs),
            };
            TextWriter table = OutputOption.TakesStandardOutput(jsonPath) ? context.Error : context.Out;
            result.WriteText(table);
            if (tracer is not null)
            {
                ReportSuspensions(table, tracer.Suspensions, result.Overruns, measuredStartNs, (long)(setup.PeriodMs * 1e6));
            }

            if (jsonPath is not null)
            {
                OutputOption.Write("json", jsonPath, result.WriteJson);
                context.Error.WriteLine($"edge bench loop: wrote {OutputOption.Describe(jsonPath)}");
            }

            if (loop.Counters.AllocatedBytes != 0)
            {
                context.Error.WriteLine($"edge bench loop: WARNING: the loop thread allocated {loop.Counters.AllocatedBytes} bytes in steady state.");
            }

            return ExitCodes.Ok;
        }
        finally
        {
            executive.Stop();
            foreach (SimulatedInverter i in inverters)
            {
                i.Dispose();
            }
        }
    }

    private static long WaitForWarmup(CyclicExecutive executive, Setup setup, CommandContext context)
    {
        // The loop resets its statistics itself when the warm-up ends (cycle count restarts from 0); wait that long.
        long warmupEndsNs = executive.Clock.NowNs + (long)((setup.Warmup + 1) * setup.PeriodMs * 1e6);
        while (executive.Clock.NowNs < warmupEndsNs && !executive.HasFinished && !context.Cancellation.IsCancellationRequested)
        {
            Thread.Sleep(10);
        }

        return executive.Clock.NowNs;
    }

    private static void ShowProgress(CyclicExecutive executive, long cycles, CommandContext context, Action everyTick)
    {
        TextWriter e = context.Error;
        TimeSpan every = context.ErrorIsTerminal ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);
        while (!executive.Wait(every) && !context.Cancellation.IsCancellationRequested)
        {
            everyTick();
            LoopCounters c = executive.Statistics.ReadCounters();
            HistogramSummary lateness = executive.Statistics.Lateness.Summarize();
            string line = string.Create(CultureInfo.InvariantCulture,
                $"  {c.Cycles,10}/{cycles} cycles ({100.0 * c.Cycles / cycles,5:0.0} %)  lateness p99 {lateness.P99Us,7:0.0} µs  max {lateness.MaxUs,8:0.0} µs  overruns {c.Overruns}");
            if (context.ErrorIsTerminal)
            {
                e.Write("\r" + line);
            }
            else
            {
                e.WriteLine(line);
            }
        }

        if (context.ErrorIsTerminal)
        {
            e.WriteLine();
        }
    }

    private static void ReportSuspensions(TextWriter o, List<RuntimeSuspensionTracer.Suspension> all, IReadOnlyList<OverrunEvent> overruns, long measuredStartNs, long periodNs)
    {
        var measured = all.Where(s => s.BeginNs >= measuredStartNs).ToList();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"runtime suspensions while measuring: {measured.Count} (max {(measured.Count == 0 ? 0 : measured.Max(s => s.DurationUs)):0} µs; by reason: {string.Join(", ", measured.GroupBy(s => s.Reason).Select(g => $"{g.Key} {g.Count()}"))})"));
        int explained = 0;
        foreach (OverrunEvent e in overruns)
        {
            // A suspension explains an overrun when it overlaps the interval from the cycle's release to its end (± 2 ms for timestamp skew).
            long endNs = e.ReleaseNs + e.LatenessNs + e.ComputeNs;
            if (measured.Exists(s => s.BeginNs <= endNs + 2_000_000 && s.BeginNs + (long)(s.DurationUs * 1e3) >= e.ReleaseNs - periodNs - 2_000_000))
            {
                explained++;
            }
        }

        o.WriteLine($"overruns overlapping a runtime suspension: {explained} of {overruns.Count}");
    }

    private static List<(long ThresholdUs, long Count)> LateCounts(LatencyHistogram lateness, double periodMs)
    {
        // Thresholds relative to the period; counts are exact at bucket boundaries and within 1.6 % of the threshold otherwise.
        var counts = new List<(long, long)>();
        foreach (double fraction in (ReadOnlySpan<double>)[0.5, 0.9, 1.0, 2.0])
        {
            long thresholdUs = (long)Math.Round(periodMs * 1000 * fraction);
            counts.Add((thresholdUs, lateness.CountAtOrAbove(thresholdUs * 1000)));
        }

        return counts;
    }

    private static List<OverrunEvent> DrainOverruns(CyclicExecutive executive, long measuredStartNs, List<OverrunEvent> events)
    {
        while (executive.OverrunEvents.TryRead(out OverrunEvent e))
        {
            if (e.ReleaseNs >= measuredStartNs)
            {
                events.Add(e);
            }
        }

        return events;
    }

    private static HistogramSummary Merge(SimulatedInverter[] inverters)
    {
        long[] total = new long[LatencyHistogram.BucketCount];
        long[] one = new long[LatencyHistogram.BucketCount];
        long maxNs = 0;
        double sumNs = 0;
        long count = 0;
        foreach (SimulatedInverter i in inverters)
        {
            i.SampleToWire.CopyCountsTo(one);
            for (int b = 0; b < one.Length; b++)
            {
                total[b] += one[b];
            }

            HistogramSummary s = i.SampleToWire.Summarize();
            maxNs = Math.Max(maxNs, s.MaxNs);
            sumNs += s.MeanNs * s.Count;
            count += s.Count;
        }

        if (count == 0)
        {
            return default;
        }

        return new HistogramSummary(
            count,
            Math.Min(maxNs, LatencyHistogram.ValueAtQuantile(total, 0.5)),
            Math.Min(maxNs, LatencyHistogram.ValueAtQuantile(total, 0.99)),
            Math.Min(maxNs, LatencyHistogram.ValueAtQuantile(total, 0.999)),
            maxNs,
            sumNs / count);
    }

    private sealed record Setup(double PeriodMs, long Cycles, long Warmup, int Racks, int Inverters, RealtimeOptions Realtime, bool Background, double GarbageMbPerS, bool TraceRuntime);
}
