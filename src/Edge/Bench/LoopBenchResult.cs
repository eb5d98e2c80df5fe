using System.Globalization;
using System.Text.Json;
using Edge.Runtime.Realtime;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Statistics;

namespace Edge.Bench;

/// <summary>What <c>edge bench loop</c> measured, and its text and JSON (docs/DESIGN.md §6) renderings.</summary>
internal sealed class LoopBenchResult
{
    public required double PeriodMs { get; init; }

    public required long WarmupCycles { get; init; }

    public required string Sleeper { get; init; }

    public required LoopStatsSnapshot Loop { get; init; }

    public required HistogramSummary SampleToSetpoint { get; init; }

    public required double GcPauseMs { get; init; }

    public required int[] GcCollections { get; init; }

    public required long HandOffDropped { get; init; }

    public required long PublishedMessages { get; init; }

    public required double DurationS { get; init; }

    public required RealtimeReport Realtime { get; init; }

    public required string Load { get; init; }

    /// <summary>Missed deadlines of the measured part, in order.</summary>
    public required IReadOnlyList<OverrunEvent> Overruns { get; init; }

    /// <summary>Clock time at which the measured part began, ns.</summary>
    public required long MeasuredStartNs { get; init; }

    /// <summary>Wake-ups at least this late, by threshold in µs (to compare with cyclictest at several thresholds).</summary>
    public required IReadOnlyList<(long ThresholdUs, long Count)> LateCounts { get; init; }

    public void WriteText(TextWriter o)
    {
        LoopCounters c = Loop.Counters;
        o.WriteLine(F($"edge bench loop: {c.Cycles} cycles at {PeriodMs} ms ({Sleeper}), {DurationS:0.0} s, after {WarmupCycles} warm-up cycles"));
        o.WriteLine($"load: {Load}");
        o.WriteLine();
        o.WriteLine(F($"{"",-22} {"p50",9} {"p99",9} {"p99.9",9} {"max",9}  (µs)"));
        Row(o, "wake-up lateness", Loop.Lateness);
        Row(o, "compute (cycle)", Loop.Compute);
        for (int i = 0; i < LoopPhases.Count; i++)
        {
            PhaseFigures p = Loop.Phase((LoopPhase)i);
            Row(o, F($"  {LoopPhases.Name((LoopPhase)i)} (budget {p.BudgetNs / 1e3:0})"), p.Compute);
        }

        Row(o, "sample → setpoint", SampleToSetpoint);
        o.WriteLine();
        o.WriteLine(F($"overruns {c.Overruns}, missed slots {c.MissedSlots}, wake-ups ≥ 1 period late {c.LateWakeups}, longest miss streak {c.MaxConsecutiveMisses}, deadline faults {c.DeadlineFaults}, phase budget overruns {c.BudgetOverruns}"));
        int lateWakes = Overruns.Count(e => e.LatenessNs >= e.ComputeNs);
        if (Overruns.Count > 0)
        {
            var slow = Overruns.Where(e => e.LatenessNs < e.ComputeNs).GroupBy(e => e.SlowestPhase).Select(g => F($"{LoopPhases.Name(g.Key)} {g.Count()}"));
            o.WriteLine(F($"overrun causes: {lateWakes} late wake-ups (the machine stalled before the cycle), {Overruns.Count - lateWakes} slow cycles ({string.Join(", ", slow)})"));
        }

        o.WriteLine(F($"allocated on the loop thread: {c.AllocatedBytes} bytes ({Loop.AllocatedBytesPerCycle:0.###} per cycle)"));
        o.WriteLine(F($"GC: {GcPauseMs:0.###} ms paused, collections gen0/1/2 = {GcCollections[0]}/{GcCollections[1]}/{GcCollections[2]}; hand-off dropped {HandOffDropped}, {PublishedMessages} state messages formatted"));
    }

    public void WriteJson(Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        LoopCounters c = Loop.Counters;
        w.WriteStartObject();
        w.WriteNumber("period_ms", PeriodMs);
        w.WriteNumber("cycles", c.Cycles);
        Percentiles(w, "lateness_us", Loop.Lateness);
        Percentiles(w, "compute_us", Loop.Compute);
        w.WriteNumber("overruns", c.Overruns);
        w.WriteNumber("allocated_bytes_per_cycle", Loop.AllocatedBytesPerCycle);
        w.WriteNumber("gc_pause_ms", Math.Round(GcPauseMs, 3));
        // Additions beyond docs/DESIGN.md §6:
        w.WriteNumber("missed", c.MissedSlots);
        w.WriteNumber("late_wakeups", c.LateWakeups);
        w.WriteNumber("max_consecutive_misses", c.MaxConsecutiveMisses);
        w.WriteNumber("deadline_faults", c.DeadlineFaults);
        w.WriteNumber("budget_overruns", c.BudgetOverruns);
        w.WriteNumber("allocated_bytes", c.AllocatedBytes);
        w.WriteStartObject("wakeups_at_least_us");
        foreach ((long thresholdUs, long count) in LateCounts)
        {
            w.WriteNumber(thresholdUs.ToString(CultureInfo.InvariantCulture), count);
        }

        w.WriteEndObject();
        Percentiles(w, "sensor_to_setpoint_us", SampleToSetpoint);
        w.WriteStartObject("phases_us");
        for (int i = 0; i < LoopPhases.Count; i++)
        {
            PhaseFigures p = Loop.Phase((LoopPhase)i);
            w.WriteStartObject(LoopPhases.Name((LoopPhase)i));
            w.WriteNumber("p50", Us(p.Compute.P50Ns));
            w.WriteNumber("p99", Us(p.Compute.P99Ns));
            w.WriteNumber("p999", Us(p.Compute.P999Ns));
            w.WriteNumber("max", Us(p.Compute.MaxNs));
            w.WriteNumber("budget", Us(p.BudgetNs));
            w.WriteNumber("budget_overruns", p.BudgetOverruns);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("gc_collections");
        w.WriteNumber("gen0", GcCollections[0]);
        w.WriteNumber("gen1", GcCollections[1]);
        w.WriteNumber("gen2", GcCollections[2]);
        w.WriteEndObject();
        w.WriteNumber("handoff_dropped", HandOffDropped);
        w.WriteNumber("published_messages", PublishedMessages);
        w.WriteStartArray("overrun_events");
        foreach (OverrunEvent e in Overruns.Take(200))
        {
            w.WriteStartObject();
            w.WriteNumber("t_s", Math.Round((e.ReleaseNs - MeasuredStartNs) * 1e-9, 4));
            w.WriteNumber("lateness_us", Us(e.LatenessNs));
            w.WriteNumber("compute_us", Us(e.ComputeNs));
            w.WriteNumber("skipped", e.SkippedSlots);
            w.WriteString("slowest_phase", LoopPhases.Name(e.SlowestPhase));
            w.WriteNumber("slowest_phase_us", Us(e.SlowestPhaseNs));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("warmup_cycles", WarmupCycles);
        w.WriteNumber("duration_s", Math.Round(DurationS, 3));
        w.WriteString("sleeper", Sleeper);
        w.WriteString("load", Load);
        w.WriteStartArray("realtime");
        foreach (RealtimeItem item in Realtime.Items)
        {
            w.WriteStartObject();
            w.WriteString("feature", item.Feature);
            w.WriteString("outcome", item.Outcome.ToString().ToLowerInvariant());
            w.WriteString("detail", item.Detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Percentiles(Utf8JsonWriter w, string name, HistogramSummary h)
    {
        w.WriteStartObject(name);
        w.WriteNumber("p50", Us(h.P50Ns));
        w.WriteNumber("p99", Us(h.P99Ns));
        w.WriteNumber("p999", Us(h.P999Ns));
        w.WriteNumber("max", Us(h.MaxNs));
        w.WriteEndObject();
    }

    private static double Us(long ns) => Math.Round(ns / 1e3, 1);

    private static void Row(TextWriter o, string label, HistogramSummary h) =>
        o.WriteLine(F($"{label,-22} {h.P50Us,9:0.0} {h.P99Us,9:0.0} {h.P999Us,9:0.0} {h.MaxUs,9:0.0}"));

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
