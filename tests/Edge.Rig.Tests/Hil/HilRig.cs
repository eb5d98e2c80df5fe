using System.Diagnostics;
using System.Globalization;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// The hardware-in-the-loop rig the fault suites share (<see cref="DaemonDeathTests"/>, <see cref="ControlFaultTests"/>):
/// the built <c>edge</c> on <c>--rig hil</c> attached to two 2000 W pymodbus SunSpec inverters, a steady load and a grid
/// cap that make the batteries discharge ~880 W, the ramp and dynamic-range limits every 1 s window of the batteries'
/// total is held to, and the helpers that read the inverters' own delivered power (<see cref="PowerPoller"/>).
/// </summary>
internal static class HilRig
{
    public const double RampWPerS = 200;
    public const double DynamicRangeW = 50;
    public const double InverterPowerW = 2000;
    public const double GridCapW = 2200;

    /// <summary>The most the batteries' total may move in any 1 s: the ramp limit over 1 s plus the dynamic range, W.</summary>
    public const double LimitW = RampWPerS * 1.0 + DynamicRangeW;

    public const int SigCont = 18;
    public const int SigStop = 19;
    public const int SigUsr1 = 10;

    public const string Site = "rig";
    public const string Node = "hil";

    /// <summary>A steady training load at 95 % of 3.2 kW (no dips, no noise): with the grid capped, the batteries carry ~840 W.</summary>
    public const string SteadyLoad =
        "ai-training:peak_w=3200,duration_s=600,first_idle_s=0,start_ramp_s=0,comm_min_frac=0.95,comm_max_frac=0.95,compute_frac=0.95," +
        "noise_frac=0,checkpoint_every_min_s=3600,checkpoint_every_max_s=3600,crash_prob=0,stall_prob=0,job_mean_s=100000," +
        "iteration_min_s=120,iteration_max_s=120";

    /// <summary>How long <see cref="WaitForZero"/> waits for the batteries at 0 W.</summary>
    private static readonly TimeSpan ZeroTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts <c>edge run --rig hil</c> on the two inverters, the broker and the state directory given.</summary>
    public static ChildProcess StartDaemon(Mosquitto broker, string stateDirectory, PyInverter pcs1, PyInverter pcs2) => EdgeExecutable.Start(
    [
        "run", "--rig", "hil", $"Sim:InverterEndpoints={pcs1.Endpoint},{pcs2.Endpoint}", $"Sim:InverterPowerW={InverterPowerW}",
        $"Edge:StateDirectory={stateDirectory}", "Edge:LiveView=off", $"Edge:Site={Site}", $"Edge:Node={Node}",
        "Mqtt:Host=127.0.0.1", $"Mqtt:Port={broker.Port}", $"Sim:Profile={SteadyLoad}", $"Controller:GridCapW={GridCapW}",
        $"Controller:RampUpWPerS={RampWPerS}", $"Controller:RampDownWPerS={RampWPerS}", $"Controller:DynamicRangeW={DynamicRangeW}",
        "Loop:FaultAfterConsecutiveMisses=1000",
    ]);

    /// <summary>CLOCK_MONOTONIC, s: the time base of <see cref="PowerPoller"/>'s samples.</summary>
    public static double Now() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

    /// <summary>Both batteries discharging ≥ 300 W for the last <paramref name="forS"/> s, and steady (the total within 25 W).</summary>
    public static bool Discharging(PowerPoller poller, double forS)
    {
        var s = poller.Samples();
        if (s.Count == 0 || s[^1].T - s[0].T < forS)
        {
            return false;
        }

        double from = s[^1].T - forS;
        var recent = s.Where(x => x.T >= from).ToList();
        double lo = recent.Min(x => x.W.Sum()), hi = recent.Max(x => x.W.Sum());
        return recent.All(x => x.W.All(w => w >= 300)) && hi - lo <= 25; // and steady: the fault starts from rest
    }

    /// <summary>Both still discharging ≥ 300 W (not necessarily steady).</summary>
    public static bool StillDischarging(PowerPoller poller, double forS)
    {
        var s = poller.Samples();
        double from = s[^1].T - forS;
        return s.Where(x => x.T >= from).All(x => x.W.All(w => w >= 300));
    }

    /// <summary>Waits until the batteries are at ~0 W (the total within 10 W); returns the time (monotonic s) plus 1 s of margin.</summary>
    public static double WaitForZero(PowerPoller poller, ChildProcess edge)
    {
        Wait.Until(() => poller.Latest.W is { Length: 2 } w && Math.Abs(w.Sum()) < 10, ZeroTimeout, "the batteries at 0 W", () => Describe(poller.Latest) + "\n" + edge.Log);
        double t = Now();
        Wait.Until(() => Now() > t + 1, TimeSpan.FromSeconds(5), "one more second");
        return Now();
    }

    public static string Describe((double T, double[] W) s) => string.Join(" + ", s.W.Select(w => w.ToString("0", CultureInfo.InvariantCulture))) + " W";

    /// <summary>The polls in [<paramref name="from"/>, <paramref name="to"/>], one line each, time relative to <paramref name="from"/>.</summary>
    public static string Trace(IReadOnlyList<(double T, double[] W)> samples, double from, double to) =>
        string.Join('\n', samples.Where(s => s.T >= from && s.T <= to).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.T - from:+0.000;-0.000} s  {Describe(s)}  = {s.W.Sum():0}")));

    /// <summary>True when /usr/bin/python3 has pymodbus (server and client); otherwise as <see cref="Peers.Available"/> for a missing peer.</summary>
    public static bool HasPymodbus(ITestOutputHelper output)
    {
        using var p = Process.Start(new ProcessStartInfo(PyInverter.Python, ["-c", "from pymodbus.client import ModbusTcpClient; from pymodbus.server import StartAsyncTcpServer"])
        { RedirectStandardError = true, UseShellExecute = false })!;
        p.WaitForExit();
        return p.ExitCode == 0 || Peers.Available(output, "python3-pymodbus with python3-serial-asyncio (from pymodbus import … failed)");
    }
}
