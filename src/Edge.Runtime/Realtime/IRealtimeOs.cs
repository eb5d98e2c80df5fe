namespace Edge.Runtime.Realtime;

/// <summary>
/// The operating-system calls real-time setup makes, behind an interface so that tests can inject every failure
/// (EPERM, ENOMEM, EACCES…) and check the report. Results are 0 on success or a Linux errno value.
/// </summary>
public interface IRealtimeOs
{
    /// <summary>True when these calls are available at all (Linux).</summary>
    bool IsSupported { get; }

    /// <summary>Switches the calling thread to SCHED_FIFO at <paramref name="priority"/>.</summary>
    int SetFifoPriority(int priority);

    /// <summary>Pins the calling thread to the CPUs in <paramref name="mask"/>.</summary>
    int SetThreadAffinity(ulong mask);

    /// <summary>Pins thread <paramref name="tid"/> to the CPUs in <paramref name="mask"/>.</summary>
    int SetThreadAffinity(int tid, ulong mask);

    /// <summary>CPUs this process may run on.</summary>
    ulong AllowedCpus();

    /// <summary>Thread ids of this process.</summary>
    IReadOnlyList<int> ThreadIds();

    /// <summary>Kernel thread id of the calling thread.</summary>
    int CurrentThreadId();

    /// <summary>mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT).</summary>
    int LockAllMemory();

    /// <summary>munlockall().</summary>
    int UnlockAllMemory();

    /// <summary>Opens /dev/cpu_dma_latency and writes <paramref name="microseconds"/>; the request holds while <paramref name="holder"/> is open.</summary>
    int HoldDmaLatency(int microseconds, out IDisposable? holder);

    /// <summary>Soft RLIMIT_MEMLOCK, bytes (ulong.MaxValue = unlimited).</summary>
    ulong MemlockLimitBytes();

    /// <summary>Soft RLIMIT_RTPRIO.</summary>
    ulong RtprioLimit();

    /// <summary>True when the effective capability set holds capability number <paramref name="capability"/>.</summary>
    bool HasCapability(int capability);

    /// <summary>Size of the process's mapped memory (VmSize), bytes; 0 when unknown.</summary>
    long MappedBytes();

    /// <summary>Sets the GC latency mode; returns the mode in force afterwards (the runtime may refuse).</summary>
    System.Runtime.GCLatencyMode SetGcLatencyMode(System.Runtime.GCLatencyMode mode);

    /// <summary>The GC latency mode in force.</summary>
    System.Runtime.GCLatencyMode GcLatencyMode { get; }
}
