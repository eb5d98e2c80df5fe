using System.Net;
using System.Net.Sockets;

namespace Edge.Modbus.Tests;

/// <summary>Picks a loopback TCP port that is free right now (bind to 0, read it back, release it).</summary>
internal static class FreePort
{
    public static int Pick()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}
