using System.Globalization;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// The third-party SunSpec inverter (Peers/sunspec_inverter.py, pymodbus) as its own process on a loopback port picked
/// here; it outlives every daemon the test starts and stops only on dispose.
/// </summary>
internal sealed class PyInverter : IDisposable
{
    public const string Python = "/usr/bin/python3";

    private readonly ChildProcess _process;

    public PyInverter(double powerW, double energyWh, double socPct, int port = 0)
    {
        Port = port > 0 ? port : Mosquitto.FreePort();
        _process = new ChildProcess(Python,
        [
            Script("sunspec_inverter.py"), "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--models", Path.Combine(AppContext.BaseDirectory, "SunSpecModels"),
            "--power-w", F(powerW), "--energy-wh", F(energyWh), "--soc-pct", F(socPct), "--latency-ms", "20", "--tau-ms", "50", "--log-ms", "200",
        ]);
        _process.WaitForLine(l => l == $"ready {Port}", TimeSpan.FromSeconds(30), "the pymodbus inverter's readiness line");
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public int Pid => _process.Pid;

    public bool HasExited => _process.HasExited;

    public string Log => _process.Log;

    /// <summary>Sends a signal to the inverter's process (SIGUSR1 toggles refusing writes).</summary>
    public void Signal(int signal) => _process.Signal(signal);

    /// <summary>Waits for a line the inverter prints (within 10 s).</summary>
    public void WaitForLine(string line) => _process.WaitForLine(l => l == line, TimeSpan.FromSeconds(10), $"the inverter's \"{line}\"");

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Peers", name);

    public void Dispose() => _process.Dispose();

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
