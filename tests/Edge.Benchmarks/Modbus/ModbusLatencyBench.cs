using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Edge.Modbus;
using Edge.Modbus.Client;
using Edge.Modbus.Inverter;
using Edge.Modbus.Registers;
using Edge.Simulation.Inverter;

namespace Edge.Benchmarks.Modbus;

/// <summary>
/// Setpoint write round-trip latency on loopback (one FC 16 of the two WSet registers, send → checked answer),
/// against our simulated inverter and against a pymodbus server in the same run, reported as percentiles and as
/// the ratio pymodbus / ours. Also measures the same writes through the SunSpec driver's I/O worker.
/// <code>
/// dotnet run -c Release --project tests/Edge.Benchmarks -- modbus-latency [--writes 20000] [--warmup 2000] [--json OUT.json]
/// </code>
/// </summary>
public static class ModbusLatencyBench
{
    /// <summary>Runs the benchmark; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        int writes = IntOption(args, "--writes", 20_000);
        int warmup = IntOption(args, "--warmup", 2_000);
        string? json = StringOption(args, "--json");
        string script = StringOption(args, "--pymodbus-script") ?? FindPymodbusScript();

        Console.Error.WriteLine($"modbus-latency: {writes} setpoint writes per peer after {warmup} warm-up writes, loopback, 1 client");

        Stats ours;
        Stats driver;
        using (var host = new SimulatedInverterHost(new SimulatedPcsOptions { LatencyMs = 20, TimeConstantMs = 50 }, IPAddress.Loopback, 0))
        {
            ushort wSet = host.Simulator.Models.First(m => m.Id == 704).AddressOf("WSet");
            ours = Measure("edge sim inverter (in-process)", host.Port, wSet, writes, warmup);
            driver = MeasureDriver(host.Port, writes, warmup);
        }

        Stats pymodbus;
        int port = FreePort();
        using (Process py = StartPymodbus(script, port))
        {
            pymodbus = Measure("pymodbus 3.0 server", port, 300, writes, warmup);
            py.Kill(entireProcessTree: true);
            py.WaitForExit(5000);
        }

        Console.WriteLine();
        Console.WriteLine($"{"peer",-34} {"n",7} {"p50 µs",9} {"p90 µs",9} {"p99 µs",9} {"p99.9 µs",9} {"max µs",9}");
        foreach (Stats s in new[] { ours, driver, pymodbus })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Peer,-34} {s.Count,7} {s.P50,9:F1} {s.P90,9:F1} {s.P99,9:F1} {s.P999,9:F1} {s.Max,9:F1}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio pymodbus / ours: p50 {pymodbus.P50 / ours.P50:F2}×, p99 {pymodbus.P99 / ours.P99:F2}×; goal p99 ≤ 1000 µs against ours: {(ours.P99 <= 1000 ? "met" : "NOT met")}"));

        if (json is not null)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(new
            {
                writes,
                warmup,
                results = new[] { ours, driver, pymodbus },
                ratio_p50 = pymodbus.P50 / ours.P50,
                ratio_p99 = pymodbus.P99 / ours.P99,
            }, new JsonSerializerOptions { WriteIndented = true }));
        }

        return 0;
    }

    private static Stats Measure(string peer, int port, ushort address, int writes, int warmup)
    {
        using var client = new ModbusTcpClient(new ModbusClientOptions { Port = port, RequestTimeoutMs = 1000 });
        ushort[] regs = new ushort[2];
        double[] us = new double[writes];
        for (int i = -warmup; i < writes; i++)
        {
            RegisterCodec.WriteInt32(regs, (i & 1) == 0 ? 1000 : -1000);
            long t0 = Stopwatch.GetTimestamp();
            ModbusResult r = client.WriteMultipleRegisters(1, address, regs);
            long t1 = Stopwatch.GetTimestamp();
            if (!r.IsOk)
            {
                throw new InvalidOperationException($"{peer}: write {i} failed: {r}");
            }

            if (i >= 0)
            {
                us[i] = (t1 - t0) * 1e6 / Stopwatch.Frequency;
            }
        }

        return Stats.Of(peer, us);
    }

    private static Stats MeasureDriver(int port, int writes, int warmup)
    {
        var options = new SunSpecInverterOptions
        {
            Id = "bench",
            Modbus = new ModbusClientOptions { Port = port },
            HeartbeatPeriodMs = 100,
            LeaseObserveMs = 200,
            PollPeriodMs = 100,
        };
        using var inverter = new SunSpecInverter(options);
        var deadline = Stopwatch.StartNew();
        while (!inverter.IsOperating)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"driver did not start: {inverter.LastError}");
            }

            Thread.Sleep(10);
        }

        long target = inverter.SetpointWrites + warmup + writes;
        int k = 0;
        while (inverter.SetpointWrites < target && deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            // Post and wait for the write to be acknowledged before the next one: one write per post.
            long before = inverter.SetpointWrites;
            inverter.PostSetpoint((k++ & 1) == 0 ? 1000 : -1000, 0);
            while (inverter.SetpointWrites == before && deadline.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.SpinWait(20);
            }
        }

        double[] us = new double[writes];
        int n = inverter.CopyWriteLatenciesUs(us);
        return Stats.Of("SunSpecInverter worker → sim", us.AsSpan(0, n).ToArray());
    }

    private static Process StartPymodbus(string script, int port)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null)
        {
            if (line.StartsWith("ready", StringComparison.Ordinal))
            {
                return p;
            }
        }

        throw new InvalidOperationException("pymodbus server did not become ready (is python3-pymodbus installed?)");
    }

    private static string FindPymodbusScript()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Edge.Modbus.Tests", "Peers", "pymodbus_server.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/Edge.Modbus.Tests/Peers/pymodbus_server.py not found; pass --pymodbus-script PATH");
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        string? s = StringOption(args, name);
        return s is null ? fallback : int.Parse(s, CultureInfo.InvariantCulture);
    }

    private static string? StringOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Latency percentiles of one peer, µs.</summary>
    public sealed record Stats(string Peer, int Count, double P50, double P90, double P99, double P999, double Max)
    {
        /// <summary>Computes percentiles (nearest rank) of <paramref name="us"/>.</summary>
        public static Stats Of(string peer, double[] us)
        {
            double[] sorted = [.. us];
            Array.Sort(sorted);
            double At(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
            return new Stats(peer, sorted.Length, At(0.5), At(0.9), At(0.99), At(0.999), sorted.Length == 0 ? double.NaN : sorted[^1]);
        }
    }
}
