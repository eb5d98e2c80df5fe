using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Edge.Runtime.Notify;

/// <summary>
/// The systemd notify protocol, written in-house (sd_notify(3)): newline-separated <c>KEY=VALUE</c> assignments sent
/// as one AF_UNIX datagram to the socket named by <c>$NOTIFY_SOCKET</c> — a filesystem path, or an abstract-namespace
/// name when it starts with '@'. Not for the loop thread (it allocates); never throws: a failed send returns false
/// (systemd may have gone away, and the daemon must keep controlling regardless).
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    /// <summary>Environment variable naming the socket.</summary>
    public const string SocketVariable = "NOTIFY_SOCKET";

    /// <summary>Environment variable with the watchdog timeout, µs.</summary>
    public const string WatchdogUsecVariable = "WATCHDOG_USEC";

    /// <summary>Environment variable with the pid the watchdog is meant for.</summary>
    public const string WatchdogPidVariable = "WATCHDOG_PID";

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly object _sendLock = new();

    /// <summary>Creates a notifier for <paramref name="notifySocket"/> (the value of <c>$NOTIFY_SOCKET</c>).</summary>
    /// <exception cref="ArgumentException">When the value is empty or not a path or '@' name.</exception>
    public SystemdNotifier(string notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket) || (notifySocket[0] != '/' && notifySocket[0] != '@'))
        {
            throw new ArgumentException($"{SocketVariable} must be an absolute path or an '@' abstract name, not '{notifySocket}'.", nameof(notifySocket));
        }

        Address = notifySocket;
        // Abstract names: '@' stands for the leading NUL byte of the kernel's sockaddr_un.
        _endPoint = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>The socket address as given (path or '@name').</summary>
    public string Address { get; }

    /// <summary>Datagrams sent successfully.</summary>
    public long Sent { get; private set; }

    /// <summary>The last send error, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// A notifier for <c>$NOTIFY_SOCKET</c>, or null when it is unset (not started by systemd with Type=notify).
    /// </summary>
    /// <param name="environment">Reads a variable (defaults to the process environment).</param>
    public static SystemdNotifier? FromEnvironment(Func<string, string?>? environment = null)
    {
        string? value = (environment ?? Environment.GetEnvironmentVariable)(SocketVariable);
        return string.IsNullOrEmpty(value) ? null : new SystemdNotifier(value);
    }

    /// <summary>
    /// The watchdog timeout systemd expects pings within (<c>$WATCHDOG_USEC</c>), or null when no watchdog is set or
    /// <c>$WATCHDOG_PID</c> names another process. Ping at half of it (sd_watchdog_enabled(3)).
    /// </summary>
    public static TimeSpan? WatchdogTimeout(Func<string, string?>? environment = null, int? pid = null)
    {
        Func<string, string?> env = environment ?? Environment.GetEnvironmentVariable;
        if (!ulong.TryParse(env(WatchdogUsecVariable), NumberStyles.None, CultureInfo.InvariantCulture, out ulong usec) || usec == 0)
        {
            return null;
        }

        string? watchdogPid = env(WatchdogPidVariable);
        if (!string.IsNullOrEmpty(watchdogPid)
            && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p != (pid ?? Environment.ProcessId)))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(usec);
    }

    /// <summary>Sends <paramref name="state"/> (one or more <c>KEY=VALUE</c> lines) as one datagram.</summary>
    public bool Send(string state)
    {
        byte[] datagram = Encoding.UTF8.GetBytes(state);
        lock (_sendLock)
        {
            try
            {
                _socket.SendTo(datagram, SocketFlags.None, _endPoint);
                Sent++;
                LastError = null;
                return true;
            }
            catch (SocketException e)
            {
                LastError = $"{Address}: {e.SocketErrorCode}: {e.Message}";
                return false;
            }
            catch (ObjectDisposedException)
            {
                LastError = $"{Address}: notifier disposed";
                return false;
            }
        }
    }

    /// <summary>READY=1 (startup finished), with an optional STATUS line.</summary>
    public bool Ready(string? status = null) => Send(status is null ? "READY=1" : $"READY=1\nSTATUS={OneLine(status)}");

    /// <summary>STATUS=… (free text shown by systemctl status).</summary>
    public bool Status(string status) => Send($"STATUS={OneLine(status)}");

    /// <summary>STOPPING=1 (shutdown has begun).</summary>
    public bool Stopping() => Send("STOPPING=1");

    /// <summary>WATCHDOG=1 (keep-alive ping). Send only while the service is healthy (see <see cref="WatchdogPinger"/>).</summary>
    public bool Watchdog() => Send("WATCHDOG=1");

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    private static string OneLine(string text) => text.Replace('\n', ' ').Replace('\r', ' ');
}
