using System.Net.Sockets;
using System.Text;

namespace Edge.Rig.Tests.Infrastructure;

/// <summary>
/// systemd's side of sd_notify for a test: a bound AF_UNIX datagram socket whose path goes into NOTIFY_SOCKET.
/// A background thread collects every datagram (with the time it arrived) so nothing is missed while the test waits.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly string _path;
    private readonly Thread _reader;
    private readonly List<string> _messages = [];

    public NotifySocket()
    {
        _path = Path.Combine(Path.GetTempPath(), $"edge-rig-notify-{Guid.NewGuid():N}.sock");
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(_path));
        _reader = new Thread(Read) { IsBackground = true, Name = "notify-reader" };
        _reader.Start();
    }

    /// <summary>The value for NOTIFY_SOCKET.</summary>
    public string Address => _path;

    /// <summary>Called on the reader thread for every datagram, as it arrives (before it is listed).</summary>
    public Action<string>? OnMessage { get; set; }

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Waits for a datagram containing the assignment <paramref name="assignment"/> (e.g. READY=1).</summary>
    public string WaitFor(string assignment, TimeSpan timeout)
    {
        string? found = null;
        Wait.Until(() => (found = Messages.FirstOrDefault(m => Has(m, assignment))) is not null, timeout, $"'{assignment}' on NOTIFY_SOCKET",
            () => "received: " + string.Join(" | ", Messages));
        return found!;
    }

    /// <summary>True when datagram <paramref name="message"/> carries the line <paramref name="assignment"/>.</summary>
    public static bool Has(string message, string assignment) => message.Split('\n').Contains(assignment);

    public void Dispose()
    {
        _socket.Dispose();
        _reader.Join(TimeSpan.FromSeconds(2));
        File.Delete(_path);
    }

    private void Read()
    {
        byte[] buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = _socket.Receive(buffer);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            string message = Encoding.UTF8.GetString(buffer, 0, n);
            OnMessage?.Invoke(message);
            lock (_messages)
            {
                _messages.Add(message);
            }
        }
    }
}
