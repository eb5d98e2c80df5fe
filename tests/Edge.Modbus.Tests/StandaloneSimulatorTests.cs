using System.Globalization;
using System.Text.RegularExpressions;
using Edge.Core.Devices;
using Edge.Modbus.Inverter;
using Xunit.Abstractions;

namespace Edge.Modbus.Tests;

/// <summary>
/// End to end: <c>edge sim inverter</c> as its own process; the SunSpec driver discovers and commands it over
/// loopback, the battery follows, and when the writes stop the device reverts to the setpoint the driver tracked (it holds).
/// </summary>
public sealed partial class StandaloneSimulatorTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void Edge_sim_inverter_runs_standalone_and_the_driver_commands_it()
    {
        string edge = EdgeDll();
        using var sim = new Peer.Server("dotnet",
            [edge, "sim", "inverter", "--port", "0", "--power-w", "20000", "--latency-ms", "30", "--tau-ms", "80", "--soc-pct", "60", "--quiet"],
            "listening on", TimeSpan.FromSeconds(60));
        int port = int.Parse(PortPattern().Match(sim.Log).Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine(sim.Log);

        if (Peer.HasMbpoll(output))
        {
            (int code, string text) = Peer.Run("/usr/bin/mbpoll",
                ["-m", "tcp", "-p", port.ToString(CultureInfo.InvariantCulture), "-a", "1", "-0", "-1", "-t", "4:hex", "-r", "40000", "-c", "2", "127.0.0.1"],
                TimeSpan.FromSeconds(30));
            Assert.True(code == 0, text);
            Assert.Contains("0x5375", text, StringComparison.Ordinal);
        }

        SunSpecInverterOptions options = InverterDriverTests.DriverOptions(port);
        options.RampPctPerS = 100; // 20 kW/s
        using var driver = new SunSpecInverter(options);
        Wait.For(() => driver.IsOperating, Timeout, () => driver.LastError);
        Assert.Equal("SunS@40000: 1@40002(L=66), 701@40070(L=153), 704@40225(L=65), 713@40292(L=7), 802@40301(L=62)", driver.Map!.ToString());
        Assert.True(driver.TryReadState(out InverterState first));
        Assert.Equal(60, first.SocPct, 0);
        Assert.Equal(20_000, first.AllowedDischargeW, 0);

        Wait.For(() =>
        {
            driver.PostSetpoint(-6000, 0);
            return driver.TryReadState(out InverterState s) && s.MeasuredPowerW < -5950;
        }, Timeout, () => driver.TryReadState(out InverterState s) ? s.ToString() : "no state");

        var posting = System.Diagnostics.Stopwatch.StartNew();
        while (posting.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            driver.PostSetpoint(-6000, 0); // the reversion setpoint tracks it (≤ 1 Hz)
            Thread.Sleep(10);
        }

        // Writes stop: the device's own revert timer (1 s) fires and it reverts to the tracked -6000 W — it holds instead
        // of stepping to 0 W (SunSpec does not ramp decreases).
        Thread.Sleep(2500);
        Assert.True(driver.TryReadState(out InverterState held) && held.MeasuredPowerW < -5950, held.ToString());
    }

    private static string EdgeDll()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Edge", "bin", configuration, "net10.0", "edge.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"src/Edge/bin/{configuration}/net10.0/edge.dll not found (it is built with this test project)");
    }

    [GeneratedRegex(@"listening on [^:]+:(\d+)")]
    private static partial Regex PortPattern();
}
