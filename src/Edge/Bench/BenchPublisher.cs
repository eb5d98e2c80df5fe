using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Edge.Runtime.Cycle;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Statistics;

namespace Edge.Bench;

/// <summary>
/// The hand-off ring's consumer, allocating the way the MQTT publisher will: drains every record, folds it into a
/// 100 ms window (mean/min/max of load, grid, battery), and per window formats a docs/DESIGN.md §7 state message as JSON into
/// a fresh buffer (plus the loop figures once a second), as a client building PUBLISH packets would. The bytes are
/// counted, not sent.
/// </summary>
internal sealed class BenchPublisher : IDisposable
{
    private const long WindowNs = 100_000_000;
    private readonly ControlCycle _cycle;
    private readonly LoopStatistics _statistics;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private Window _window;
    private long _windowStartNs = -1;
    private long _messageSeq;

    public BenchPublisher(ControlCycle cycle, LoopStatistics statistics)
    {
        _cycle = cycle;
        _statistics = statistics;
        _thread = new Thread(Run) { Name = "publisher", IsBackground = true };
    }

    public long Records { get; private set; }

    public long Messages { get; private set; }

    public long Bytes { get; private set; }

    public void Start() => _thread.Start();

    private void Run()
    {
        while (!_stop.Wait(5))
        {
            Drain();
        }

        Drain();
    }

    private void Drain()
    {
        while (true)
        {
            ref CycleRecord r = ref _cycle.HandOffRing.TryPeek();
            if (Unsafe.IsNullRef(ref r))
            {
                return;
            }

            Fold(r);
            _cycle.HandOffRing.Release();
        }
    }

    private void Fold(CycleRecord r)
    {
        Records++;
        long t = r.Snapshot.TimestampNs;
        if (_windowStartNs < 0)
        {
            _windowStartNs = t;
        }

        if (t - _windowStartNs >= WindowNs && _window.Count > 0)
        {
            Publish(r);
            _window = default;
            _windowStartNs = t;
        }

        double gridW = r.Snapshot.HasGridMeasured ? r.Snapshot.GridMeasuredW : r.Snapshot.LoadW - r.Snapshot.Battery.MeasuredPowerW;
        _window.Add(r.Snapshot.LoadW, gridW, r.Snapshot.Battery.MeasuredPowerW);
    }

    private void Publish(CycleRecord last)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("ts", DateTimeOffset.UtcNow);
            w.WriteNumber("seq", ++_messageSeq);
            WriteStats(w, "load_w", _window.Load);
            WriteStats(w, "grid_w", _window.Grid);
            WriteStats(w, "battery_w", _window.Battery);
            w.WriteNumber("grid_target_w", Math.Round(last.Decision.GridTargetW, 1));
            w.WriteNumber("battery_setpoint_w", Math.Round(last.Decision.BatterySetpointW, 1));
            w.WriteNumber("soc_pct", Math.Round(last.Snapshot.Battery.SocPct, 3));
            w.WriteString("mode", last.Decision.Mode.ToString().ToLowerInvariant());
            w.WriteString("flags", last.Decision.Flags.ToString());
            if (_messageSeq % 10 == 0)
            {
                LoopStatsSnapshot s = _statistics.Snapshot();
                w.WriteStartObject("loop");
                w.WriteNumber("cycles", s.Counters.Cycles);
                w.WriteNumber("overruns", s.Counters.Overruns);
                w.WriteNumber("lateness_p99_us", s.Lateness.P99Us);
                w.WriteNumber("lateness_max_us", s.Lateness.MaxUs);
                for (int i = 0; i < LoopPhases.Count; i++)
                {
                    w.WriteNumber($"{LoopPhases.Name((LoopPhase)i)}_p99_us", s.Phase((LoopPhase)i).Compute.P99Us);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        byte[] payload = buffer.WrittenSpan.ToArray(); // the packet a client would hand to its socket
        Messages++;
        Bytes += payload.Length;
    }

    private static void WriteStats(Utf8JsonWriter w, string name, Stats s)
    {
        w.WriteStartObject(name);
        w.WriteNumber("mean", Math.Round(s.Sum / Math.Max(1, s.Count), 1));
        w.WriteNumber("min", Math.Round(s.Min, 1));
        w.WriteNumber("max", Math.Round(s.Max, 1));
        w.WriteEndObject();
    }

    public void Dispose()
    {
        _stop.Set();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        _stop.Dispose();
    }

    private struct Stats
    {
        public double Sum;
        public double Min;
        public double Max;
        public long Count;

        public void Add(double v)
        {
            Min = Count == 0 ? v : Math.Min(Min, v);
            Max = Count == 0 ? v : Math.Max(Max, v);
            Sum += v;
            Count++;
        }
    }

    private struct Window
    {
        public Stats Load;
        public Stats Grid;
        public Stats Battery;

        public readonly long Count => Load.Count;

        public void Add(double loadW, double gridW, double batteryW)
        {
            Load.Add(loadW);
            Grid.Add(gridW);
            Battery.Add(batteryW);
        }
    }
}
