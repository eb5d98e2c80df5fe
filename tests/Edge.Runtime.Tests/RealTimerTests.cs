using System.Diagnostics;
using Edge.Runtime.Handoff;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Tests;

/// <summary>Real clocks and timers, with generous bounds (timing goals live in the bench, not here).</summary>
public sealed class RealTimerTests
{
    public static TheoryData<SleeperKind, long> Sleepers => new()
    {
        { SleeperKind.TimerFd, 0 },
        { SleeperKind.Nanosleep, 0 },
        { SleeperKind.Portable, 0 },
        { SleeperKind.TimerFd, 100_000 },
    };

    [Theory]
    [MemberData(nameof(Sleepers))]
    public void Sleepers_never_wake_before_the_deadline(SleeperKind kind, long spinTailNs)
    {
        using IDeadlineSleeper sleeper = DeadlineSleepers.Create(kind, spinTailNs);
        IMonotonicClock clock = sleeper.Clock;
        for (int i = 0; i < 20; i++)
        {
            long deadline = clock.NowNs + 2_000_000;
            sleeper.SleepUntil(deadline);
            long woke = clock.NowNs;
            Assert.True(woke >= deadline, $"{sleeper.Name} woke {deadline - woke} ns early");
            Assert.True(woke - deadline < 1_000_000_000, $"{sleeper.Name} woke {(woke - deadline) / 1e6} ms late");
        }

        long past = clock.NowNs - 5_000_000;
        var sw = Stopwatch.StartNew();
        sleeper.SleepUntil(past);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1), "a deadline in the past must return at once");
    }

    [Fact]
    public void Monotonic_clock_matches_the_stopwatch_rate()
    {
        long t0 = MonotonicClock.Instance.NowNs;
        var sw = Stopwatch.StartNew();
        using var sleeper = DeadlineSleepers.Create(SleeperKind.Auto);
        sleeper.SleepUntil(t0 + 50_000_000);
        long elapsedNs = MonotonicClock.Instance.NowNs - t0;
        double swNs = sw.Elapsed.TotalNanoseconds;
        Assert.InRange(elapsedNs, 50_000_000, 5_000_000_000);
        Assert.InRange(elapsedNs / swNs, 0.9, 1.1);
    }

    [Fact]
    public void The_executive_on_the_real_clock_keeps_its_release_grid()
    {
        var releases = new List<long>(300);
        var cycle = new RecordingCycle(releases);
        using var exec = new CyclicExecutive(cycle, new LoopOptions { PeriodMs = 1 }, DeadlineSleepers.Create(SleeperKind.Auto));

        long start = MonotonicClock.Instance.NowNs;
        exec.Start(cycles: 300);
        Assert.True(exec.Wait(TimeSpan.FromSeconds(60)));
        long elapsed = MonotonicClock.Instance.NowNs - start;

        Assert.Null(exec.Failure);
        Assert.Equal(300, releases.Count);
        for (int i = 1; i < releases.Count; i++)
        {
            long gap = releases[i] - releases[i - 1];
            Assert.True(gap > 0 && gap % 1_000_000 == 0, $"release {i} is off the 1 ms grid by {gap % 1_000_000} ns");
        }

        var c = exec.Statistics.ReadCounters();
        Assert.Equal(300, c.Cycles);
        Assert.Equal(300, exec.Statistics.Lateness.Count);
        Assert.True(elapsed >= 299_000_000, $"300 cycles of 1 ms took only {elapsed / 1e6} ms");
        // Every release between the first and the last cycle's is a cycle run or a counted missed slot; if the last
        // cycle overran (a loaded machine), the slots it skipped lie after the last release and are counted too.
        long lastSkipped = 0;
        while (exec.OverrunEvents.TryRead(out OverrunEvent e))
        {
            lastSkipped = e.ReleaseNs == releases[^1] ? e.SkippedSlots : lastSkipped;
        }

        Assert.Equal((releases[^1] - releases[0]) / 1_000_000, c.Cycles - 1 + c.MissedSlots - lastSkipped);
    }

    [Fact]
    public void Wake_signal_wakes_a_waiting_thread_and_times_out_when_quiet()
    {
        using var signal = new WakeSignal();
        Assert.False(signal.Wait(1_000_000));
        signal.Signal();
        Assert.True(signal.Wait(5_000_000_000));
        Assert.False(signal.Wait(1_000_000)); // consumed

        bool woke = false;
        using var waiting = new ManualResetEventSlim();
        var t = new Thread(() =>
        {
            waiting.Set();
            woke = signal.Wait(30_000_000_000);
        });
        t.Start();
        waiting.Wait();
        signal.Signal();
        Assert.True(t.Join(TimeSpan.FromSeconds(30)));
        Assert.True(woke);
    }

    private sealed class RecordingCycle(List<long> releases) : IControlCycle
    {
        public void Sample(in CycleInfo cycle) => releases.Add(cycle.ReleaseNs);

        public void Decide(in CycleInfo cycle)
        {
        }

        public void Allocate(in CycleInfo cycle)
        {
        }

        public void Actuate(in CycleInfo cycle)
        {
        }

        public void HandOff(in CycleInfo cycle)
        {
        }

        public void OnDeadlineFault(bool active, in CycleInfo cycle)
        {
        }
    }
}
