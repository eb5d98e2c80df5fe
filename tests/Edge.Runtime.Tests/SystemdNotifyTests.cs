using Edge.Runtime.Notify;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Tests;

public sealed class SystemdNotifyTests
{
    [Fact]
    public void Sends_the_exact_datagrams_to_a_path_socket()
    {
        using var receiver = NotifyReceiver.AtPath();
        using var notifier = new SystemdNotifier(receiver.Address);

        Assert.True(notifier.Ready("loop running at 1 ms"));
        Assert.True(notifier.Status("two\nlines"));
        Assert.True(notifier.Watchdog());
        Assert.True(notifier.Stopping());
        Assert.True(notifier.Ready());

        Assert.Equal("READY=1\nSTATUS=loop running at 1 ms", receiver.Receive());
        Assert.Equal("STATUS=two lines", receiver.Receive());
        Assert.Equal("WATCHDOG=1", receiver.Receive());
        Assert.Equal("STOPPING=1", receiver.Receive());
        Assert.Equal("READY=1", receiver.Receive());
        Assert.Equal(5, notifier.Sent);
    }

    [Fact]
    public void Sends_to_an_abstract_socket_named_with_an_at_sign()
    {
        using var receiver = NotifyReceiver.Abstract();
        using SystemdNotifier? notifier = SystemdNotifier.FromEnvironment(name => name == "NOTIFY_SOCKET" ? receiver.Address : null);

        Assert.NotNull(notifier);
        Assert.True(notifier.Watchdog());
        Assert.Equal("WATCHDOG=1", receiver.Receive());
    }

    [Fact]
    public void No_socket_means_no_notifier_and_a_vanished_socket_is_reported_not_thrown()
    {
        Assert.Null(SystemdNotifier.FromEnvironment(_ => null));
        Assert.Throws<ArgumentException>(() => new SystemdNotifier("relative/path"));

        using var notifier = new SystemdNotifier(Path.Combine(Path.GetTempPath(), $"edge-missing-{Guid.NewGuid():N}.sock"));
        Assert.False(notifier.Ready());
        Assert.NotNull(notifier.LastError);
    }

    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("30000000", "1", null)]
    [InlineData("0", null, null)]
    [InlineData("abc", null, null)]
    [InlineData(null, null, null)]
    public void Watchdog_timeout_comes_from_WATCHDOG_USEC_for_this_pid(string? usec, string? pid, double? expectedS)
    {
        TimeSpan? timeout = SystemdNotifier.WatchdogTimeout(
            name => name switch { "WATCHDOG_USEC" => usec, "WATCHDOG_PID" => pid, _ => null }, pid: 4242);

        Assert.Equal(expectedS, timeout?.TotalSeconds);
    }

    [Fact]
    public void Watchdog_pings_only_while_the_loop_meets_its_deadlines()
    {
        using var receiver = NotifyReceiver.AtPath();
        using var notifier = new SystemdNotifier(receiver.Address);
        var clock = new VirtualClock(1_000_000_000);
        var cycle = new ScriptedCycle(clock);
        var exec = new CyclicExecutive(cycle, new LoopOptions { PeriodMs = 1, FaultAfterConsecutiveMisses = 3, FaultClearAfterCycles = 50 }, new VirtualSleeper(clock));
        using var pinger = new WatchdogPinger(notifier, exec.Statistics.ReadCounters, TimeSpan.FromSeconds(15));

        // Healthy: 100 cycles on time → ping.
        exec.RunCycles(100);
        Assert.True(pinger.Tick());
        Assert.StartsWith("STATUS=loop meeting deadlines", receiver.Receive(), StringComparison.Ordinal);
        Assert.Equal("WATCHDOG=1", receiver.Receive());

        // Failing: every cycle overruns → deadline fault → no ping, for as long as it lasts.
        cycle.ComputeNs = (_, phase) => phase == LoopPhase.Decide ? 1_300_000 : 0;
        exec.RunCycles(20);
        Assert.True(exec.FaultActive);
        Assert.False(pinger.Tick());
        exec.RunCycles(20);
        Assert.False(pinger.Tick());
        notifier.Status("marker");
        Assert.StartsWith("STATUS=watchdog withheld: deadline fault", receiver.Receive(), StringComparison.Ordinal);
        Assert.Equal("STATUS=marker", receiver.Receive()); // nothing (no WATCHDOG=1) was sent in between

        // A stalled loop (no cycles since the last tick) gets no ping either.
        cycle.ComputeNs = (_, _) => 0;
        exec.RunCycles(100); // fault clears after 50 on-time cycles
        Assert.False(exec.FaultActive);
        Assert.True(pinger.Tick());
        Assert.False(pinger.Tick()); // no progress since
        notifier.Status("marker2");
        Assert.StartsWith("STATUS=loop meeting deadlines", receiver.Receive(), StringComparison.Ordinal);
        Assert.Equal("WATCHDOG=1", receiver.Receive());
        Assert.Equal("STATUS=watchdog withheld: loop stalled: no cycle completed since the last check", receiver.Receive());
        Assert.Equal("STATUS=marker2", receiver.Receive());
        Assert.Equal(2, pinger.Pings);
        Assert.Equal(3, pinger.Withheld);
    }

    [Fact]
    public void Gate_tolerates_rare_overruns_but_not_a_high_miss_rate()
    {
        var gate = new WatchdogGate(maxOverrunFraction: 0.01);
        Assert.True(gate.ShouldPing(Counters(cycles: 10_000, overruns: 3)));
        Assert.True(gate.ShouldPing(Counters(cycles: 20_000, overruns: 50)));   // 47 of 10 000
        Assert.False(gate.ShouldPing(Counters(cycles: 30_000, overruns: 500))); // 450 of 10 000
        Assert.Contains("450 of 10000", gate.Reason, StringComparison.Ordinal);
        Assert.True(gate.ShouldPing(Counters(cycles: 100, overruns: 0)));       // statistics were reset
    }

    private static Statistics.LoopCounters Counters(long cycles, long overruns) =>
        new(cycles, overruns, 0, 0, 0, 0, 0, 0, false, 0, 0);
}
