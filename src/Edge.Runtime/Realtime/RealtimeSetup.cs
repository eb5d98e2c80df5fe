using System.Globalization;
using System.Runtime;
using Edge.Runtime.Interop;

namespace Edge.Runtime.Realtime;

/// <summary>
/// Applies <see cref="RealtimeOptions"/>: the process-wide items (<see cref="ApplyProcess"/>: mlockall, the DMA
/// latency request, the GC mode) and the loop thread's own (<see cref="ApplyThread"/>, called on that thread:
/// SCHED_FIFO, affinity, and moving the other threads away). Nothing here throws for a missing privilege: every
/// item ends in the report as applied, skipped, or failed with the exact privilege or limit to grant.
/// </summary>
public static class RealtimeSetup
{
    /// <summary>Linux capability number of CAP_IPC_LOCK.</summary>
    public const int CapIpcLock = 14;

    /// <summary>Linux capability number of CAP_SYS_NICE.</summary>
    public const int CapSysNice = 23;

    /// <summary>Feature name of the scheduling item.</summary>
    public const string Fifo = "SCHED_FIFO";

    /// <summary>Feature name of the loop thread's affinity item.</summary>
    public const string Affinity = "affinity";

    /// <summary>Feature name of the other threads' affinity item.</summary>
    public const string OtherThreads = "other threads";

    /// <summary>Feature name of the memory-locking item.</summary>
    public const string MemoryLock = "mlockall";

    /// <summary>Feature name of the DMA latency item.</summary>
    public const string DmaLatency = "cpu_dma_latency";

    /// <summary>Feature name of the GC item.</summary>
    public const string GcLatency = "GC latency";

    /// <summary>Applies the process-wide items; dispose the session to release them.</summary>
    public static RealtimeSession ApplyProcess(RealtimeOptions options, IRealtimeOs os)
    {
        var report = new RealtimeReport();
        bool locked = LockMemory(options, os, report);
        IDisposable? dma = HoldDma(options, os, report);
        GCLatencyMode? restore = SetGc(options, os, report);
        return new RealtimeSession(os, report, dma, locked, restore);
    }

    /// <summary>Applies the thread items to the CALLING thread (call it on the loop thread).</summary>
    public static RealtimeReport ApplyThread(RealtimeOptions options, IRealtimeOs os)
    {
        var report = new RealtimeReport();
        SetFifo(options, os, report);
        SetAffinity(options, os, report);
        MoveOtherThreads(options, os, report);
        return report;
    }

    private static void SetFifo(RealtimeOptions o, IRealtimeOs os, RealtimeReport report)
    {
        if (o.FifoPriority <= 0)
        {
            report.Add(new(Fifo, RealtimeOutcome.Skipped, "not requested: normal scheduling (SCHED_OTHER)"));
            return;
        }

        if (!os.IsSupported)
        {
            report.Add(new(Fifo, RealtimeOutcome.Failed, "not supported on this OS: normal scheduling"));
            return;
        }

        int errno = os.SetFifoPriority(o.FifoPriority);
        if (errno == 0)
        {
            report.Add(new(Fifo, RealtimeOutcome.Applied, $"loop thread at SCHED_FIFO priority {o.FifoPriority}"));
            return;
        }

        string why;
        if (errno == Libc.EPERM && !os.HasCapability(CapSysNice))
        {
            why = $"missing CAP_SYS_NICE, and RLIMIT_RTPRIO is {os.RtprioLimit()} (< {o.FifoPriority}). Grant one: run as root, "
                + $"or set AmbientCapabilities=CAP_SYS_NICE or LimitRTPRIO={o.FifoPriority} in edge.service";
        }
        else if (errno == Libc.EPERM)
        {
            why = "CAP_SYS_NICE is held, so the cgroup gives no real-time budget (cpu.rt_runtime_us = 0, e.g. in a container): "
                + "grant real-time runtime to the service's cgroup";
        }
        else
        {
            why = $"priority {o.FifoPriority} refused";
        }

        report.Add(new(Fifo, RealtimeOutcome.Failed, $"sched_setscheduler: {Libc.Describe(errno)}: {why}. Carrying on at SCHED_OTHER"));
    }

    private static void SetAffinity(RealtimeOptions o, IRealtimeOs os, RealtimeReport report)
    {
        if (o.Cpu < 0)
        {
            report.Add(new(Affinity, RealtimeOutcome.Skipped, "not requested: loop thread unpinned"));
            return;
        }

        if (!os.IsSupported)
        {
            report.Add(new(Affinity, RealtimeOutcome.Failed, "not supported on this OS: unpinned"));
            return;
        }

        ulong allowed = os.AllowedCpus();
        if (o.Cpu > 63 || (allowed != 0 && (allowed & (1UL << o.Cpu)) == 0))
        {
            report.Add(new(Affinity, RealtimeOutcome.Failed,
                $"CPU {o.Cpu} is not in this process's allowed set ({CpuList.Format(allowed)}). Carrying on unpinned"));
            return;
        }

        int errno = os.SetThreadAffinity(1UL << o.Cpu);
        report.Add(errno == 0
            ? new(Affinity, RealtimeOutcome.Applied, $"loop thread pinned to CPU {o.Cpu}")
            : new(Affinity, RealtimeOutcome.Failed, $"sched_setaffinity(CPU {o.Cpu}): {Libc.Describe(errno)}. Carrying on unpinned"));
    }

    private static void MoveOtherThreads(RealtimeOptions o, IRealtimeOs os, RealtimeReport report)
    {
        if (!CpuList.TryParse(o.OtherThreadsCpus, out ulong mask) || mask == 0)
        {
            return;
        }

        if (!os.IsSupported)
        {
            report.Add(new(OtherThreads, RealtimeOutcome.Failed, "not supported on this OS"));
            return;
        }

        int self = os.CurrentThreadId();
        int moved = 0, failed = 0, lastErrno = 0;
        foreach (int tid in os.ThreadIds())
        {
            if (tid == self)
            {
                continue;
            }

            int errno = os.SetThreadAffinity(tid, mask);
            if (errno == 0)
            {
                moved++;
            }
            else
            {
                failed++;
                lastErrno = errno;
            }
        }

        report.Add(failed == 0
            ? new(OtherThreads, RealtimeOutcome.Applied, $"{moved} other threads kept on CPU {CpuList.Format(mask)}")
            : new(OtherThreads, RealtimeOutcome.Failed, $"{failed} of {moved + failed} threads could not be moved to CPU {CpuList.Format(mask)}: {Libc.Describe(lastErrno)}"));
    }

    private static bool LockMemory(RealtimeOptions o, IRealtimeOs os, RealtimeReport report)
    {
        if (!o.LockMemory)
        {
            report.Add(new(MemoryLock, RealtimeOutcome.Skipped, "not requested: pages may be reclaimed and fault back in"));
            return false;
        }

        if (!os.IsSupported)
        {
            report.Add(new(MemoryLock, RealtimeOutcome.Failed, "not supported on this OS"));
            return false;
        }

        int errno = os.LockAllMemory();
        if (errno == 0)
        {
            report.Add(new(MemoryLock, RealtimeOutcome.Applied, "MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT: touched pages stay resident"));
            return true;
        }

        string why = errno switch
        {
            Libc.ENOMEM or Libc.EPERM when !os.HasCapability(CapIpcLock) =>
                $"LimitMEMLOCK too low: RLIMIT_MEMLOCK is {Bytes(os.MemlockLimitBytes())} but the process maps {Bytes((ulong)os.MappedBytes())} "
                + "and lacks CAP_IPC_LOCK. Set LimitMEMLOCK=infinity in edge.service (or grant CAP_IPC_LOCK)",
            Libc.ENOMEM => "the kernel could not lock the process's memory (ENOMEM with CAP_IPC_LOCK held: out of memory)",
            Libc.EINVAL => "the kernel refuses MCL_ONFAULT (needs Linux ≥ 4.4); not falling back to plain MCL_FUTURE, which inflates a .NET process's RSS several-fold",
            _ => "refused",
        };
        report.Add(new(MemoryLock, RealtimeOutcome.Failed, $"mlockall: {Libc.Describe(errno)}: {why}. Carrying on unlocked (page faults may stall the loop)"));
        return false;
    }

    private static IDisposable? HoldDma(RealtimeOptions o, IRealtimeOs os, RealtimeReport report)
    {
        if (!o.HoldDmaLatencyZero)
        {
            report.Add(new(DmaLatency, RealtimeOutcome.Skipped, "not requested: CPUs may enter deep C-states (slower wake-ups)"));
            return null;
        }

        if (!os.IsSupported)
        {
            report.Add(new(DmaLatency, RealtimeOutcome.Failed, "not supported on this OS"));
            return null;
        }

        int errno = os.HoldDmaLatency(0, out IDisposable? holder);
        if (errno == 0)
        {
            report.Add(new(DmaLatency, RealtimeOutcome.Applied, $"{LinuxRealtimeOs.DmaLatencyPath} held at 0 µs while the loop runs"));
            return holder;
        }

        string why = errno switch
        {
            Libc.EACCES or Libc.EPERM => $"no permission on {LinuxRealtimeOs.DmaLatencyPath} (root-only by default): run as root or add a udev rule giving the service's group write access",
            Libc.ENOENT => $"{LinuxRealtimeOs.DmaLatencyPath} does not exist (kernel without PM QoS)",
            _ => "refused",
        };
        report.Add(new(DmaLatency, RealtimeOutcome.Failed, $"{Libc.Describe(errno)}: {why}. Carrying on (CPUs may enter deep C-states)"));
        return null;
    }

    private static GCLatencyMode? SetGc(RealtimeOptions o, IRealtimeOs os, RealtimeReport report)
    {
        if (!o.SustainedLowLatencyGc)
        {
            report.Add(new(GcLatency, RealtimeOutcome.Skipped, $"not requested: {os.GcLatencyMode}"));
            return null;
        }

        GCLatencyMode before = os.GcLatencyMode;
        GCLatencyMode now = os.SetGcLatencyMode(GCLatencyMode.SustainedLowLatency);
        if (now == GCLatencyMode.SustainedLowLatency)
        {
            report.Add(new(GcLatency, RealtimeOutcome.Applied, $"SustainedLowLatency (was {before}): no blocking gen2 collections while running"));
            return before;
        }

        report.Add(new(GcLatency, RealtimeOutcome.Failed,
            $"SustainedLowLatency refused (still {now}): it needs concurrent GC (<ConcurrentGarbageCollection>true, DOTNET_gcConcurrent=1)"));
        return null;
    }

    private static string Bytes(ulong bytes) => bytes == ulong.MaxValue
        ? "unlimited"
        : bytes >= 1 << 20 ? $"{(bytes / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.InvariantCulture)} MiB" : $"{bytes / 1024} KiB";
}
