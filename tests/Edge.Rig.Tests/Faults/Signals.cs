using System.Runtime.InteropServices;

namespace Edge.Rig.Tests.Faults;

/// <summary>kill(2) to a process the scenario started (an inverter process of the hil rig, found among edge's children).</summary>
internal static class Signals
{
    public const int Stop = 19;
    public const int Cont = 18;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
