using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Edge.Runtime.Interop;

namespace Edge.Runtime.Realtime;

/// <summary>The real <see cref="IRealtimeOs"/>: Linux syscalls through libc, /proc for limits and capabilities.</summary>
public sealed unsafe class LinuxRealtimeOs : IRealtimeOs
{
    /// <summary>Path of the PM QoS device.</summary>
    public const string DmaLatencyPath = "/dev/cpu_dma_latency";

    /// <summary>The instance.</summary>
    public static LinuxRealtimeOs Instance { get; } = new();

    /// <inheritdoc />
    public bool IsSupported => Libc.IsSupported;

    /// <inheritdoc />
    public int SetFifoPriority(int priority)
    {
        var param = new Libc.SchedParam { Priority = priority };
        return Libc.SchedSetScheduler(0, priority > 0 ? Libc.SCHED_FIFO : Libc.SCHED_OTHER, &param) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <inheritdoc />
    public int SetThreadAffinity(ulong mask) => SetThreadAffinity(0, mask);

    /// <inheritdoc />
    public int SetThreadAffinity(int tid, ulong mask)
    {
        ulong* set = stackalloc ulong[16]; // cpu_set_t: 1024 bits
        new Span<ulong>(set, 16).Clear();
        set[0] = mask;
        return Libc.SchedSetAffinity(tid, 16 * sizeof(ulong), set) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <inheritdoc />
    public ulong AllowedCpus()
    {
        ulong* set = stackalloc ulong[16];
        new Span<ulong>(set, 16).Clear();
        return Libc.SchedGetAffinity(0, 16 * sizeof(ulong), set) == 0 ? set[0] : 0;
    }

    /// <inheritdoc />
    public IReadOnlyList<int> ThreadIds()
    {
        var ids = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
            {
                ids.Add(tid);
            }
        }

        return ids;
    }

    /// <inheritdoc />
    public int CurrentThreadId() => Libc.GetTid();

    /// <inheritdoc />
    public int LockAllMemory() =>
        Libc.MLockAll(Libc.MCL_CURRENT | Libc.MCL_FUTURE | Libc.MCL_ONFAULT) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <inheritdoc />
    public int UnlockAllMemory() => Libc.MUnlockAll() == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <inheritdoc />
    public int HoldDmaLatency(int microseconds, out IDisposable? holder)
    {
        holder = null;
        FileStream? stream = null;
        try
        {
            // bufferSize 0: each Write is one write(2) — the device takes a raw 32-bit value and keeps the request
            // in force until the descriptor is closed.
            stream = new FileStream(DmaLatencyPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
            Span<byte> value = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(value, microseconds);
            stream.Write(value);
            holder = stream;
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            stream?.Dispose();
            return Libc.EACCES;
        }
        catch (FileNotFoundException)
        {
            return Libc.ENOENT;
        }
        catch (DirectoryNotFoundException)
        {
            return Libc.ENOENT;
        }
        catch (IOException e)
        {
            stream?.Dispose();
            return e.HResult & 0xFFFF;
        }
    }

    /// <inheritdoc />
    public ulong MemlockLimitBytes() => Limit(Libc.RLIMIT_MEMLOCK);

    /// <inheritdoc />
    public ulong RtprioLimit() => Limit(Libc.RLIMIT_RTPRIO);

    /// <inheritdoc />
    public bool HasCapability(int capability)
    {
        string? hex = StatusField("CapEff:");
        return hex is not null
            && ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong caps)
            && (caps & (1UL << capability)) != 0;
    }

    /// <inheritdoc />
    public long MappedBytes()
    {
        string? kb = StatusField("VmSize:");
        return kb is not null && long.TryParse(kb.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v * 1024 : 0;
    }

    /// <inheritdoc />
    public GCLatencyMode SetGcLatencyMode(GCLatencyMode mode)
    {
        GCSettings.LatencyMode = mode;
        return GCSettings.LatencyMode;
    }

    /// <inheritdoc />
    public GCLatencyMode GcLatencyMode => GCSettings.LatencyMode;

    private static ulong Limit(int resource)
    {
        Libc.Rlimit limit;
        return Libc.GetRLimit(resource, &limit) == 0 ? limit.Current : 0;
    }

    private static string? StatusField(string name)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    return line[name.Length..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
