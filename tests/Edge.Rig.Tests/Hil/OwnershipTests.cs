using System.Diagnostics;
using System.Net;
using Edge.Core.Devices;
using Edge.Guard;
using Edge.Modbus.Inverter;
using Edge.Rig.Tests.Infrastructure;
using Edge.Simulation.Inverter;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// The ownership protocol of docs/guard.md without processes: two mappings of one board (as the daemon and the guard
/// hold it), a real driver against a simulated inverter over loopback. Exactly one writer: once the guard has taken the
/// board, the daemon's driver writes nothing — no setpoint, no reversion setpoint, no heartbeat, not even 0 W when it
/// is disposed — and what the loop posts afterwards never reaches the board's slots.
/// </summary>
public sealed class OwnershipTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void Ownership_moves_only_by_compare_and_swap_to_a_new_epoch()
    {
        using var state = new TempDir();
        using OwnershipBoard daemon = OwnershipBoard.Open(state.Path);
        using OwnershipBoard guard = OwnershipBoard.Open(state.Path); // a second mapping of the same page
        long start = guard.Word;
        long taken = daemon.TryTake(start, OwnershipBoard.Owner.Daemon);
        Assert.NotEqual(0, taken);
        Assert.Equal(taken, guard.Word);
        Assert.Equal(OwnershipBoard.Owner.Daemon, OwnershipBoard.OwnerOf(guard.Word));
        Assert.Equal(0, guard.TryTake(start, OwnershipBoard.Owner.Guard)); // a stale view cannot take it
        long byGuard = guard.TryTake(taken, OwnershipBoard.Owner.Guard);
        Assert.Equal(OwnershipBoard.EpochOf(taken) + 1, OwnershipBoard.EpochOf(byGuard));
        Assert.Equal(0, daemon.TryTake(taken, OwnershipBoard.Owner.Daemon)); // the daemon's old epoch is dead
    }

    [Fact]
    public void The_guard_hold_is_read_only_for_the_guard_that_published_it()
    {
        using var state = new TempDir();
        using OwnershipBoard guard = OwnershipBoard.Open(state.Path);
        using OwnershipBoard daemon = OwnershipBoard.Open(state.Path);
        Assert.Null(daemon.GuardHoldSOf(4242)); // nothing published (an older guard)
        guard.PublishGuardHold(4242, 30);
        Assert.Equal(30, daemon.GuardHoldSOf(4242));
        Assert.Null(daemon.GuardHoldSOf(4243)); // left by another guard process: not this guard's hold
        guard.PublishGuardHold(4242, 0);
        Assert.Equal(0, daemon.GuardHoldSOf(4242));
    }

    [Fact]
    public void A_driver_whose_lease_the_guard_took_writes_nothing_any_more()
    {
        using var state = new TempDir();
        using var host = new SimulatedInverterHost(new SimulatedPcsOptions { RatedPowerW = 10_000, LatencyMs = 0, TimeConstantMs = 10, DefaultRampPctPerS = 1000 }, IPAddress.Loopback, 0);
        using DaemonLease lease = DaemonLease.Take(state.Path, NullLogger.Instance);
        lease.PublishDevices([new GuardDevice("pcs1", "127.0.0.1", host.Port, 1, 10_000, false)], state.Path);
        var driver = new SunSpecInverter(new SunSpecInverterOptions
        {
            Id = "pcs1", Modbus = { Host = "127.0.0.1", Port = host.Port, RequestTimeoutMs = 500 }, UnitId = 1, RevertTimeoutS = 1,
            RampPctPerS = 1000, PollPeriodMs = 20, HeartbeatPeriodMs = 100, LeaseObserveMs = 200,
        }, lease: lease);
        try
        {
            Wait.Until(() => driver.IsOperating, Timeout, "the driver operating", () => driver.LastError);
            Wait.Until(() =>
            {
                driver.PostSetpoint(2000, 0);
                Thread.Sleep(5);
                return host.Simulator.Snapshot().PowerW > 1990;
            }, Timeout, "the device at 2000 W", () => host.Simulator.Snapshot().ToString());

            // The guard takes the board (its own mapping), as after a lost heartbeat.
            using OwnershipBoard guard = OwnershipBoard.Open(state.Path);
            Assert.NotEqual(0, guard.TryTake(guard.Word, OwnershipBoard.Owner.Guard));
            Assert.False(lease.IsHeld);
            double slotBefore = guard.SetpointOf(guard.SlotOf("pcs1"));
            Assert.Equal(2000, slotBefore);

            long writesAtTakeover = -1;
            var posting = Stopwatch.StartNew();
            while (posting.Elapsed < TimeSpan.FromSeconds(1))
            {
                driver.PostSetpoint(5000, 0); // a SIGCONTed loop keeps posting: nothing may reach the device
                Thread.Sleep(5);
                if (writesAtTakeover < 0 && driver.IsFenced)
                {
                    writesAtTakeover = host.Simulator.Snapshot().ControlWrites;
                }
            }

            Assert.True(driver.IsFenced, driver.LastError);
            Assert.Equal(writesAtTakeover, host.Simulator.Snapshot().ControlWrites);
            Assert.NotEqual(5000, host.Simulator.Snapshot().SetpointW); // (it may have reverted on its own: nobody writes)
            Assert.Equal(2000, guard.SetpointOf(guard.SlotOf("pcs1"))); // the fenced loop's posts do not reach the guard
            Assert.True(driver.TryReadState(out InverterState s) || s.Health != InverterHealth.Ok);
            ushort ctrlHb = host.Simulator.Snapshot().ControllerHeartbeat;
            Thread.Sleep(300);
            Assert.Equal(ctrlHb, host.Simulator.Snapshot().ControllerHeartbeat); // no more CtrlHb writes either
        }
        finally
        {
            long before = host.Simulator.Snapshot().ControlWrites;
            driver.Dispose();
            Assert.Equal(before, host.Simulator.Snapshot().ControlWrites); // not even 0 W on the way out
        }
    }

    [Fact]
    public void A_planned_stop_hands_over_only_to_a_live_guard()
    {
        using var state = new TempDir();
        using DaemonLease lease = DaemonLease.Take(state.Path, NullLogger.Instance);
        Assert.True(lease.IsHeld);
        Assert.False(lease.TryHandOver()); // no guard: the daemon ramps out itself
        Assert.True(lease.IsHeld);

        using OwnershipBoard guard = OwnershipBoard.Open(state.Path);
        guard.GuardPid = Environment.ProcessId; // a guard that is alive and ticks
        using var stop = new CancellationTokenSource();
        var ticker = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                guard.GuardTick();
                Thread.Sleep(10);
            }
        });
        ticker.Start();
        try
        {
            Assert.True(lease.TryHandOver());
            Assert.False(lease.IsHeld);
            Assert.Equal(OwnershipBoard.Owner.Guard, OwnershipBoard.OwnerOf(guard.Word));
            Assert.Equal(1, guard.Handover);

            // The next daemon takes it back (the guard stops at its next write check).
            using DaemonLease next = DaemonLease.Take(state.Path, NullLogger.Instance);
            Assert.True(next.IsHeld);
            Assert.Equal(OwnershipBoard.Owner.Daemon, OwnershipBoard.OwnerOf(guard.Word));
            Assert.Equal(0, guard.Handover);
        }
        finally
        {
            stop.Cancel();
            ticker.Join();
        }
    }
}
