using Edge.Core.Control;

namespace Edge.Core.Forecast;

/// <summary>
/// The load forecast the planner uses, from the best information there is: phase announcements first (an
/// <see cref="AnnouncedPhase"/> is known from its <see cref="AnnouncedPhase.ReceivedNs"/>, and until its start moves
/// the prediction by its power from then on), then the <see cref="PeriodicPredictor"/> (repeats the last cycles,
/// confidence-weighted), and persistence (the load stays where it is) when nothing is known. An announcement that has
/// started is in the measured history and no longer added. Pure and deterministic; allocation-free after
/// construction (announcements live in a fixed table; one with a known id replaces the older one).
/// </summary>
public sealed class LoadForecast
{
    private readonly AnnouncedPhase[] _announced;
    private int _announcedCount;

    /// <summary>Creates a forecast over <paramref name="predictor"/>, holding at most <paramref name="maxAnnouncements"/> pending announcements.</summary>
    public LoadForecast(PeriodicPredictor predictor, int maxAnnouncements = 64)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAnnouncements, 1);
        Predictor = predictor;
        _announced = new AnnouncedPhase[maxAnnouncements];
    }

    /// <summary>The periodic predictor underneath.</summary>
    public PeriodicPredictor Predictor { get; }

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
        Predictor.Predict(outputW, stepS);
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
