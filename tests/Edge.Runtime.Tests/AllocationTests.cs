using System.Runtime.CompilerServices;
using Edge.Core.Control;
using Edge.Core.Fakes;
using Edge.Runtime.Cycle;
using Edge.Runtime.Handoff;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;
using Edge.Core.Timing;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests;

/// <summary>The hot path allocates nothing: proven on the loop thread with GC.GetAllocatedBytesForCurrentThread.</summary>
public sealed class AllocationTests
{
    private static ControllerOptions Options(double periodMs) => new()
    {
        PeriodMs = periodMs,
        RampUpWPerS = 2_000,
        RampDownWPerS = 2_000,
        EnergyWh = 5_000,
        MaxChargeW = 20_000,
        MaxDischargeW = 20_000,
        GridCapW = 65_000,
    };

    private static void Drain(ControlCycle cycle)
    {
        while (true)
        {
            ref CycleRecord r = ref cycle.HandOffRing.TryPeek();
            if (Unsafe.IsNullRef(ref r))
            {
                return;
            }

            cycle.HandOffRing.Release();
        }
    }

    [Fact]
    public void Cycles_reading_a_planners_mailbox_allocate_zero_bytes()
    {
        var clock = new VirtualClock(1_000_000_000);
        var sensors = new ClockedSensor[4];
        for (int i = 0; i < sensors.Length; i++)
        {
            sensors[i] = new ClockedSensor(clock, 2_000 + i, 8_000 - i, 200_000_000 + (i * 10_000_000), $"r{i}");
        }

        FakeBatteryInverter[] inverters = [new("i1", 2_000, 10_000), new("i2", 3_000, 10_000)];
        var plans = new LatestValueMailbox<GridPlan>();
        var cycle = new ControlCycle(sensors, inverters, new SmoothingController(Options(1)), null, new FakeDigitalInput("estop"), 64) { Plans = plans };
        var exec = new CyclicExecutive(cycle, new LoopOptions { PeriodMs = 1 }, new VirtualSleeper(clock));

        int period = 0;
        void Run(int cycles) // a new plan every 1 000 periods (1 Hz at 1 ms)
        {
            for (int end = period + cycles; period < end; period++)
            {
                if (period % 1_000 == 0)
                {
                    long nowNs = clock.NowNs;
                    plans.Write(new GridPlan(nowNs, 20_000 + period, 1, nowNs + 2_000_000_000), nowNs);
                }

                exec.RunCycles(1);
                Drain(cycle);
            }
        }

        Run(2_000); // warm-up
        _ = exec.Statistics.Snapshot();
        Action pass = () => Run(10_000);
        long allocated = SteadyAllocations.PerPassMinimum(pass);
        Assert.Equal(0, allocated);
        Assert.True(cycle.Controller.PlanInUse);
    }

    [Fact]
    public void Ten_thousand_steady_state_cycles_on_virtual_time_allocate_zero_bytes()
    {
        var clock = new VirtualClock(1_000_000_000);
        var sensors = new ClockedSensor[8];
        for (int i = 0; i < sensors.Length; i++)
        {
            sensors[i] = new ClockedSensor(clock, 2_000 + i, 8_000 - i, 200_000_000 + (i * 10_000_000), $"r{i}");
        }

        var meter = new FakePowerSensor("site");
        meter.Set(40_000);
        FakeBatteryInverter[] inverters = [new("i1", 2_000, 10_000), new("i2", 3_000, 10_000), new("i3", 1_000, 5_000)];
        var cycle = new ControlCycle(sensors, inverters, new SmoothingController(Options(1)), meter, new FakeDigitalInput("estop"), 64);
        var exec = new CyclicExecutive(cycle, new LoopOptions { PeriodMs = 1 }, new VirtualSleeper(clock));

        for (int i = 0; i < 2_000; i++) // warm-up: JIT tiers, first-use paths
        {
            exec.RunCycles(1);
            Drain(cycle);
        }

        _ = exec.Statistics.Snapshot();
        Action pass = () =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                exec.RunCycles(1);
                Drain(cycle);
            }
        };
        long allocated = SteadyAllocations.PerPassMinimum(pass);
        Assert.Equal(0, allocated);
        Assert.NotEqual(0, cycle.LastDecision.BatterySetpointW); // the controller did real work
        Assert.Equal(0, cycle.HandOffRing.Dropped);
    }

    [Fact]
    public void The_real_loop_thread_allocates_zero_bytes_over_ten_thousand_cycles()
    {
        IMonotonicClock clock = MonotonicClock.Instance;
        var sensors = new ClockedSensor[4];
        for (int i = 0; i < sensors.Length; i++)
        {
            sensors[i] = new ClockedSensor(clock, 2_000 + i, 8_000 - i, 50_000_000, $"r{i}");
        }

        FakeBatteryInverter[] inverters = [new("i1", 2_000, 10_000), new("i2", 3_000, 10_000)];
        var cycle = new ControlCycle(sensors, inverters, new SmoothingController(Options(0.2)), handOffCapacity: 256);
        using var exec = new CyclicExecutive(cycle, new LoopOptions { PeriodMs = 0.2, FaultClearAfterCycles = 10 }, DeadlineSleepers.Create(SleeperKind.Auto));
        using var stop = new CancellationTokenSource();
        var consumer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Drain(cycle);
                Thread.Sleep(1);
            }
        });
        consumer.Start();

        exec.Start(cycles: 10_000, warmupCycles: 3_000);
        bool finished = exec.Wait(TimeSpan.FromSeconds(120));
        stop.Cancel();
        consumer.Join();

        Assert.True(finished, "the loop did not finish its cycles");
        Assert.Null(exec.Failure);
        Statistics.LoopCounters c = exec.Statistics.ReadCounters();
        Assert.Equal(10_000, c.Cycles);
        Assert.Equal(0, c.AllocatedBytes);
    }
}
