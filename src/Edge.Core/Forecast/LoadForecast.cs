using Edge.Core.Control;

namespace Edge.Core.Forecast;

/// <summary>
/// The load forecast the planner uses, from the best information there is: phase announcements first (an
/// <see cref="AnnouncedPhase"/> is known from its <see cref="AnnouncedPhase.ReceivedNs"/>, and until its start moves
/// the prediction by its power from then on), then what the load's history says — the <see cref="PeriodicPredictor"/>
/// (repeats the last cycles, confidence-weighted against persistence) and, when given one, the
/// <see cref="PhasePredictor"/> (repeats the last high and low phases from the current phase's start), blended by their
/// measured skill (<see cref="ForecastSkill"/>) — and persistence (the load stays where it is, at a level held still
/// through noise: <see cref="PersistenceLevel"/>) when nothing is known.
/// An announcement that has started is in the measured history and no longer added. Pure and deterministic;
/// allocation-free after construction (announcements live in a fixed table; one with a known id replaces the older one).
/// </summary>
public sealed class LoadForecast
{
    private readonly AnnouncedPhase[] _announced;
    private readonly double[] _phaseW = [];
    private readonly double[] _scoredPeriodicW = [];
    private readonly double[] _scoredPhaseW = [];
    private int _announcedCount;

    /// <summary>
    /// Creates a forecast over <paramref name="predictor"/> (and <paramref name="phases"/>, blended by skill, when given),
    /// holding at most <paramref name="maxAnnouncements"/> pending announcements and predicting at most
    /// <paramref name="maxSteps"/> steps at a time.
    /// </summary>
    public LoadForecast(PeriodicPredictor predictor, int maxAnnouncements = 64, PhasePredictor? phases = null, int maxSteps = 6000)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAnnouncements, 1);
        Predictor = predictor;
        Phases = phases;
        _announced = new AnnouncedPhase[maxAnnouncements];
        if (phases is not null)
        {
            int scoredSteps = (int)Math.Round(ForecastSkill.LeadS / predictor.BinS);
            _phaseW = new double[maxSteps];
            _scoredPeriodicW = new double[scoredSteps];
            _scoredPhaseW = new double[scoredSteps];
        }
    }

    /// <summary>The periodic predictor underneath.</summary>
    public PeriodicPredictor Predictor { get; }

    /// <summary>The phase predictor blended in by skill, when there is one.</summary>
    public PhasePredictor? Phases { get; }

    /// <summary>
    /// The level both predictors take as persistence, held still through noise (with <see cref="Phases"/>, whose 1 s
    /// means it reads; without, NaN: each predictor's newest bin).
    /// </summary>
    public PersistenceLevel Level { get; } = new();

    /// <summary>How the two predictors have scored (meaningful with <see cref="Phases"/>).</summary>
    public ForecastSkill Skill { get; } = new();

    /// <summary>The phase predictor's weight in the prediction, 0…1 (0 without one).</summary>
    public double PhaseWeight => Phases is null ? 0 : Skill.WeightB;

    /// <summary>Adds a load sample to the predictors (monotonic time). O(1), no allocation.</summary>
    public void Add(long nowNs, double loadW)
    {
        Predictor.Add(nowNs, loadW);
        Phases?.Add(nowNs, loadW);
    }

    /// <summary>
    /// Updates the predictors from their history, scores the forecasts whose time has come and keeps this round's for
    /// scoring (≈ 1 Hz, beside the loop). No allocation.
    /// </summary>
    public void Update()
    {
        Predictor.Update();
        if (Phases is null)
        {
            return;
        }

        Phases.Update();
        Level.Update(Phases);
        Skill.Score(Phases);
        Predictor.Predict(_scoredPeriodicW, Predictor.BinS, Level.LevelW);
        Phases.Predict(_scoredPhaseW, Predictor.BinS, Level.LevelW);
        Skill.Issue(Phases.Bins, _scoredPeriodicW, _scoredPhaseW, Predictor.BinS);
    }

    /// <summary>Announcements pending (not yet over).</summary>
    public int Announcements => _announcedCount;

    /// <summary>Announcements refused because the table was full.</summary>
    public long Refused { get; private set; }

    /// <summary>Takes an announcement (same id: replaces). Returns false when the table is full.</summary>
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

        if (_announcedCount == _announced.Length)
        {
            Refused++;
            return false;
        }

        _announced[_announcedCount++] = phase;
        return true;
    }

    /// <summary>
    /// Fills <paramref name="outputW"/>[k] with the load expected at <c>nowNs + (k + 1)·stepS</c>. Announcements not yet
    /// received at <paramref name="nowNs"/> are ignored (replay must not see the future); those whose effect is over are
    /// dropped. No allocation.
    /// </summary>
    public void Predict(long nowNs, Span<double> outputW, double stepS)
    {
        Predictor.Predict(outputW, stepS, Level.LevelW);
        if (Phases is not null)
        {
            Span<double> phaseW = _phaseW.AsSpan(0, outputW.Length);
            Phases.Predict(phaseW, stepS, Level.LevelW);
            double weight = Skill.WeightB;
            for (int k = 0; k < outputW.Length; k++)
            {
                outputW[k] = (weight * phaseW[k]) + ((1 - weight) * outputW[k]);
            }
        }

        long stepNs = (long)Math.Round(stepS * 1e9);
        int i = 0;
        while (i < _announcedCount)
        {
            ref readonly AnnouncedPhase a = ref _announced[i];
            long endNs = a.Kind == PhaseKind.CheckpointBegin && a.DurationNs > 0 ? a.StartNs + a.DurationNs : a.StartNs;
            if (endNs <= nowNs)
            {
                _announced[i] = _announced[--_announcedCount];
                _announced[_announcedCount] = default;
                continue;
            }

            if (a.ReceivedNs <= nowNs)
            {
                for (int k = 0; k < outputW.Length; k++)
                {
                    outputW[k] += Effect(a, nowNs, nowNs + ((k + 1) * stepNs));
                }
            }

            i++;
        }
    }

    /// <summary>
    /// Which moves received announcements say are coming within <paramref name="horizonNs"/> of
    /// <paramref name="nowNs"/>: a job start or a checkpoint's end (also the end of a checkpoint in progress) is a
    /// rise, a job end or a checkpoint's start a fall; iterations are neither (the periodic predictor has them).
    /// </summary>
    public AnnouncedMoves Pending(long nowNs, long horizonNs)
    {
        var moves = AnnouncedMoves.None;
        long endNs = nowNs + horizonNs;
        for (int i = 0; i < _announcedCount; i++)
        {
            ref readonly AnnouncedPhase a = ref _announced[i];
            if (a.ReceivedNs > nowNs)
            {
                continue;
            }

            bool startsAhead = a.StartNs > nowNs && a.StartNs <= endNs;
            switch (a.Kind)
            {
                case PhaseKind.JobStart:
                case PhaseKind.CheckpointEnd:
                    moves |= startsAhead ? AnnouncedMoves.Rise : 0;
                    break;
                case PhaseKind.JobEnd:
                    moves |= startsAhead ? AnnouncedMoves.Fall : 0;
                    break;
                case PhaseKind.CheckpointBegin:
                    moves |= startsAhead ? AnnouncedMoves.Fall : 0;
                    long backNs = CheckpointBackNs(a);
                    moves |= backNs > nowNs && backNs <= endNs ? AnnouncedMoves.Rise : 0;
                    break;
            }
        }

        return moves;
    }

    /// <summary>When a checkpoint's power comes back: its start + duration, never when no duration was given.</summary>
    private static long CheckpointBackNs(in AnnouncedPhase a) => a.DurationNs > 0 ? a.StartNs + a.DurationNs : long.MaxValue;

    /// <summary>What <paramref name="a"/> adds at <paramref name="atNs"/>, relative to the load measured at <paramref name="nowNs"/>.</summary>
    private static double Effect(in AnnouncedPhase a, long nowNs, long atNs)
    {
        switch (a.Kind)
        {
            case PhaseKind.JobStart:
            case PhaseKind.CheckpointEnd:
                return a.StartNs > nowNs && atNs >= a.StartNs ? a.PowerW : 0;
            case PhaseKind.JobEnd:
                return a.StartNs > nowNs && atNs >= a.StartNs ? -a.PowerW : 0;
            case PhaseKind.CheckpointBegin:
                long endNs = CheckpointBackNs(a);
                if (a.StartNs > nowNs)
                {
                    return atNs >= a.StartNs && atNs < endNs ? -a.PowerW : 0;
                }

                // Inside the checkpoint: the measured load is already low; its end brings the power back.
                return atNs >= endNs ? a.PowerW : 0;
            default:
                // Iteration: the periodic predictor learns it from the load itself.
                return 0;
        }
    }
}
