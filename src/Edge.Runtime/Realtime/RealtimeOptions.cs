using Edge.Core;

namespace Edge.Runtime.Realtime;

/// <summary>
/// Real-time setup of the loop (configuration section <c>Realtime</c>). Every item is optional; a privilege that is
/// missing is reported by name and the loop carries on without that item.
/// </summary>
public sealed class RealtimeOptions
{
    /// <summary>SCHED_FIFO priority of the loop thread, 1–99; 0 keeps the normal scheduler.</summary>
    public int FifoPriority { get; set; }

    /// <summary>CPU the loop thread is pinned to; −1 leaves it unpinned.</summary>
    public int Cpu { get; set; } = -1;

    /// <summary>
    /// CPUs every other thread of the process is kept on, as a list such as "0" or "0-2"; empty leaves them alone.
    /// Applied to the threads that exist when the loop starts.
    /// </summary>
    public string OtherThreadsCpus { get; set; } = "";

    /// <summary>Lock memory with mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT): pages stay resident once touched.</summary>
    public bool LockMemory { get; set; }

    /// <summary>Hold /dev/cpu_dma_latency open with 0 written while the loop runs (no deep C-states, as cyclictest).</summary>
    public bool HoldDmaLatencyZero { get; set; }

    /// <summary>Set GCSettings.LatencyMode = SustainedLowLatency while the loop runs (no blocking gen2 collections).</summary>
    public bool SustainedLowLatencyGc { get; set; } = true;

    /// <summary>All items on: FIFO 80, memory locked, DMA latency 0, low-latency GC (unpinned).</summary>
    public static RealtimeOptions Full() => new() { FifoPriority = 80, LockMemory = true, HoldDmaLatencyZero = true };

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Realtime")
    {
        var c = new OptionChecks(section);
        c.Range(nameof(FifoPriority), FifoPriority, 0, 99, "(0 = normal scheduling)");
        c.Range(nameof(Cpu), Cpu, -1, 1023, "(−1 = unpinned)");
        if (!CpuList.TryParse(OtherThreadsCpus, out _))
        {
            c.Fail(nameof(OtherThreadsCpus), OtherThreadsCpus, "must be a CPU list such as 0 or 0-2,4 (empty = leave alone)");
        }

        return c.Errors;
    }

    /// <summary>Returns a copy.</summary>
    public RealtimeOptions Clone() => (RealtimeOptions)MemberwiseClone();
}
