using System.Net;
using System.Net.Sockets;

namespace Edge.Rig.Tests.Infrastructure;

/// <summary>A private Debian mosquitto on a loopback port picked here (anonymous, no persistence), never a system service.</summary>
internal sealed class Mosquitto : IDisposable
{
    private readonly TempDir _dir = new("edge-rig-mosquitto-");
    private readonly ChildProcess _process;

    public Mosquitto()
    {
        _dir.Create();
        Port = FreePort();
        File.WriteAllText(_dir["mosquitto.conf"], $"""
            listener {Port} 127.0.0.1
            allow_anonymous true
            persistence false
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            log_type information

            """);
        _process = new ChildProcess(Peers.Mosquitto, ["-c", _dir["mosquitto.conf"]]);
        _process.WaitForLine(l => l.Contains(" running", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "'mosquitto … running'");
    }

    public int Port { get; }

    public string Log => _process.Log;

    public void Dispose()
    {
        _process.Dispose();
        _dir.Dispose();
    }

    /// <summary>A loopback TCP port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
