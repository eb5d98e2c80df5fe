using System.Globalization;
using System.Net;
using Edge.Simulation.Inverter;
using Xunit.Abstractions;

namespace Edge.Modbus.Tests;

/// <summary>The simulated inverter against third-party clients: mbpoll and pymodbus.</summary>
public sealed class SimulatorPeerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(30);

    // mbpoll [options] host [values to write]: "-0" = zero-based (protocol) addresses, "-1" = poll once.
    private static string[] Mbpoll(int port, string[] options, params string[] values) =>
        ["-m", "tcp", "-p", port.ToString(CultureInfo.InvariantCulture), "-a", "1", "-0", "-1", .. options, "127.0.0.1", .. values];

    [Fact]
    public void Mbpoll_reads_the_SunSpec_marker_and_model_headers()
    {
        if (!Peer.HasMbpoll(output))
        {
            return;
        }

        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        (int code, string text) = Peer.Run("/usr/bin/mbpoll", Mbpoll(host.Port, ["-t", "4:hex", "-r", "40000", "-c", "4"]), PeerTimeout);
        output.WriteLine(text);
        Assert.Equal(0, code);
        Assert.Contains("[40000]: \t0x5375", text, StringComparison.Ordinal);
        Assert.Contains("[40001]: \t0x6E53", text, StringComparison.Ordinal);
        Assert.Contains("[40002]: \t0x0001", text, StringComparison.Ordinal); // model 1
        Assert.Contains("[40003]: \t0x0042", text, StringComparison.Ordinal); // L = 66
    }

    [Fact]
    public void Mbpoll_commands_the_simulated_inverter_through_model_704()
    {
        if (!Peer.HasMbpoll(output))
        {
            return;
        }

        using var host = new SimulatedInverterHost(new SimulatedPcsOptions { LatencyMs = 0, TimeConstantMs = 10 }, IPAddress.Loopback, 0);
        ushort wSetEna = host.Simulator.Models.First(m => m.Id == 704).AddressOf("WSetEna");
        ushort wSet = host.Simulator.Models.First(m => m.Id == 704).AddressOf("WSet");

        (int code, string text) = Peer.Run("/usr/bin/mbpoll", Mbpoll(host.Port, ["-r", wSetEna.ToString(CultureInfo.InvariantCulture)], "1"), PeerTimeout);
        Assert.True(code == 0, text);
        // WSet is int32, high word first: mbpoll's -B selects that word order. −2500 W = charging.
        (code, text) = Peer.Run("/usr/bin/mbpoll", Mbpoll(host.Port, ["-t", "4:int", "-B", "-r", wSet.ToString(CultureInfo.InvariantCulture)], "--", "-2500"), PeerTimeout);
        Assert.True(code == 0, text);

        ushort w701 = host.Simulator.Models.First(m => m.Id == 701).AddressOf("W");
        Wait.For(() => (short)host.Simulator.GetRegister(w701) == -2500, TimeSpan.FromSeconds(10), () => host.Simulator.Snapshot().ToString());
        (code, text) = Peer.Run("/usr/bin/mbpoll", Mbpoll(host.Port, ["-r", w701.ToString(CultureInfo.InvariantCulture), "-c", "1"]), PeerTimeout);
        output.WriteLine(text);
        Assert.Equal(0, code);
        Assert.Contains($"[{w701}]: \t63036 (-2500)", text, StringComparison.Ordinal); // mbpoll shows raw uint16 and signed

        // A read-only point refuses writes with exception 2 (illegal data address); mbpoll reports the failure.
        (code, _) = Peer.Run("/usr/bin/mbpoll", Mbpoll(host.Port, ["-r", w701.ToString(CultureInfo.InvariantCulture)], "5"), PeerTimeout);
        Assert.NotEqual(0, code);
    }

    [Fact]
    public void Pymodbus_walks_the_SunSpec_model_chain_of_the_simulated_inverter()
    {
        if (!Peer.HasPymodbus(output))
        {
            return;
        }

        using var host = new SimulatedInverterHost(new SimulatedPcsOptions(), IPAddress.Loopback, 0);
        (int code, string text) = Peer.Run(Peer.Python, [Peer.Script("pymodbus_sunspec_read.py"), host.Port.ToString(CultureInfo.InvariantCulture)], PeerTimeout);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains("SunS at 40000", text, StringComparison.Ordinal);
        // Lengths from the published model definitions: 1 → 66, 701 → 153, 704 → 65, 713 → 7, 802 → 62.
        Assert.Contains("model 1 at 40002 length 66", text, StringComparison.Ordinal);
        Assert.Contains("model 701 at 40070 length 153", text, StringComparison.Ordinal);
        Assert.Contains("model 704 at 40225 length 65", text, StringComparison.Ordinal);
        Assert.Contains("model 713 at 40292 length 7", text, StringComparison.Ordinal);
        Assert.Contains("model 802 at 40301 length 62", text, StringComparison.Ordinal);
        Assert.Contains("end", text, StringComparison.Ordinal);
        Assert.Contains("Mn Edge", text, StringComparison.Ordinal);
    }
}
