using System.Diagnostics;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Core.Fakes;
using Edge.Runtime.Cycle;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Benchmarks;

/// <summary>
/// One whole period through the cyclic executive on virtual time (no sleeping): 16 rack sensors, 4 inverters, the
/// smoothing controller, allocation, actuation, hand-off, and the executive's own timing and statistics. The peer in
/// the same run is the same phases called directly, without the executive, so the ratio is the executive's
/// overhead (five clock reads, six histogram records). Also the clock itself against Stopwatch. Goal: 0 B per cycle.
/// </summary>
[MemoryDiagnoser]
public class LoopCycleBenchmark
{
    private VirtualClock _clock = null!;
    private CyclicExecutive _executive = null!;
    private ControlCycle _cycle = null!;
    private long _sequence;

    /// <summary>Builds the rig.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _clock = new VirtualClock(1_000_000_000);
        var sensors = new IPowerSensor[16];
        for (int i = 0; i < sensors.Length; i++)
        {
            var s = new FakePowerSensor($"rack{i}");
            s.Set(5_000 + (i * 100));
            sensors[i] = s;
        }

        var inverters = new IBatteryInverter[4];
        for (int i = 0; i < inverters.Length; i++)
        {
            inverters[i] = new FakeBatteryInverter($"inv{i}", 50_000, 25_000);
        }

        var controller = new SmoothingController(new ControllerOptions
        {
            PeriodMs = 1, RampUpWPerS = 800, RampDownWPerS = 800, EnergyWh = 200_000, MaxChargeW = 100_000, MaxDischargeW = 100_000,
        });
        _cycle = new ControlCycle(sensors, inverters, controller, handOffCapacity: 64);
        _executive = new CyclicExecutive(_cycle, new LoopOptions { PeriodMs = 1 }, new VirtualSleeper(_clock));
    }

    /// <summary>Peer: the five phases called directly.</summary>
    [Benchmark(Baseline = true)]
    public void PhasesDirect()
    {
        _clock.Advance(1_000_000);
        var info = new CycleInfo(_sequence++, _clock.NowNs, _clock.NowNs, 1_000_000, 0);
        _cycle.Sample(in info);
        _cycle.Decide(in info);
        _cycle.Allocate(in info);
        _cycle.Actuate(in info);
        _cycle.HandOff(in info);
        Drain();
    }

    /// <summary>Edge: one cycle through the executive.</summary>
    [Benchmark]
    public void ThroughExecutive()
    {
        _executive.RunCycles(1);
        Drain();
    }

    /// <summary>Peer: Stopwatch.GetTimestamp.</summary>
    [Benchmark]
    public long StopwatchTimestamp() => Stopwatch.GetTimestamp();

    /// <summary>Edge: CLOCK_MONOTONIC through libc (vDSO).</summary>
    [Benchmark]
    public long MonotonicClockRead() => MonotonicClock.Read();

    /// <summary>Edge: recording one duration in a latency histogram.</summary>
    [Benchmark]
    public long HistogramRecord()
    {
        _executive.Statistics.Lateness.Record(++_sequence & 0xFFFFF);
        return _sequence;
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

            _cycle.HandOffRing.Release();
        }
    }
}
