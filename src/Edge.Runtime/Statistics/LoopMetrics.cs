using System.Diagnostics;
using System.Diagnostics.Metrics;
using Edge.Runtime.Scheduling;

namespace Edge.Runtime.Statistics;

/// <summary>
/// Publishes a loop's <see cref="LoopStatistics"/> through System.Diagnostics.Metrics (Meter <see cref="MeterName"/>),
/// as observable instruments only: nothing is recorded on the loop thread; the collector (dotnet-counters, an
/// OpenTelemetry exporter, the MQTT publisher's MeterListener) pulls. Percentile gauges are in µs with a
/// <c>quantile</c> tag (0.5, 0.99, 0.999, 1 = max); compute gauges carry a <c>phase</c> tag (total or a phase name).
/// <code>dotnet-counters monitor -n edge --counters Edge.Runtime</code>
/// </summary>
public sealed class LoopMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Edge.Runtime";

    private static readonly TimeSpan SnapshotMaxAge = TimeSpan.FromMilliseconds(200);
    private readonly LoopStatistics _statistics;
    private readonly Meter _meter;
    private readonly KeyValuePair<string, object?> _loopTag;
    private readonly object _gate = new();
    private LoopStatsSnapshot _snapshot;
    private long _snapshotTimestamp;

    /// <summary>Creates the instruments for <paramref name="statistics"/>.</summary>
    /// <param name="statistics">The loop's statistics.</param>
    /// <param name="loopName">Value of the <c>loop</c> tag on every measurement (several loops may share a process).</param>
    public LoopMetrics(LoopStatistics statistics, string loopName = "control")
    {
        ArgumentNullException.ThrowIfNull(statistics);
        _statistics = statistics;
        _loopTag = new("loop", loopName);
        _meter = new Meter(MeterName);
        _meter.CreateObservableCounter("edge.loop.cycles", () => Counter(c => c.Cycles), "{cycle}", "Cycles run");
        _meter.CreateObservableCounter("edge.loop.overruns", () => Counter(c => c.Overruns), "{cycle}", "Cycles that ended after their deadline");
        _meter.CreateObservableCounter("edge.loop.missed_slots", () => Counter(c => c.MissedSlots), "{cycle}", "Release slots skipped after overruns");
        _meter.CreateObservableCounter("edge.loop.late_wakeups", () => Counter(c => c.LateWakeups), "{cycle}", "Wake-ups at least one period late");
        _meter.CreateObservableCounter("edge.loop.deadline_faults", () => Counter(c => c.DeadlineFaults), "{fault}", "Deadline faults raised");
        _meter.CreateObservableCounter("edge.loop.allocated_bytes", () => Counter(c => c.AllocatedBytes), "By", "Bytes allocated on the loop thread");
        _meter.CreateObservableGauge("edge.loop.fault_active", () => new Measurement<int>(_statistics.ReadCounters().FaultActive ? 1 : 0, _loopTag), "{fault}", "1 while the deadline fault is raised");
        _meter.CreateObservableGauge("edge.loop.lateness", LatenessMeasurements, "us", "Wake-up lateness percentiles");
        _meter.CreateObservableGauge("edge.loop.compute", ComputeMeasurements, "us", "Compute-time percentiles per phase");
        _meter.CreateObservableCounter("edge.loop.budget_overruns", BudgetMeasurements, "{phase}", "Phase executions over budget");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private Measurement<long> Counter(Func<LoopCounters, long> pick) => new(pick(_statistics.ReadCounters()), _loopTag);

    private LoopStatsSnapshot Snapshot()
    {
        // One histogram scan serves all instruments of one collection.
        lock (_gate)
        {
            if (_snapshotTimestamp == 0 || Stopwatch.GetElapsedTime(_snapshotTimestamp) > SnapshotMaxAge)
            {
                _snapshot = _statistics.Snapshot();
                _snapshotTimestamp = Stopwatch.GetTimestamp();
            }

            return _snapshot;
        }
    }

    private IEnumerable<Measurement<double>> LatenessMeasurements() => Quantiles(Snapshot().Lateness, null);

    private IEnumerable<Measurement<double>> ComputeMeasurements()
    {
        LoopStatsSnapshot s = Snapshot();
        var all = new List<Measurement<double>>(Quantiles(s.Compute, "total"));
        for (int i = 0; i < LoopPhases.Count; i++)
        {
            all.AddRange(Quantiles(s.Phase((LoopPhase)i).Compute, LoopPhases.Name((LoopPhase)i)));
        }

        return all;
    }

    private IEnumerable<Measurement<long>> BudgetMeasurements()
    {
        var all = new List<Measurement<long>>(LoopPhases.Count);
        for (int i = 0; i < LoopPhases.Count; i++)
        {
            all.Add(new(_statistics.PhaseBudgetOverruns((LoopPhase)i), _loopTag, new("phase", LoopPhases.Name((LoopPhase)i))));
        }

        return all;
    }

    private List<Measurement<double>> Quantiles(HistogramSummary h, string? phase)
    {
        var list = new List<Measurement<double>>(4);
        Add(list, h.P50Us, "0.5", phase);
        Add(list, h.P99Us, "0.99", phase);
        Add(list, h.P999Us, "0.999", phase);
        Add(list, h.MaxUs, "1", phase);
        return list;
    }

    private void Add(List<Measurement<double>> list, double valueUs, string quantile, string? phase)
    {
        list.Add(phase is null
            ? new Measurement<double>(valueUs, _loopTag, new("quantile", quantile))
            : new Measurement<double>(valueUs, _loopTag, new("quantile", quantile), new("phase", phase)));
    }
}
