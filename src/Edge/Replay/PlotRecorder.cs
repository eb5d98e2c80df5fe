using Edge.Core.Replay;

namespace Edge.Replay;

/// <summary>
/// Keeps what the plot draws while the replay runs, in memory set by the plot's width, not the trace's length:
/// every series is reduced to its minimum and maximum per pixel column (so a 10 Hz oscillation over a day still
/// shows as a band of the right height), and each column notes whether any of its periods violated the ramp limit
/// or had the battery at a limit. <see cref="Add"/> allocates nothing.
/// </summary>
public sealed class PlotRecorder
{
    private readonly long _first;
    private readonly long _span;

    /// <summary>Prepares columns for the periods from <paramref name="fromS"/> to <paramref name="toS"/> of a run of <paramref name="periodCount"/>.</summary>
    /// <param name="controllers">The controllers, in the session's order.</param>
    /// <param name="periodS">The period, s.</param>
    /// <param name="periodCount">Periods of the run.</param>
    /// <param name="fromS">First time drawn, s.</param>
    /// <param name="toS">Last time drawn, s.</param>
    /// <param name="columns">Pixel columns.</param>
    /// <param name="levers">True when the run has levers (the plot then gets the lever and tier timeline).</param>
    public PlotRecorder(IReadOnlyList<string> controllers, double periodS, long periodCount, double fromS, double toS, int columns, bool levers = false)
    {
        HasLevers = levers;
        ArgumentNullException.ThrowIfNull(controllers);
        PeriodS = periodS;
        Columns = columns;
        // Clamped in time before the conversion: a window given as 1e300 s is the whole run, not an overflowed index.
        double endS = (periodCount - 1) * periodS;
        _first = Math.Clamp((long)Math.Floor(Math.Clamp(fromS, 0, endS) / periodS), 0, periodCount - 2);
        long last = Math.Clamp((long)Math.Ceiling(Math.Clamp(toS, 0, endS) / periodS) + 1, _first + 2, periodCount);
        _span = last - _first;
        Load = new Envelope(columns);
        Runs = [.. controllers.Select(c => new RunColumns(c, columns))];
    }

    /// <summary>True when the run has levers (flexible loads, GPU caps, the backstop tier).</summary>
    public bool HasLevers { get; }

    /// <summary>Series period, s.</summary>
    public double PeriodS { get; }

    /// <summary>Pixel columns.</summary>
    public int Columns { get; }

    /// <summary>Time of the first period drawn, s.</summary>
    public double FromS => _first * PeriodS;

    /// <summary>Time of the last period drawn, s.</summary>
    public double ToS => (_first + _span - 1) * PeriodS;

    /// <summary>The load.</summary>
    public Envelope Load { get; }

    /// <summary>Each controller's columns, in the session's order.</summary>
    public IReadOnlyList<RunColumns> Runs { get; }

    /// <summary>Records period <paramref name="k"/>.</summary>
    public void Add(long k, double loadW, ReadOnlySpan<ReplayState> states)
    {
        long offset = k - _first;
        if (offset < 0 || offset >= _span)
        {
            return;
        }

        int c = (int)(offset * Columns / _span);
        Load.Add(c, loadW);
        for (int i = 0; i < states.Length; i++)
        {
            ref readonly ReplayState s = ref states[i];
            RunColumns r = Runs[i];
            r.Grid.Add(c, s.GridW);
            r.GridTarget.Add(c, s.GridTargetW);
            r.Setpoint.Add(c, s.BatterySetpointW);
            r.Battery.Add(c, s.BatteryW);
            r.Soc.Add(c, s.SocPct);
            r.RampW.Add(c, s.RiseW);
            r.RampW.Add(c, -s.FallW);
            r.Throughput.Add(c, s.ThroughputWh);
            r.Violating[c] |= s.Violating;
            if (HasLevers)
            {
                r.Racks.Add(c, s.RacksW);
                r.Flex.Add(c, s.FlexW);
                r.Tier[c] = Math.Max(r.Tier[c], s.Tier);
            }

            r.Saturated[c] |= s.Saturated;
        }
    }

    /// <summary>One controller's columns.</summary>
    public sealed class RunColumns(string controller, int columns)
    {
        /// <summary>Controller name.</summary>
        public string Controller { get; } = controller;

        /// <summary>Grid power, W.</summary>
        public Envelope Grid { get; } = new(columns);

        /// <summary>Grid target, W.</summary>
        public Envelope GridTarget { get; } = new(columns);

        /// <summary>Battery setpoint commanded, W.</summary>
        public Envelope Setpoint { get; } = new(columns);

        /// <summary>Battery actual power, W.</summary>
        public Envelope Battery { get; } = new(columns);

        /// <summary>SoC, %.</summary>
        public Envelope Soc { get; } = new(columns);

        /// <summary>Largest rise (positive) and fall (negative) into each period within its ramp window, W.</summary>
        public Envelope RampW { get; } = new(columns);

        /// <summary>Cumulative battery throughput, Wh.</summary>
        public Envelope Throughput { get; } = new(columns);

        /// <summary>What the racks drew (below the load where GPU caps bound), W.</summary>
        public Envelope Racks { get; } = new(columns);

        /// <summary>What the flexible loads drew, W.</summary>
        public Envelope Flex { get; } = new(columns);

        /// <summary>Highest backstop tier per column (0 = none).</summary>
        public int[] Tier { get; } = new int[columns];

        /// <summary>Columns holding a period whose ramp window violated the limit.</summary>
        public bool[] Violating { get; } = new bool[columns];

        /// <summary>Columns holding a period with the battery at a limit.</summary>
        public bool[] Saturated { get; } = new bool[columns];
    }

    /// <summary>Minimum and maximum per column (NaN where a column saw no period).</summary>
    public sealed class Envelope
    {
        /// <summary>Creates empty columns.</summary>
        public Envelope(int columns)
        {
            Min = new double[columns];
            Max = new double[columns];
            Array.Fill(Min, double.NaN);
            Array.Fill(Max, double.NaN);
        }

        /// <summary>Lowest value per column.</summary>
        public double[] Min { get; }

        /// <summary>Highest value per column.</summary>
        public double[] Max { get; }

        /// <summary>Adds a value to column <paramref name="c"/>.</summary>
        public void Add(int c, double v)
        {
            if (!double.IsFinite(v))
            {
                return;
            }

            if (double.IsNaN(Min[c]))
            {
                Min[c] = Max[c] = v;
                return;
            }

            if (v < Min[c])
            {
                Min[c] = v;
            }

            if (v > Max[c])
            {
                Max[c] = v;
            }
        }
    }
}
