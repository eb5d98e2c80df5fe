using System.Runtime.InteropServices;

namespace Edge.Modbus.Threading;

/// <summary>
/// An auto-reset wake-up from one producer (the control loop) to one consumer (an I/O worker). <see cref="Set"/> is
/// lock-free and allocation-free: an atomic exchange plus, only when the flag was clear, one <c>futex(FUTEX_WAKE)</c>
/// system call on Linux. On other systems it falls back to <see cref="SemaphoreSlim"/> (which takes a short internal lock).
/// </summary>
public sealed unsafe partial class WakeSignal : IDisposable
{
    private const int FutexWaitPrivate = 128 | 0;
    private const int FutexWakePrivate = 128 | 1;

    private readonly int* _word;
    private long _futexSyscall;
    private readonly SemaphoreSlim? _fallback;
    private bool _disposed;

    /// <summary>Creates a cleared signal.</summary>
    public WakeSignal()
    {
        _word = (int*)NativeMemory.AllocZeroed(sizeof(int));
        _futexSyscall = !OperatingSystem.IsLinux() ? -1 : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 202,
            Architecture.Arm64 => 98,
            Architecture.Arm => 240,
            _ => -1,
        };
        if (_futexSyscall >= 0)
        {
            try
            {
                Syscall(_futexSyscall, _word, FutexWakePrivate, 1, null, null, 0); // probe: wakes nobody
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _futexSyscall = -1;
            }
        }

        if (_futexSyscall < 0)
        {
            _fallback = new SemaphoreSlim(0, 1);
        }
    }

    /// <summary>True when the lock-free futex path is in use.</summary>
    public bool UsesFutex => _fallback is null;

    /// <summary>Sets the signal and wakes the waiter if it sleeps. Never blocks.</summary>
    public void Set()
    {
        if (Interlocked.Exchange(ref *_word, 1) != 0)
        {
            return;
        }

        if (_fallback is null)
        {
            Syscall(_futexSyscall, _word, FutexWakePrivate, 1, null, null, 0);
        }
        else if (_fallback.CurrentCount == 0)
        {
            try
            {
                _fallback.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <summary>Waits until set or until <paramref name="timeoutMs"/> passes; clears the signal. Returns true when it was set.</summary>
    public bool Wait(int timeoutMs)
    {
        if (Interlocked.Exchange(ref *_word, 0) != 0)
        {
            return true;
        }

        if (timeoutMs <= 0)
        {
            return false;
        }

        if (_fallback is null)
        {
            Timespec ts = new() { Seconds = timeoutMs / 1000, Nanoseconds = timeoutMs % 1000 * 1_000_000L };
            Syscall(_futexSyscall, _word, FutexWaitPrivate, 0, &ts, null, 0); // returns at once unless *_word == 0
        }
        else
        {
            _fallback.Wait(timeoutMs);
        }

        return Interlocked.Exchange(ref *_word, 0) != 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _fallback?.Dispose();
        NativeMemory.Free(_word);
    }

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number, int* address, int operation, int value, Timespec* timeout, int* address2, int value3);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
