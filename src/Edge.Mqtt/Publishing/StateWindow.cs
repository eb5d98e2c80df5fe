using Edge.Core.Control;

namespace Edge.Mqtt.Publishing;

/// <summary>
/// Aggregates the cycle records between two state messages: mean/min/max of load, grid and battery power and of loop
/// lateness, the largest compute time, every flag seen (OR), and the newest values of the rest.
/// </summary>
public sealed class StateWindow
{
    private RunningStat _load;
    private RunningStat _grid;
    private RunningStat _battery;
    private RunningStat _latenessNs;

    /// <summary>Creates an empty window.</summary>
    public StateWindow() => Reset();

    /// <summary>Records in the window.</summary>
    public int Count { get; private set; }

    /// <summary>Rack load over the window, W.</summary>
    public RunningStat LoadW => _load;

    /// <summary>Grid power over the window, W.</summary>
    public RunningStat GridW => _grid;

    /// <summary>Battery power over the window, W.</summary>
    public RunningStat BatteryW => _battery;

    /// <summary>Loop lateness over the window, ns.</summary>
    public RunningStat LatenessNs => _latenessNs;

    /// <summary>Largest compute time in the window, ns.</summary>
    public long ComputeMaxNs { get; private set; }

    /// <summary>Every flag set in any record of the window.</summary>
    public ControlFlags FlagsSeen { get; private set; }

    /// <summary>The newest record.</summary>
    public CycleRecord Last { get; private set; }

    /// <summary>Adds one record.</summary>
    public void Add(in CycleRecord r)
    {
        _load.Add(r.LoadW);
        _grid.Add(r.GridW);
        _battery.Add(r.BatteryW);
        _latenessNs.Add(r.LatenessNs);
        ComputeMaxNs = Math.Max(ComputeMaxNs, r.ComputeNs);
        FlagsSeen |= r.Flags;
        Last = r;
        Count++;
    }

    /// <summary>Starts a new window.</summary>
    public void Reset()
    {
        _load.Reset();
        _grid.Reset();
        _battery.Reset();
        _latenessNs.Reset();
        ComputeMaxNs = 0;
        FlagsSeen = ControlFlags.None;
        Count = 0;
    }
}
