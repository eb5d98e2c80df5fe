using Edge.Core.Control;
using Edge.Core.Forecast;
using Edge.Core.Timing;
using Edge.Daemon;
using Edge.Runtime.Handoff;

namespace Edge.Planning;

/// <summary>
/// The grid planner of <c>edge run</c> (issue 16, docs/planner.md): its own thread beside the loop, never inside a
/// period. Every <see cref="PlannerOptions.IntervalS"/> it drains the periods the hand-off consumer gave it
/// (<see cref="Samples"/>, bounded and non-blocking: the producer drops when full) and the phase announcements the agent
/// registry gave it, runs one <see cref="GridPlanner"/> round and writes the plan — reference + slope from the newest
/// period, valid for two intervals — to the loop's latest-value mailbox (<c>ControlCycle.Plans</c>). No fresh period, a
/// mode other than auto, an unknown SoC, a failed solve or an error hand over nothing: the last plan lapses and the smoothing controller's own
/// reference takes over, bumplessly (<see cref="GridPlan"/>). Allocation-free per round once warm (figures:
/// <see cref="Figures"/>).
/// </summary>
public sealed class DaemonPlanner : IDisposable
{
    private readonly GridPlanner _planner;
    private readonly LatestValueMailbox<GridPlan> _plans;
    private readonly IMonotonicClock _clock;
    private readonly double _socTargetPct;
    private readonly long _intervalNs;
    private readonly long _validNs;
    private readonly AnnouncementHandOff _announcements = new();
    private readonly ManualResetEventSlim _stop = new(false);
    private readonly Action<string>? _warn;
    private Thread? _thread;
    private long _plansMade;
    private long _skipped;
    private int _periodsSeen;
    private PlannerSample _last;
    private PlannerSample _previous;
    private bool _warned;

    /// <summary>Builds the planner's forecast and programme with its solver (with GLOP, a missing native library throws here, not in a round).</summary>
    /// <param name="controller">The controller's options: the programme's limits and the SoC target.</param>
    /// <param name="options">Horizon and interval.</param>
    /// <param name="clock">The monotonic clock of the loop.</param>
    /// <param name="plans">The loop's plan mailbox.</param>
    /// <param name="warn">Where a round's error is said (once).</param>
    public DaemonPlanner(ControllerOptions controller, PlannerOptions options, IMonotonicClock clock, LatestValueMailbox<GridPlan> plans, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(options);
        _planner = new GridPlanner(controller, options.HorizonS, options.IntervalS, solver: options.Solver);
        _plans = plans ?? throw new ArgumentNullException(nameof(plans));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _socTargetPct = controller.SocTargetPct;
        _intervalNs = (long)(options.IntervalS * 1e9);
        _validNs = 2 * _intervalNs;
        _warn = warn;

        // A round reads at most one interval of periods; room for four (a late round) at a 1 ms period.
        Samples = new SpscRing<PlannerSample>((int)Math.Min(1 << 16, Math.Max(1024, 4 * options.IntervalS * 1000)));
    }

    /// <summary>The periods, one per control period: written by the hand-off ring's consumer only.</summary>
    public SpscRing<PlannerSample> Samples { get; }

    /// <summary>The figures after each round, for one reader: the state publisher.</summary>
    public LatestValueMailbox<PlannerFigures> Figures { get; } = new();

    /// <summary>
    /// Agent registry's thread (the one producer): hands over the announcements not handed over before (an announcement
    /// repeated with the same id and receive time is the same one; a new one with a known id replaces it in the forecast).
    /// </summary>
    public void OfferAnnouncements(IReadOnlyList<AnnouncedPhase> announcements)
    {
        _announcements.Offer(announcements);
    }

    /// <summary>Starts the planner thread (first round one interval from now).</summary>
    public void Start()
    {
        if (_thread is not null)
        {
            return;
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "planner" };
        _thread.Start();
    }

    /// <summary>Stops the thread (waits up to 2 s for the round in progress); the last plan lapses by itself.</summary>
    public void Stop()
    {
        _stop.Set();
        _thread?.Join(TimeSpan.FromSeconds(2));
    }

    /// <summary>
    /// One round at <paramref name="nowNs"/> (the thread's body; tests call it on virtual time): drains periods and
    /// announcements, plans from the newest period, writes the plan. True when a plan was handed over.
    /// </summary>
    public bool Step(long nowNs)
    {
        int fresh = 0;
        while (Samples.TryRead(out PlannerSample s))
        {
            if (double.IsFinite(s.LoadW))
            {
                _planner.Add(s.NowNs, s.LoadW);
            }

            if (_periodsSeen > 0 && s.NowNs <= _last.NowNs)
            {
                continue; // not newer: time runs forward
            }

            _previous = _last;
            _last = s;
            _periodsSeen++;
            fresh++;
        }

        while (_announcements.TryTake(out AnnouncedPhase a))
        {
            _planner.Forecast.Announce(a);
        }

        bool planned = false;
        if (fresh > 0 && _periodsSeen >= 2 && _last.Mode == ControlMode.Auto)
        {
            double slopeWPerS = (_last.GridTargetW - _previous.GridTargetW) / ((_last.NowNs - _previous.NowNs) * 1e-9);
            if (_planner.TryPlan(_last.NowNs, _last.GridTargetW, slopeWPerS, _last.SocPct, _socTargetPct, out double referenceW, out double planSlopeWPerS))
            {
                _plans.Write(new GridPlan(_last.NowNs, referenceW, planSlopeWPerS, _last.NowNs + _validNs, _planner.LastAnnounced), nowNs);
                _plansMade++;
                planned = true;
            }
        }

        _skipped += planned ? 0 : 1;
        PublishFigures(nowNs);
        return planned;
    }

    private void PublishFigures(long nowNs) => Figures.Write(Measured(), nowNs);

    /// <summary>The figures now: the planner's thread, or any thread once it has stopped (the daemon's stop log).</summary>
    public PlannerFigures Measured()
    {
        Edge.Runtime.Statistics.HistogramSummary solve = _planner.SolveTimes.Summarize();
        PeriodicPredictor p = _planner.Forecast.Predictor;
        return new PlannerFigures
        {
            Plans = _plansMade,
            Skipped = _skipped,
            NotOptimal = _planner.NotOptimal,
            SolveP50Ms = solve.P50Ns / 1e6,
            SolveP99Ms = solve.P99Ns / 1e6,
            SolveMaxMs = solve.MaxNs / 1e6,
            RoundAllocatedBytes = _planner.LastRoundAllocatedBytes,
            MeanRoundAllocatedBytes = _planner.Rounds == 0 ? 0 : (double)_planner.AllocatedBytes / _planner.Rounds,
            PeriodS = p.Components > 0 ? p.PeriodS(0) : double.NaN,
            Confidence = p.Confidence,
            PhaseWeight = _planner.Forecast.PhaseWeight,
            Announcements = _planner.Forecast.Announcements,
            SamplesDropped = Samples.Dropped,
        };
    }

    private void Run()
    {
        long nextNs = _clock.NowNs + _intervalNs;
        while (true)
        {
            long waitNs = nextNs - _clock.NowNs;
            if (waitNs > 0 && _stop.Wait(TimeSpan.FromTicks(Math.Max(1, waitNs / 100))))
            {
                return;
            }

            if (_stop.IsSet)
            {
                return;
            }

            long nowNs = _clock.NowNs;
            nextNs += _intervalNs;
            if (nextNs <= nowNs)
            {
                nextNs = nowNs + _intervalNs; // late (descheduled): the next round an interval from now, no catch-up burst
            }

            try
            {
                Step(nowNs);
            }
            catch (Exception e)
            {
                // A round that throws hands over nothing; the plan lapses and the controller's own reference takes over.
                _skipped++;
                if (!_warned)
                {
                    _warned = true;
                    _warn?.Invoke($"planner: a round failed ({e.GetType().Name}: {e.Message}); the controller falls back to its own reference while rounds fail");
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        if (_thread is null || !_thread.IsAlive)
        {
            _planner.Dispose(); // never under a round still solving (a stop that timed out leaves the solver to the process's end)
        }
    }
}
