using System.Runtime.InteropServices;

namespace Edge.Mqtt.Commands;

/// <summary>
/// The kernel's view (Linux <c>adjtimex(2)</c>, read-only): the clock is unsynchronised while the call returns
/// <c>TIME_ERROR</c> — <c>STA_UNSYNC</c> set, which the kernel clears only when an NTP daemon (chrony, systemd-timesyncd,
/// ntpd) disciplines the clock, and sets again when none has for a while. Elsewhere (no adjtimex) the clock is taken as
/// unsynchronised, with that reason.
/// </summary>
public sealed class KernelClockStatus : IWallClockStatus
{
    private const int TimeError = 5;

    /// <inheritdoc />
    public string? Unsynchronised()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the wall clock's synchronisation cannot be checked on this OS (adjtimex is Linux-only)";
        }

        // struct timex is 208 bytes on 64-bit Linux, less on 32-bit; modes = 0 (the first field) only reads.
        long[] timex = new long[32];
        int state;
        try
        {
            state = Native.Adjtimex(timex);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "the wall clock's synchronisation cannot be checked (adjtimex unavailable: " + e.Message + ")";
        }

        return state switch
        {
            -1 => $"the wall clock's synchronisation cannot be checked (adjtimex failed, errno {Marshal.GetLastPInvokeError()})",
            TimeError => "the wall clock is not synchronised (adjtimex: TIME_ERROR/STA_UNSYNC); start chrony or systemd-timesyncd, or fit an RTC",
            _ => null,
        };
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "adjtimex", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in this project; one call per command is cheap.
        public static extern int Adjtimex([In, Out] long[] timex);
#pragma warning restore SYSLIB1054
    }
}
