using System.Globalization;
using System.Text.RegularExpressions;
using Edge.Modbus;
using Edge.Modbus.Client;
using Edge.Modbus.Registers;
using Edge.Modbus.SunSpec;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 11 item 3: <c>edge check --inverter HOST:PORT</c> measures a SunSpec inverter — here <c>edge sim inverter</c>
/// processes, one well-behaved and two misbehaving ones (a foreign Modbus writer plus slow dynamics; a model 124
/// device with a random-delay window) — and says PASS/WARN/FAIL per item from what it measured.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed partial class CheckMeasureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public void A_well_behaved_inverter_passes_with_its_latency_and_time_constant_measured()
    {
        using var sim = StartSim("--latency-ms", "20", "--tau-ms", "50");
        (int exit, Dictionary<string, (string Verdict, string Detail)> table) = Check(sim.Port);
        Assert.Equal(0, exit);
        Assert.Equal("PASS", table["WSet read-back"].Verdict);
        Assert.Equal("PASS", table["124 InOutWRte_WinTms"].Verdict);
        Assert.Equal("PASS", table["command latency"].Verdict);
        Assert.Equal("PASS", table["time constant"].Verdict);
        Assert.Equal("PASS", table["increases ramped (WRmp)"].Verdict);
        Assert.InRange(Number(table["command latency"].Detail, @"([\d.]+) ms dead time"), 5, 80);   // 20 ms configured
        Assert.InRange(Number(table["time constant"].Detail, @"τ ([\d.]+) ms"), 25, 120);            // 50 ms configured
        Assert.Contains(table["decreases ramped"].Verdict, new[] { "PASS", "WARN" });
        Assert.Matches("^(holds|ramps|steps)", table["revert"].Detail);
        Assert.DoesNotContain("restore", string.Join(",", table.Keys), StringComparison.Ordinal);

        // Left as found: not enabled any more beyond what it was, and at 0 W.
        using var client = Connect(sim.Port);
        Assert.True(Read704(client, "WSet") == 0, "WSet not restored to 0 W");
    }

    [Fact]
    public void A_foreign_writer_and_slow_dynamics_are_found()
    {
        using var sim = StartSim("--latency-ms", "300", "--tau-ms", "600");
        using var stop = new CancellationTokenSource();
        // Another Modbus master: writes WSet = 150 W every 200 ms from its own connection.
        var foreign = new Thread(() =>
        {
            using var client = Connect(sim.Port);
            ushort address = Address704(client, "WSet");
            var regs = new ushort[2];
            RegisterCodec.WriteInt32(regs, 150);
            while (!stop.IsCancellationRequested)
            {
                client.WriteMultipleRegisters(1, address, regs);
                stop.Token.WaitHandle.WaitOne(200);
            }
        }) { IsBackground = true };
        foreign.Start();
        try
        {
            (int exit, var table) = Check(sim.Port);
            Assert.Equal(1, exit);
            Assert.Equal("FAIL", table["WSet read-back"].Verdict);
            Assert.Contains("another Modbus master", table["WSet read-back"].Detail, StringComparison.Ordinal);
            Assert.Equal("skip", table["dynamics"].Verdict); // never measured (and fought) against another writer
            Assert.False(table.ContainsKey("revert"));
        }
        finally
        {
            stop.Cancel();
            foreign.Join();
        }

        // Without the foreign writer: the slow device is measured as slow.
        (int exit2, var slow) = Check(sim.Port);
        Assert.Equal("PASS", slow["WSet read-back"].Verdict);
        Assert.Equal("WARN", slow["command latency"].Verdict);
        Assert.Equal("WARN", slow["time constant"].Verdict);
        Assert.InRange(Number(slow["command latency"].Detail, @"([\d.]+) ms dead time"), 200, 450);
        Assert.InRange(Number(slow["time constant"].Detail, @"τ ([\d.]+) ms"), 400, 900);
        Assert.Equal(0, exit2);
    }

    [Fact]
    public void A_random_delay_window_in_model_124_fails()
    {
        using var sim = StartSim("--model", "124");
        using (var client = Connect(sim.Port))
        {
            Assert.True(SunSpecDiscovery.TryDiscover(client, 1, out SunSpecMap? map, out string error), error);
            ushort win = map!.Find(SunSpecModels.Storage)!.AddressOf("InOutWRte_WinTms");
            Assert.True(client.WriteSingleRegister(1, win, 30).IsOk, "the simulator refused InOutWRte_WinTms");
        }

        (int exit, var table) = Check(sim.Port);
        Assert.Equal(1, exit);
        Assert.Equal("FAIL", table["124 InOutWRte_WinTms"].Verdict);
        Assert.Contains("random 0–30 s", table["124 InOutWRte_WinTms"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void After_the_sign_test_every_inverter_of_a_hil_rig_is_at_0_W_and_stays_there()
    {
        // Two external inverters: the sign test posted 0 W once, then nothing; each driver was disposed only on its
        // own measurement turn, so meanwhile the other device reverted to a WSetRvrt that lagged the ramp-out (~39 W).
        using var sim1 = StartSim("--power-w", "1600", "--energy-wh", "54");
        using var sim2 = StartSim("--power-w", "1600", "--energy-wh", "54");
        using var check = EdgeExecutable.Start(["check", "--rig", "hil", $"Sim:InverterEndpoints=127.0.0.1:{sim1.Port},127.0.0.1:{sim2.Port}", "Mqtt:Enabled=false"]);
        check.WaitForExit(Timeout);
        output.WriteLine(check.Log);
        var rows = new Dictionary<string, (string Verdict, string Detail)>(StringComparer.Ordinal);
        foreach ((_, string line) in check.Lines)
        {
            Match m = RowPattern().Match(line);
            if (m.Success)
            {
                rows[m.Groups[1].Value.TrimEnd()] = (m.Groups[2].Value, m.Groups[3].Value);
            }
        }

        Assert.Equal("PASS", rows["sign test: battery power"].Verdict);
        foreach (string pcs in new[] { "pcs1", "pcs2" })
        {
            // Each device is found idle when its turn comes, seconds after the sign test: 0 W, not a stale revert value.
            Assert.StartsWith("0 W held", rows[$"inverter {pcs}: WSet read-back"].Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("not idle", rows[$"inverter {pcs}: revert"].Detail, StringComparison.Ordinal);
        }

        // And both are left at 0 W (the revert register at 0 too), past their 2 s revert timeout.
        Thread.Sleep(3000);
        foreach (SimProcess sim in new[] { sim1, sim2 })
        {
            using var client = Connect(sim.Port);
            Assert.Equal(0, Read704(client, "WSet"));
            Assert.Equal(0, Read704(client, "WSetRvrt"));
        }
    }

    private (int Exit, Dictionary<string, (string Verdict, string Detail)> Table) Check(int port)
    {
        using var check = EdgeExecutable.Start(["check", "--inverter", $"127.0.0.1:{port}", "--step-w", "200"]);
        int exit = check.WaitForExit(Timeout);
        output.WriteLine(check.Log);
        var table = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        string prefix = $"inverter 127.0.0.1:{port}: ";
        foreach ((_, string line) in check.Lines)
        {
            Match m = RowPattern().Match(line);
            if (m.Success && line.StartsWith(prefix, StringComparison.Ordinal))
            {
                table[m.Groups[1].Value[prefix.Length..].TrimEnd()] = (m.Groups[2].Value, m.Groups[3].Value);
            }
        }

        Assert.True(table.Count > 0, "no table rows:\n" + check.Log);
        return (exit, table);
    }

    private static SimProcess StartSim(params string[] args)
    {
        string[] power = args.Contains("--power-w") ? [] : ["--power-w", "10000"];
        var p = EdgeExecutable.Start(["sim", "inverter", "--port", "0", .. power, "--quiet", .. args]);
        string line = p.WaitForLine(l => l.StartsWith("listening on", StringComparison.Ordinal), Timeout, "the simulator listening").Line;
        return new SimProcess(p, int.Parse(PortPattern().Match(line).Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private sealed record SimProcess(ChildProcess Process, int Port) : IDisposable
    {
        public void Dispose() => Process.Dispose();
    }

    private static ModbusTcpClient Connect(int port)
    {
        var client = new ModbusTcpClient(new ModbusClientOptions { Host = "127.0.0.1", Port = port });
        Assert.True(client.TryConnect(), "no connection to the simulator");
        return client;
    }

    private static ushort Address704(ModbusTcpClient client, string point)
    {
        Assert.True(SunSpecDiscovery.TryDiscover(client, 1, out SunSpecMap? map, out string error), error);
        return map!.Find(SunSpecModels.DerControlAc)!.AddressOf(point);
    }

    private static int Read704(ModbusTcpClient client, string point)
    {
        var regs = new ushort[2];
        Assert.True(client.ReadHoldingRegisters(1, Address704(client, point), regs).IsOk);
        return RegisterCodec.ReadInt32(regs);
    }

    private static double Number(string text, string pattern)
    {
        Match m = Regex.Match(text, pattern);
        Assert.True(m.Success, $"'{pattern}' not in '{text}'");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@":(\d+) ")]
    private static partial Regex PortPattern();

    [GeneratedRegex(@"^(.*?)\s{2,}(PASS|WARN|FAIL|skip)\s+(.*)$")]
    private static partial Regex RowPattern();
}
