using System.Net.Sockets;
using System.Text;

namespace Edge.Runtime.Tests;

/// <summary>A test stand-in for systemd's notify socket: a bound AF_UNIX datagram socket (path or abstract).</summary>
internal sealed class NotifyReceiver : IDisposable
{
    private readonly Socket _socket;
    private readonly string? _path;

    private NotifyReceiver(Socket socket, string address, string? path)
    {
        _socket = socket;
        Address = address;
        _path = path;
        _socket.ReceiveTimeout = 10_000; // a missing datagram fails the test instead of hanging it
    }

    /// <summary>The value to put in NOTIFY_SOCKET.</summary>
    public string Address { get; }

    public static NotifyReceiver AtPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edge-notify-{Guid.NewGuid():N}.sock");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return new NotifyReceiver(socket, path, path);
    }

    public static NotifyReceiver Abstract()
    {
        string name = $"edge-notify-{Guid.NewGuid():N}";
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        return new NotifyReceiver(socket, "@" + name, null);
    }

    /// <summary>Receives the next datagram (fails after 10 s).</summary>
    public string Receive()
    {
        byte[] buffer = new byte[4096];
        int n = _socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_path is not null)
        {
            File.Delete(_path);
        }
    }
}
