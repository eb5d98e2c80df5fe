namespace Edge.Core.Forecast;

/// <summary>
/// Predicts a load that alternates between a high and a low phase whose lengths change (a training job computing,
/// then waiting for all-reduce, a checkpoint or its data; the iteration's length drifts, a pause lengthens): the load
/// is averaged into 1 s bins over the last minutes; at each <see cref="Update"/> (≈ 1 Hz, beside the loop) its two
/// levels (the 10th and 90th percentiles) split it into runs — with hysteresis (a run ends when the load crosses 40 %
/// or 60 % of the way between them) and runs shorter than <see cref="MinRunS"/> joined to the run before — and the
/// prediction is the cycle as it last was, aligned to the current phase's start: the current phase lasts as long as
/// the last complete phase at its level did, then the two levels alternate for as long as their last phases lasted
/// (each at the mean of its last phase; the current one at the mean of its last 3 s).
/// <para>
/// It knows nothing when there is nothing to know, and says so (<see cref="Usable"/> false: the prediction is
/// persistence, the newest bin): no two levels (the 10th–90th percentile span under 5 % of the upper one), no
/// complete phase at each level yet, or the current phase already longer than the last one at its level — a phase
/// that outlasts its predecessor is a change (a longer pause, the job's end), and predicting the alternation anyway
/// expects a move that is not coming (on the MW cluster of docs/planner.md a load whose pauses lengthened from 17 s
/// to 56 s: 36–61 kW of bias upwards, the battery charging for a rise that did not come). Where
/// <see cref="PeriodicPredictor"/> needs two cycles of a new rhythm before its autocorrelation finds it, this one
/// follows after one phase; it has one rhythm only (several jobs of different periods are the periodic predictor's;
/// <see cref="LoadForecast"/> weighs the two by their measured skill).
/// </para>
/// <para>
/// Pure and deterministic; every buffer is allocated in the constructor, so <see cref="Add"/>, <see cref="Update"/>
/// and <see cref="Predict"/> allocate nothing. <see cref="Add"/> is O(1); <see cref="Update"/> sorts the history
/// (O(n log n), n = 300 by default) and belongs beside the loop. Not thread-safe.
/// </para>
/// </summary>
public sealed class PhasePredictor
{
    /// <summary>Runs shorter than this, s, are joined to the run before them (a blip, not a phase).</summary>
    public const double MinRunS = 5;

    private const double MinSpanFraction = 0.05;
    private const double LowCutFraction = 0.4;
    private const double HighCutFraction = 0.6;
    private const int CurrentLevelBins = 3;
    private const int MinBins = 30;

    private readonly BinnedHistory _history;
    private readonly double[] _x;
    private readonly double[] _sorted;
    private readonly bool[] _runHigh;
    private readonly int[] _runLength;
    private double _currentW;
    private double _otherW;
    private double _remainingS;
    private double _sameS;
    private double _otherS;

    /// <summary>Creates a predictor keeping <paramref name="historyS"/> seconds of 1 s means.</summary>
    public PhasePredictor(double historyS = 300)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyS, MinBins);
        int bins = (int)Math.Round(historyS);
        _history = new BinnedHistory(1, bins);
        _x = new double[bins];
        _sorted = new double[bins];
        _runHigh = new bool[bins + 1];
        _runLength = new int[bins + 1];
    }

    /// <summary>True when the last <see cref="Update"/> found a rhythm to repeat; false: the prediction is persistence.</summary>
    public bool Usable { get; private set; }

    /// <summary>The newest complete 1 s bin, W (the persistence forecast); NaN before the first.</summary>
    public double LastW => _history.LastW;

    /// <summary>Complete 1 s bins added since the start (a bin's index for <see cref="BinW"/>).</summary>
    public long Bins => _history.Bins;

    /// <summary>Seconds the current phase is expected to last still (meaningful when <see cref="Usable"/>).</summary>
    public double RemainingS => _remainingS;

    /// <summary>
    /// The mean of 1 s bin <paramref name="index"/> (1 = the first bin ever completed, <see cref="Bins"/> = the newest),
    /// NaN when it is no longer (or not yet) held.
    /// </summary>
    public double BinW(long index) => _history.BinW(index);

    /// <summary>Adds a load sample taken at <paramref name="nowNs"/> (monotonic, non-decreasing). O(1), no allocation.</summary>
    public void Add(long nowNs, double loadW) => _history.Add(nowNs, loadW);

    /// <summary>Finds the levels, the phases and the current phase from the history (≈ 1 Hz, beside the loop). No allocation.</summary>
    public void Update()
    {
        Usable = false;
        int n = _history.Count;
        if (n < MinBins)
        {
            return;
        }

        _history.CopyTo(_x);
        _x.AsSpan(0, n).CopyTo(_sorted);

        InPlaceSort.Sort(_sorted.AsSpan(0, n));
        double lowW = _sorted[n / 10];
        double highW = _sorted[9 * n / 10];
        double spanW = highW - lowW;
        if (!(spanW > MinSpanFraction * Math.Max(Math.Abs(highW), 1)))
        {
            return;
        }

        int runs = Segment(n, lowW + (LowCutFraction * spanW), lowW + (HighCutFraction * spanW), lowW + (0.5 * spanW));

        // The last run is the current phase; complete phases lie between the first (cut by the history's start) and it.
        bool high = _runHigh[runs - 1];
        int currentS = _runLength[runs - 1];
        double sameS = 0;
        double otherS = 0;
        double otherW = 0;
        int endIndex = n - currentS;
        for (int r = runs - 2; r >= 1 && (sameS == 0 || otherS == 0); r--)
        {
            int beginIndex = endIndex - _runLength[r];
            if (_runHigh[r] == high)
            {
                sameS = sameS == 0 ? _runLength[r] : sameS;
            }
            else if (otherS == 0)
            {
                otherS = _runLength[r];
                otherW = MeanW(beginIndex, endIndex);
            }

            endIndex = beginIndex;
        }

        if (sameS <= 0 || otherS <= 0 || currentS >= sameS)
        {
            return; // nothing complete to repeat, or the current phase outlasts the last one: a change, not the rhythm
        }

        int recent = Math.Min(CurrentLevelBins, currentS);
        double recentW = 0;
        for (int i = n - recent; i < n; i++)
        {
            recentW += _x[i];
        }

        _currentW = recentW / recent;
        _otherW = otherW;
        _sameS = sameS;
        _otherS = otherS;
        _remainingS = sameS - currentS;
        Usable = true;
    }

    /// <summary>
    /// Fills <paramref name="outputW"/>[k] with the load expected at <c>end + (k + 1)·stepS</c>, where end is the end of
    /// the newest complete bin: the current level until the current phase's expected end, then the two levels
    /// alternating; persistence when not <see cref="Usable"/> (the newest bin, or <paramref name="persistenceW"/> when
    /// given: <see cref="PersistenceLevel"/>). No allocation.
    /// </summary>
    public void Predict(Span<double> outputW, double stepS, double persistenceW = double.NaN)
    {
        double lastW = double.IsNaN(persistenceW) ? LastW : persistenceW;
        lastW = double.IsNaN(lastW) ? 0 : lastW;
        double cycleS = _otherS + _sameS;
        for (int k = 0; k < outputW.Length; k++)
        {
            if (!Usable)
            {
                outputW[k] = lastW;
                continue;
            }

            double tS = (k + 1) * stepS;
            outputW[k] = tS < _remainingS ? _currentW : ((tS - _remainingS) % cycleS < _otherS ? _otherW : _currentW);
        }
    }

    private double MeanW(int from, int to)
    {
        double sumW = 0;
        for (int i = from; i < to; i++)
        {
            sumW += _x[i];
        }

        return sumW / (to - from);
    }

    /// <summary>
    /// Splits _x[0..n) into runs above/below the cuts (hysteresis), joins runs shorter than <see cref="MinRunS"/> (all
    /// but the last, the phase in progress) and neighbours of one level; returns the number of runs.
    /// </summary>
    private int Segment(int n, double lowCutW, double highCutW, double midW)
    {
        bool high = _x[0] >= midW;
        int raw = 1;
        _runHigh[0] = high;
        _runLength[0] = 0;
        for (int i = 0; i < n; i++)
        {
            double w = _x[i];
            if (high ? w < lowCutW : w > highCutW)
            {
                high = !high;
                _runHigh[raw] = high;
                _runLength[raw] = 0;
                raw++;
            }

            _runLength[raw - 1]++;
        }

        int runs = 0;
        for (int r = 0; r < raw; r++)
        {
            bool last = r == raw - 1;
            if (runs > 0 && (_runHigh[r] == _runHigh[runs - 1] || (_runLength[r] < MinRunS && !last)))
            {
                _runLength[runs - 1] += _runLength[r];
                continue;
            }

            _runHigh[runs] = _runHigh[r];
            _runLength[runs] = _runLength[r];
            runs++;
        }

        return runs;
    }
}
