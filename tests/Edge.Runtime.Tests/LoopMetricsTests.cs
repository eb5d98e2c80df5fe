using System.Diagnostics.Metrics;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Statistics;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Tests;

public sealed class LoopMetricsTests
{
    [Fact]
    public void Observable_instruments_report_the_loop_statistics()
    {
        var clock = new VirtualClock(1_000_000);
        var cycle = new ScriptedCycle(clock) { ComputeNs = (seq, phase) => phase == LoopPhase.Decide ? (seq == 7 ? 1_500_000 : 40_000) : 1_000 };
        var exec = new CyclicExecutive(cycle, new LoopOptions { PeriodMs = 1 }, new VirtualSleeper(clock));
        exec.RunCycles(100);
        using var metrics = new LoopMetrics(exec.Statistics, "test-loop");

        var longs = new List<(string Name, long Value, Dictionary<string, object?> Tags)>();
        var doubles = new List<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LoopMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => longs.Add((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => doubles.Add((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => longs.Add((i.Name, v, ToDictionary(tags))));
        listener.Start();
        listener.RecordObservableInstruments();

        var mine = longs.Where(m => Equals(m.Tags["loop"], "test-loop")).ToList();
        Assert.Equal(100, mine.Single(m => m.Name == "edge.loop.cycles").Value);
        Assert.Equal(1, mine.Single(m => m.Name == "edge.loop.overruns").Value);
        Assert.Equal(0, mine.Single(m => m.Name == "edge.loop.fault_active").Value);
        Assert.Equal(1, mine.Single(m => m.Name == "edge.loop.budget_overruns" && Equals(m.Tags["phase"], "decide")).Value);

        var decideMax = doubles.Single(m => m.Name == "edge.loop.compute" && Equals(m.Tags["phase"], "decide") && Equals(m.Tags["quantile"], "1") && Equals(m.Tags["loop"], "test-loop"));
        Assert.Equal(1_500, decideMax.Value, 6);
        var latenessP50 = doubles.Single(m => m.Name == "edge.loop.lateness" && Equals(m.Tags["quantile"], "0.5") && Equals(m.Tags["loop"], "test-loop"));
        Assert.Equal(0, latenessP50.Value);
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>();
        foreach (var t in tags)
        {
            d[t.Key] = t.Value;
        }

        return d;
    }
}
