using Edge.Runtime.Realtime;
using Edge.Runtime.Statistics;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Scheduling;

/// <summary>
/// The fixed-budget cyclic executive (docs/DESIGN.md §3): one dedicated thread that sleeps until absolute release times
/// <c>start + k·period</c> and then runs the caller's <see cref="IControlCycle"/> phase by phase, timing each phase
/// against its budget.
/// <para>Deadline rules, in one place:</para>
/// <list type="bullet">
/// <item>A cycle's deadline is the next release. A cycle that ends after it is an <b>overrun</b> (a missed deadline).</item>
/// <item>After an overrun the schedule <b>skips ahead</b> to the first release still in the future; the slots passed
/// over are counted as <b>missed slots</b>. There is never a burst of catch-up cycles, and the grid of release times
/// is kept (no drift).</item>
/// <item><see cref="LoopOptions.FaultAfterConsecutiveMisses"/> overruns in a row raise the <b>deadline fault</b>
/// (<see cref="IControlCycle.OnDeadlineFault"/> on the loop thread, <see cref="FaultActive"/> for everyone else);
/// <see cref="LoopOptions.FaultClearAfterCycles"/> cycles in a row on time clear it.</item>
/// <item>Each phase over its budget counts a <b>budget overrun</b> for that phase (it is not itself a miss).</item>
/// </list>
/// The loop body allocates nothing, takes no lock and makes no call but the sleeper's and the clock's; statistics are
/// written by this thread only (<see cref="LoopStatistics"/>).
/// </summary>
public sealed class CyclicExecutive : IDisposable
{
    private readonly IControlCycle _cycle;
    private readonly IDeadlineSleeper _sleeper;
    private readonly IMonotonicClock _clock;
    private readonly long _periodNs;
    private readonly int _faultAfter;
    private readonly int _clearAfter;
    private readonly RealtimeOptions _realtime;
    private readonly IRealtimeOs _os;
    private readonly ManualResetEventSlim _started = new();
    private readonly ManualResetEventSlim _finished = new();

    private Thread? _thread;
    private RealtimeSession? _session;
    private volatile bool _stopRequested;
    private volatile bool _resetRequested;
    private bool _scheduled;
    private long _nextReleaseNs;
    private long _sequence;
    private long _skippedBeforeNext;
    private long _onTimeStreak;
    private bool _faultActive;
    private long _allocationBase;
    private Exception? _failure;

    /// <summary>Creates the executive. Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    /// <param name="cycle">The phases to run.</param>
    /// <param name="options">Period, budgets, fault thresholds.</param>
    /// <param name="sleeper">Absolute-deadline sleeper (its clock is the loop's clock); the executive owns it.</param>
    /// <param name="realtime">Real-time setup applied by <see cref="Start"/> (none when null).</param>
    /// <param name="os">System calls for the real-time setup (Linux when null).</param>
    public CyclicExecutive(IControlCycle cycle, LoopOptions options, IDeadlineSleeper sleeper, RealtimeOptions? realtime = null, IRealtimeOs? os = null)
    {
        ArgumentNullException.ThrowIfNull(cycle);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sleeper);
        var errors = new List<Core.OptionError>(options.Validate());
        _realtime = realtime?.Clone() ?? new RealtimeOptions { SustainedLowLatencyGc = false };
        errors.AddRange(_realtime.Validate());
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _cycle = cycle;
        _sleeper = sleeper;
        _clock = sleeper.Clock;
        _os = os ?? LinuxRealtimeOs.Instance;
        _periodNs = options.PeriodNs;
        _faultAfter = options.FaultAfterConsecutiveMisses;
        _clearAfter = options.FaultClearAfterCycles;
        Span<long> budgets = stackalloc long[LoopPhases.Count];
        for (int i = 0; i < LoopPhases.Count; i++)
        {
            budgets[i] = options.BudgetNs((LoopPhase)i);
        }

        Statistics = new LoopStatistics(_periodNs, budgets);
    }

    /// <summary>Loop period, ns.</summary>
    public long PeriodNs => _periodNs;

    /// <summary>The loop's clock.</summary>
    public IMonotonicClock Clock => _clock;

    /// <summary>Name of the sleeper in use.</summary>
    public string SleeperName => _sleeper.Name;

    /// <summary>Deadline statistics (written by the loop thread; read from anywhere).</summary>
    public LoopStatistics Statistics { get; }

    /// <summary>True while the deadline fault is raised.</summary>
    public bool FaultActive => Statistics.ReadCounters().FaultActive;

    /// <summary>
    /// Every missed deadline, newest last, for diagnosis and alarms (one consumer drains it). When nobody drains it,
    /// the first 256 are kept and later ones are counted as dropped: the loop never waits for this.
    /// </summary>
    public Handoff.SpscRing<OverrunEvent> OverrunEvents { get; } = new(256);

    /// <summary>Real-time setup report (after <see cref="Start"/> returned; null before).</summary>
    public RealtimeReport? RealtimeReport { get; private set; }

    /// <summary>The exception that stopped the loop thread, if any.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>True once the loop thread has ended (stopped, finished its cycles, or failed).</summary>
    public bool HasFinished => _finished.IsSet;

    /// <summary>
    /// Applies the real-time setup, starts the loop thread and returns once the thread has set itself up (the report is
    /// then in <see cref="RealtimeReport"/>). The thread runs <paramref name="warmupCycles"/> cycles, resets the
    /// statistics, then <paramref name="cycles"/> more (<see cref="long.MaxValue"/>: until <see cref="Stop"/>).
    /// </summary>
    public RealtimeReport Start(long cycles = long.MaxValue, long warmupCycles = 0)
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException("The loop is already started.");
        }

        _session = RealtimeSetup.ApplyProcess(_realtime, _os);
        var report = new RealtimeReport();
        _thread = new Thread(() => ThreadMain(report, cycles, warmupCycles))
        {
            Name = "edge-loop",
            IsBackground = true,
        };
        _thread.Start();
        _started.Wait();
        report.AddRange(_session.Report);
        RealtimeReport = report;
        return report;
    }

    /// <summary>Waits for the loop thread to finish its cycles. Returns false on timeout.</summary>
    public bool Wait(TimeSpan timeout) => _finished.Wait(timeout);

    /// <summary>Asks the loop to stop after the current cycle and waits for it (at most about one period).</summary>
    public void Stop()
    {
        _stopRequested = true;
        _thread?.Join();
        _session?.Dispose();
        _session = null;
    }

    /// <summary>Asks the loop thread to reset the statistics at the start of its next cycle.</summary>
    public void RequestStatisticsReset() => _resetRequested = true;

    /// <summary>
    /// Runs up to <paramref name="count"/> cycles on the CALLING thread (tests on virtual time, or a caller that owns
    /// its thread); returns the number run. Stops early when <see cref="Stop"/> is requested or
    /// <paramref name="cancellation"/> fires (checked once per cycle, without allocating).
    /// </summary>
    public long RunCycles(long count, CancellationToken cancellation = default)
    {
        if (!_scheduled)
        {
            _scheduled = true;
            _nextReleaseNs = _clock.NowNs + _periodNs;
            _allocationBase = GC.GetAllocatedBytesForCurrentThread();
        }

        long run = 0;
        while (run < count && !_stopRequested && !cancellation.IsCancellationRequested)
        {
            if (_resetRequested)
            {
                _resetRequested = false;
                Statistics.Reset();
                _allocationBase = GC.GetAllocatedBytesForCurrentThread();
            }

            RunOneCycle();
            run++;
        }

        return run;
    }

    private void RunOneCycle()
    {
        long releaseNs = _nextReleaseNs;
        _sleeper.SleepUntil(releaseNs);
        long wakeNs = _clock.NowNs;
        var info = new CycleInfo(_sequence, releaseNs, wakeNs, _periodNs, _skippedBeforeNext);

        long t0 = wakeNs;
        _cycle.Sample(in info);
        long t1 = _clock.NowNs;
        Statistics.RecordPhase(0, t1 - t0);
        _cycle.Decide(in info);
        long t2 = _clock.NowNs;
        Statistics.RecordPhase(1, t2 - t1);
        _cycle.Allocate(in info);
        long t3 = _clock.NowNs;
        Statistics.RecordPhase(2, t3 - t2);
        _cycle.Actuate(in info);
        long t4 = _clock.NowNs;
        Statistics.RecordPhase(3, t4 - t3);
        CycleInfo handOff = info with { ComputeNs = t4 - wakeNs };
        _cycle.HandOff(in handOff);
        long endNs = _clock.NowNs;
        Statistics.RecordPhase(4, endNs - t4);

        // Deadline = next release. Overran → skip to the first release still ahead, keeping the release grid.
        long nextNs = releaseNs + _periodNs;
        bool overran = endNs > nextNs;
        long skipped = 0;
        if (overran)
        {
            // Ended after release + k·period (k ≥ 1): the k releases after this one have passed unused.
            long periodsLate = (endNs - releaseNs) / _periodNs; // k ≥ 1
            nextNs = releaseNs + ((periodsLate + 1) * _periodNs);
            skipped = periodsLate;
            if (endNs == releaseNs + (periodsLate * _periodNs))
            {
                // Ended exactly on a release: that slot is still usable.
                nextNs -= _periodNs;
                skipped--;
            }
        }

        if (overran)
        {
            PublishOverrun(in info, endNs, skipped, t1 - t0, t2 - t1, t3 - t2, t4 - t3, endNs - t4);
        }

        _nextReleaseNs = nextNs;
        _skippedBeforeNext = skipped;
        _sequence++;
        Statistics.RecordCycle(wakeNs - releaseNs, endNs - wakeNs, endNs, overran, skipped,
            GC.GetAllocatedBytesForCurrentThread() - _allocationBase);
        UpdateFault(overran, in info);
    }

    private void PublishOverrun(in CycleInfo info, long endNs, long skipped, long sampleNs, long decideNs, long allocateNs, long actuateNs, long handOffNs)
    {
        LoopPhase slowest = LoopPhase.Sample;
        long slowestNs = sampleNs;
        Slower(LoopPhase.Decide, decideNs, ref slowest, ref slowestNs);
        Slower(LoopPhase.Allocate, allocateNs, ref slowest, ref slowestNs);
        Slower(LoopPhase.Actuate, actuateNs, ref slowest, ref slowestNs);
        Slower(LoopPhase.HandOff, handOffNs, ref slowest, ref slowestNs);
        OverrunEvents.TryWrite(new OverrunEvent(info.Sequence, info.ReleaseNs, info.LatenessNs, endNs - info.WakeNs, skipped, slowest, slowestNs));

        static void Slower(LoopPhase phase, long ns, ref LoopPhase slowest, ref long slowestNs)
        {
            if (ns > slowestNs)
            {
                slowest = phase;
                slowestNs = ns;
            }
        }
    }

    private void UpdateFault(bool overran, in CycleInfo info)
    {
        if (overran)
        {
            _onTimeStreak = 0;
            if (!_faultActive && Statistics.ReadCounters().ConsecutiveMisses >= _faultAfter)
            {
                _faultActive = true;
                Statistics.SetFault(true);
                _cycle.OnDeadlineFault(true, in info);
            }
        }
        else if (_faultActive && ++_onTimeStreak >= _clearAfter)
        {
            _faultActive = false;
            Statistics.SetFault(false);
            _cycle.OnDeadlineFault(false, in info);
        }
    }

    private void ThreadMain(RealtimeReport report, long cycles, long warmupCycles)
    {
        try
        {
            report.AddRange(RealtimeSetup.ApplyThread(_realtime, _os));
        }
        catch (Exception e)
        {
            report.Add(new RealtimeItem("thread setup", RealtimeOutcome.Failed, e.Message));
        }
        finally
        {
            _started.Set();
        }

        try
        {
            if (warmupCycles > 0)
            {
                RunCycles(warmupCycles);
                RequestStatisticsReset();
            }

            RunCycles(cycles);
        }
        catch (Exception e)
        {
            // An exception from a phase is a bug: record it so the owner sees why the loop stopped.
            Volatile.Write(ref _failure, e);
        }
        finally
        {
            _finished.Set();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        _sleeper.Dispose();
        _started.Dispose();
        _finished.Dispose();
    }
}
