using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Edge.Guard;

/// <summary>
/// The page the daemon and the guard share (docs/guard.md): <c>{Edge:StateDirectory}/guard.board</c>, one 4 KiB file
/// mapped shared by both processes and updated only with atomic instructions — no locks, no system calls, no
/// allocation on the paths that run every control period.
/// <code>
///   0  u64  magic "EDGEGRD1"
///   8  i64  ownership word = epoch &lt;&lt; 8 | owner (0 none, 1 daemon, 2 guard); every change is a compare-and-swap to epoch + 1
///  16  i32  daemon pid (the process that holds or last held the daemon side)
///  20  i32  guard pid
///  24  i64  daemon beat: +1 for every setpoint the control loop posts
///  32  i64  guard beat: +1 per guard tick
///  40  i32  handover: 1 = the daemon handed over on a planned stop (the guard holds before it ramps out)
///  44  i32  slot count
///  48  f64  ramp limit for the guard, W/s (the daemon's min(ramp up, ramp down))
///  56  i64  the guard's hold after a planned handover: its pid &lt;&lt; 32 | the hold in ms (0: not published)
///  64  slots of 64 bytes: 56 bytes of UTF-8 inverter id, then f64 the last setpoint posted, W
/// </code>
/// </summary>
internal sealed unsafe class OwnershipBoard : IDisposable
{
    /// <summary>The file's name inside the state directory.</summary>
    public const string FileName = "guard.board";

    /// <summary>Most inverters the board has slots for.</summary>
    public const int MaxSlots = 16;

    private const long Magic = 0x3144524747454445; // "EDGEGRD1" little-endian
    private const int Size = 4096;
    private const int SlotsOffset = 64;
    private const int SlotSize = 64;
    private const int IdBytes = 56;

    private int _disposed;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    private OwnershipBoard(string path)
    {
        Path = path;
        using (var f = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            Allocate(f, path);
        }

        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, Size, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor(0, Size, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
        Interlocked.CompareExchange(ref L(0), Magic, 0);
        if (Volatile.Read(ref L(0)) != Magic)
        {
            throw new InvalidDataException($"{path} is not an edge guard board (bad magic): remove it while neither edge nor edge-guard runs");
        }
    }

    /// <summary>Who may write to the inverters.</summary>
    public enum Owner
    {
        /// <summary>Nobody yet.</summary>
        None = 0,

        /// <summary>The daemon (<c>edge run</c>).</summary>
        Daemon = 1,

        /// <summary>The guard (<c>edge guard</c>).</summary>
        Guard = 2,
    }

    /// <summary>The mapped file.</summary>
    public string Path { get; }

    /// <summary>The ownership word (epoch &lt;&lt; 8 | owner), read with acquire semantics.</summary>
    public long Word => Volatile.Read(ref L(8));

    /// <summary>The daemon's pid.</summary>
    public int DaemonPid
    {
        get => Volatile.Read(ref I(16));
        set => Volatile.Write(ref I(16), value);
    }

    /// <summary>The guard's pid.</summary>
    public int GuardPid
    {
        get => Volatile.Read(ref I(20));
        set => Volatile.Write(ref I(20), value);
    }

    /// <summary>The daemon's beat counter.</summary>
    public long DaemonBeat => Volatile.Read(ref L(24));

    /// <summary>The guard's beat counter.</summary>
    public long GuardBeat => Volatile.Read(ref L(32));

    /// <summary>1 after a planned handover by the daemon, else 0.</summary>
    public int Handover
    {
        get => Volatile.Read(ref I(40));
        set => Volatile.Write(ref I(40), value);
    }

    /// <summary>Slots in use.</summary>
    public int SlotCount => Math.Clamp(Volatile.Read(ref I(44)), 0, MaxSlots);

    /// <summary>The ramp limit the guard ramps the total battery power at, W/s.</summary>
    public double RampWPerS
    {
        get => Volatile.Read(ref D(48));
        set => Volatile.Write(ref D(48), value);
    }

    /// <summary>
    /// The hold after a planned handover of the guard with pid <paramref name="guardPid"/>, s, or null when that guard
    /// did not publish one (an older guard, or a value left by another guard process).
    /// </summary>
    public double? GuardHoldSOf(int guardPid)
    {
        long v = Volatile.Read(ref L(56));
        return v != 0 && (int)(v >>> 32) == guardPid ? (uint)v / 1000.0 : null;
    }

    /// <summary>Publishes this guard's hold after a planned handover, s (0–3600), tagged with its pid.</summary>
    public void PublishGuardHold(int guardPid, double holdS) =>
        Volatile.Write(ref L(56), ((long)guardPid << 32) | (uint)Math.Round(Math.Clamp(holdS, 0, 3600) * 1000));

    /// <summary>
    /// Opens (or creates) the board in <paramref name="stateDirectory"/>. Throws <see cref="IOException"/> naming the file
    /// and the reason when its page cannot be allocated (a full or read-only filesystem, a quota).
    /// </summary>
    public static OwnershipBoard Open(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        return new OwnershipBoard(System.IO.Path.Combine(stateDirectory, FileName));
    }

    /// <summary>The owner in a word.</summary>
    public static Owner OwnerOf(long word) => (Owner)(word & 0xFF);

    /// <summary>The epoch in a word.</summary>
    public static long EpochOf(long word) => word >>> 8;

    /// <summary>The word that follows <paramref name="word"/> with <paramref name="owner"/>.</summary>
    public static long Next(long word, Owner owner) => ((EpochOf(word) + 1) << 8) | (long)owner;

    /// <summary>Atomically moves ownership from <paramref name="expected"/> to <paramref name="owner"/>; the new word, or 0 when someone else moved first.</summary>
    public long TryTake(long expected, Owner owner)
    {
        long next = Next(expected, owner);
        return Interlocked.CompareExchange(ref L(8), next, expected) == expected ? next : 0;
    }

    /// <summary>One daemon heartbeat: publishes the setpoint of slot <paramref name="slot"/> and counts the beat.</summary>
    public void Beat(int slot, double setpointW)
    {
        if ((uint)slot < MaxSlots)
        {
            Volatile.Write(ref D(SlotsOffset + (slot * SlotSize) + IdBytes), setpointW);
        }

        Interlocked.Increment(ref L(24));
    }

    /// <summary>One guard tick.</summary>
    public void GuardTick() => Interlocked.Increment(ref L(32));

    /// <summary>The last setpoint the daemon posted to slot <paramref name="slot"/>, W.</summary>
    public double SetpointOf(int slot) => (uint)slot < MaxSlots ? Volatile.Read(ref D(SlotsOffset + (slot * SlotSize) + IdBytes)) : double.NaN;

    /// <summary>The inverter id in slot <paramref name="slot"/>.</summary>
    public string IdOf(int slot)
    {
        var bytes = new ReadOnlySpan<byte>(_base + SlotsOffset + (slot * SlotSize), IdBytes);
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    /// <summary>Lays out the slots for <paramref name="ids"/> (the daemon, at start, while it owns the board). Not on a hot path.</summary>
    public void SetSlots(IReadOnlyList<string> ids, IReadOnlyList<double> initialW)
    {
        if (ids.Count > MaxSlots)
        {
            throw new InvalidOperationException($"the guard board has room for {MaxSlots} inverters, the rig has {ids.Count}");
        }

        for (int i = 0; i < ids.Count; i++)
        {
            var id = new Span<byte>(_base + SlotsOffset + (i * SlotSize), IdBytes);
            id.Clear();
            Encoding.UTF8.GetBytes(ids[i].AsSpan(0, Math.Min(ids[i].Length, IdBytes / 4)), id);
            Volatile.Write(ref D(SlotsOffset + (i * SlotSize) + IdBytes), initialW[i]);
        }

        Volatile.Write(ref I(44), ids.Count);
    }

    /// <summary>The slot of inverter <paramref name="id"/>, or −1.</summary>
    public int SlotOf(string id)
    {
        for (int i = 0; i < SlotCount; i++)
        {
            if (IdOf(i) == id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Idempotent: the daemon is disposed by the host both as itself and as its hosted service.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>
    /// Gives the board's page real blocks before it is mapped. A file made only long enough (SetLength: a hole) is
    /// mapped fine, and then the first store to the page faults for a block the filesystem may not have — SIGBUS, which
    /// .NET cannot catch (on a full tmpfs: <c>AccessViolationException</c> in this constructor, exit 134, and under
    /// systemd's <c>Restart=always</c> a crash loop with no guard). posix_fallocate allocates the blocks or says why
    /// not (ENOSPC, EDQUOT, EFBIG), and never changes bytes already written, so a board in use by the other process is
    /// left as it is. Where the filesystem cannot allocate (EOPNOTSUPP: glibc emulates it, musl does not), the part
    /// past the end of the file is written with zeros instead — a write that reports ENOSPC as well.
    /// </summary>
    private static void Allocate(FileStream f, string path)
    {
        int fd = (int)f.SafeFileHandle.DangerousGetHandle();
        int error;
        do
        {
            error = Environment.Is64BitProcess ? GuardNative.PosixFallocate(fd, 0, Size) : GuardNative.PosixFallocate64(fd, 0, Size);
        }
        while (error == GuardNative.EIntr);

        if (error == GuardNative.EOpNotSupp)
        {
            long length = f.Length;
            if (length < Size)
            {
                f.Position = length;
                f.Write(new byte[Size - length]);
                f.Flush(flushToDisk: true);
            }

            return;
        }

        if (error != 0)
        {
            throw new IOException(
                $"cannot allocate the guard board {path} ({Size} bytes): {Marshal.GetPInvokeErrorMessage(error)} (errno {error}) — free space on that filesystem (or use another Edge:StateDirectory / --state-directory); mapped without its blocks, the board would crash the process on its first write");
        }
    }

    private ref long L(int offset) => ref Unsafe.AsRef<long>(_base + offset);

    private ref int I(int offset) => ref Unsafe.AsRef<int>(_base + offset);

    private ref double D(int offset) => ref Unsafe.AsRef<double>(_base + offset);
}

/// <summary>The few system calls the guard protocol needs (source-generated: no allocation).</summary>
internal static partial class GuardNative
{
    /// <summary>SIGKILL.</summary>
    public const int SigKill = 9;

    /// <summary>True when process <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0 || Kill(pid, 0) != 0)
        {
            return false;
        }

        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return !(close > 0 && stat.Length > close + 2 && stat[close + 2] is 'Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>EINTR.</summary>
    public const int EIntr = 4;

    /// <summary>EOPNOTSUPP (Linux).</summary>
    public const int EOpNotSupp = 95;

    /// <summary>kill(2).</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>posix_fallocate(3) with a 64-bit off_t (64-bit processes); returns 0 or the error number (errno is not set).</summary>
    [LibraryImport("libc", EntryPoint = "posix_fallocate")]
    public static partial int PosixFallocate(int fd, long offset, long length);

    /// <summary>posix_fallocate64(3) (32-bit processes, whose off_t is 32 bits); returns 0 or the error number.</summary>
    [LibraryImport("libc", EntryPoint = "posix_fallocate64")]
    public static partial int PosixFallocate64(int fd, long offset, long length);
}
