using System.Runtime;
using Edge.Runtime.Realtime;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Tests;

public sealed class RealtimeSetupTests
{
    /// <summary>An OS whose every call can be made to fail with a chosen errno.</summary>
    private sealed class FakeOs : IRealtimeOs
    {
        public bool IsSupported { get; set; } = true;
        public int FifoErrno { get; set; }
        public int AffinityErrno { get; set; }
        public int LockErrno { get; set; }
        public int DmaErrno { get; set; }
        public bool CapSysNice { get; set; }
        public bool CapIpcLock { get; set; }
        public ulong Allowed { get; set; } = 0b11;
        public GCLatencyMode Gc { get; set; } = GCLatencyMode.Interactive;
        public bool RefuseGc { get; set; }
        public int? FifoSetTo { get; private set; }
        public ulong? AffinitySetTo { get; private set; }
        public List<(int Tid, ulong Mask)> Moved { get; } = [];
        public bool Locked { get; private set; }
        public bool DmaHeld { get; private set; }

        public int SetFifoPriority(int priority)
        {
            if (FifoErrno == 0)
            {
                FifoSetTo = priority;
            }

            return FifoErrno;
        }

        public int SetThreadAffinity(ulong mask)
        {
            if (AffinityErrno == 0)
            {
                AffinitySetTo = mask;
            }

            return AffinityErrno;
        }

        public int SetThreadAffinity(int tid, ulong mask)
        {
            Moved.Add((tid, mask));
            return 0;
        }

        public ulong AllowedCpus() => Allowed;

        public IReadOnlyList<int> ThreadIds() => [100, 101, 102];

        public int CurrentThreadId() => 101;

        public int LockAllMemory()
        {
            Locked = LockErrno == 0;
            return LockErrno;
        }

        public int UnlockAllMemory()
        {
            Locked = false;
            return 0;
        }

        public int HoldDmaLatency(int microseconds, out IDisposable? holder)
        {
            holder = null;
            if (DmaErrno != 0)
            {
                return DmaErrno;
            }

            DmaHeld = true;
            holder = new Release(() => DmaHeld = false);
            return 0;
        }

        public ulong MemlockLimitBytes() => 8 * 1024 * 1024;

        public ulong RtprioLimit() => 0;

        public bool HasCapability(int capability) => capability switch
        {
            RealtimeSetup.CapSysNice => CapSysNice,
            RealtimeSetup.CapIpcLock => CapIpcLock,
            _ => false,
        };

        public long MappedBytes() => 3L * 1024 * 1024 * 1024;

        public GCLatencyMode SetGcLatencyMode(GCLatencyMode mode)
        {
            if (!RefuseGc)
            {
                Gc = mode;
            }

            return Gc;
        }

        public GCLatencyMode GcLatencyMode => Gc;

        private sealed class Release(Action action) : IDisposable
        {
            public void Dispose() => action();
        }
    }

    private static RealtimeOptions All() => new()
    {
        FifoPriority = 80,
        Cpu = 1,
        OtherThreadsCpus = "0",
        LockMemory = true,
        HoldDmaLatencyZero = true,
        SustainedLowLatencyGc = true,
    };

    [Fact]
    public void Everything_applied_is_reported_as_applied_and_released_on_dispose()
    {
        var os = new FakeOs();
        RealtimeReport thread = RealtimeSetup.ApplyThread(All(), os);
        RealtimeSession session = RealtimeSetup.ApplyProcess(All(), os);

        Assert.Equal(80, os.FifoSetTo);
        Assert.Equal(0b10UL, os.AffinitySetTo);
        Assert.Equal([(100, 1UL), (102, 1UL)], os.Moved);
        Assert.True(os.Locked);
        Assert.True(os.DmaHeld);
        Assert.Equal(GCLatencyMode.SustainedLowLatency, os.Gc);
        Assert.All(thread.Items.Concat(session.Report.Items), i => Assert.Equal(RealtimeOutcome.Applied, i.Outcome));

        session.Dispose();
        Assert.False(os.DmaHeld);
        Assert.False(os.Locked);
        Assert.Equal(GCLatencyMode.Interactive, os.Gc);
    }

    [Fact]
    public void Missing_CAP_SYS_NICE_is_named_with_the_way_to_grant_it()
    {
        var os = new FakeOs { FifoErrno = 1 };
        RealtimeItem item = RealtimeSetup.ApplyThread(All(), os).Find(RealtimeSetup.Fifo)!;

        Assert.Equal(RealtimeOutcome.Failed, item.Outcome);
        Assert.Contains("EPERM", item.Detail, StringComparison.Ordinal);
        Assert.Contains("missing CAP_SYS_NICE", item.Detail, StringComparison.Ordinal);
        Assert.Contains("RLIMIT_RTPRIO is 0", item.Detail, StringComparison.Ordinal);
        Assert.Contains("LimitRTPRIO=80", item.Detail, StringComparison.Ordinal);
        Assert.Contains("Carrying on", item.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void EPERM_with_CAP_SYS_NICE_held_points_at_the_cgroup_real_time_budget()
    {
        var os = new FakeOs { FifoErrno = 1, CapSysNice = true };
        RealtimeItem item = RealtimeSetup.ApplyThread(All(), os).Find(RealtimeSetup.Fifo)!;

        Assert.Equal(RealtimeOutcome.Failed, item.Outcome);
        Assert.Contains("cpu.rt_runtime_us", item.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Memlock_limit_is_named_with_its_value_and_the_unit_setting()
    {
        var os = new FakeOs { LockErrno = 12 };
        using RealtimeSession session = RealtimeSetup.ApplyProcess(All(), os);
        RealtimeItem item = session.Report.Find(RealtimeSetup.MemoryLock)!;

        Assert.Equal(RealtimeOutcome.Failed, item.Outcome);
        Assert.Contains("ENOMEM", item.Detail, StringComparison.Ordinal);
        Assert.Contains("RLIMIT_MEMLOCK is 8 MiB", item.Detail, StringComparison.Ordinal);
        Assert.Contains("3072 MiB", item.Detail, StringComparison.Ordinal);
        Assert.Contains("LimitMEMLOCK=infinity", item.Detail, StringComparison.Ordinal);
        Assert.False(os.Locked);
        // The other items still applied: a missing privilege never stops the rest.
        Assert.Equal(RealtimeOutcome.Applied, session.Report.Find(RealtimeSetup.DmaLatency)!.Outcome);
    }

    [Fact]
    public void Dma_latency_permission_and_absence_are_named()
    {
        var denied = new FakeOs { DmaErrno = 13 };
        using (RealtimeSession s = RealtimeSetup.ApplyProcess(All(), denied))
        {
            RealtimeItem item = s.Report.Find(RealtimeSetup.DmaLatency)!;
            Assert.Equal(RealtimeOutcome.Failed, item.Outcome);
            Assert.Contains("no permission on /dev/cpu_dma_latency", item.Detail, StringComparison.Ordinal);
            Assert.False(s.HoldsDmaLatency);
        }

        var absent = new FakeOs { DmaErrno = 2 };
        using RealtimeSession s2 = RealtimeSetup.ApplyProcess(All(), absent);
        Assert.Contains("does not exist", s2.Report.Find(RealtimeSetup.DmaLatency)!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cpu_outside_the_allowed_set_is_refused_before_asking_the_kernel()
    {
        var os = new FakeOs { Allowed = 0b01 };
        RealtimeItem item = RealtimeSetup.ApplyThread(All(), os).Find(RealtimeSetup.Affinity)!;

        Assert.Equal(RealtimeOutcome.Failed, item.Outcome);
        Assert.Contains("CPU 1 is not in this process's allowed set (0)", item.Detail, StringComparison.Ordinal);
        Assert.Null(os.AffinitySetTo);
    }

    [Fact]
    public void Refused_gc_mode_and_unsupported_os_are_reported()
    {
        var os = new FakeOs { RefuseGc = true };
        using RealtimeSession s = RealtimeSetup.ApplyProcess(All(), os);
        Assert.Contains("needs concurrent GC", s.Report.Find(RealtimeSetup.GcLatency)!.Detail, StringComparison.Ordinal);

        var other = new FakeOs { IsSupported = false };
        RealtimeReport r = RealtimeSetup.ApplyThread(All(), other);
        Assert.True(r.AnyFailed);
        Assert.Contains("not supported", r.Find(RealtimeSetup.Fifo)!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_requested_is_reported_as_skipped()
    {
        var os = new FakeOs();
        var none = new RealtimeOptions { SustainedLowLatencyGc = false };
        RealtimeReport r = RealtimeSetup.ApplyThread(none, os);
        using RealtimeSession s = RealtimeSetup.ApplyProcess(none, os);

        Assert.All(r.Items.Concat(s.Report.Items), i => Assert.Equal(RealtimeOutcome.Skipped, i.Outcome));
        Assert.Null(os.FifoSetTo);
        Assert.False(os.Locked);
    }

    [Fact]
    public void The_executive_applies_the_setup_on_its_loop_thread_and_reports_it_at_start()
    {
        var os = new FakeOs { FifoErrno = 1 };
        var clock = new VirtualClock();
        using var exec = new CyclicExecutive(new ScriptedCycle(clock), new LoopOptions { PeriodMs = 1 }, new VirtualSleeper(clock), All(), os);

        RealtimeReport report = exec.Start(cycles: 10);

        Assert.True(exec.Wait(TimeSpan.FromSeconds(30)));
        Assert.Null(exec.Failure);
        Assert.Equal(10, exec.Statistics.ReadCounters().Cycles);
        Assert.Equal(RealtimeOutcome.Failed, report.Find(RealtimeSetup.Fifo)!.Outcome);
        Assert.Equal(RealtimeOutcome.Applied, report.Find(RealtimeSetup.Affinity)!.Outcome);
        Assert.Equal(RealtimeOutcome.Applied, report.Find(RealtimeSetup.MemoryLock)!.Outcome);
        Assert.Contains("SCHED_FIFO", report.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 0UL)]
    [InlineData("0", 1UL)]
    [InlineData("0-2,5", 0b100111UL)]
    public void Cpu_lists_parse_and_format(string text, ulong mask)
    {
        Assert.True(CpuList.TryParse(text, out ulong parsed));
        Assert.Equal(mask, parsed);
        if (mask != 0)
        {
            Assert.Equal(text, CpuList.Format(mask));
        }
    }

    [Theory]
    [InlineData("x")]
    [InlineData("3-1")]
    [InlineData("64")]
    public void Bad_cpu_lists_are_rejected(string text)
    {
        Assert.False(CpuList.TryParse(text, out _));
        Assert.Contains(new RealtimeOptions { OtherThreadsCpus = text }.Validate(), e => e.Path == "Realtime:OtherThreadsCpus");
    }
}
