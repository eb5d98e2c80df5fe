using System.Globalization;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// The third-party SunSpec inverter (Peers/sunspec_inverter.py, pymodbus) as its own process on a loopback port picked
/// here; it outlives every daemon the test starts and stops only on dispose.
/// </summary>
/// <remarks>
/// The peer binds without SO_REUSEADDR (pymodbus' default): any socket on its port blocks the bind — a listener, another
/// process's connection, and a TIME_WAIT one too (60 s on Linux; left, for instance, by the previous peer on that port
/// when its side of a connection closed first). The port is picked free here and bound by python later: in between,
/// another process may take it. The peer cannot say so at once: its server task fails with "address already in use"
/// while its readiness probe keeps connecting — to nothing (then it prints "failed to listen" and exits, the bind error
/// on stderr), or to the other process's listener (then it prints "ready PORT" although it does not listen itself).
/// Both are detected (the exit with the bind error; no listening socket of the peer's own on the port in /proc) and the
/// peer is started again on a fresh port, at most <see cref="MaxStarts"/> times; <see cref="Port"/> is the port it finally
/// listens on. A port given by the caller is kept (the daemon under test is configured with it): before each start the
/// peer waits (bounded) until no socket is left on it, then binds it again.
/// </remarks>
internal sealed class PyInverter : IDisposable
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Starts tried before a port taken by another process fails the test.</summary>
    public const int MaxStarts = 5;

    private readonly ChildProcess _process;

    public PyInverter(double powerW, double energyWh, double socPct, int port = 0, ITestOutputHelper? output = null)
    {
        var lost = new List<string>();
        while (true)
        {
            int candidate = port > 0 ? Released(port, output) : UnusedPort();
            var process = new ChildProcess(Python,
            [
                Script("sunspec_inverter.py"), "--port", candidate.ToString(CultureInfo.InvariantCulture),
                "--models", Path.Combine(AppContext.BaseDirectory, "SunSpecModels"),
                "--power-w", F(powerW), "--energy-wh", F(energyWh), "--soc-pct", F(socPct), "--latency-ms", "20", "--tau-ms", "50", "--log-ms", "200",
            ]);
            string? bindFailure;
            try
            {
                bindFailure = BindFailure(process, candidate);
            }
            catch
            {
                process.Dispose(); // a failed start leaves no peer behind
                throw;
            }

            if (bindFailure is null)
            {
                _process = process;
                Port = candidate;
                break;
            }

            process.Dispose();
            lost.Add($"start {lost.Count + 1}: port {candidate}: {bindFailure}");
            if (lost.Count == MaxStarts)
            {
                Assert.Fail($"the pymodbus inverter could not bind its port in {MaxStarts} starts ({(port > 0 ? "the port given, each time" : "a fresh port each time")}):\n{string.Join('\n', lost)}");
            }

            output?.WriteLine($"pymodbus inverter, {lost[^1]}; starting it again on {(port > 0 ? "the same port (given by the test) once it is released" : "a fresh port")} ({lost.Count + 1} of {MaxStarts})");
        }
    }

    /// <summary>The port the inverter listens on (the one of its last start).</summary>
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

    /// <summary>
    /// Waits for the peer's readiness on <paramref name="port"/>: null when it listens there itself; why not when its bind
    /// failed because another process had the port. Any other failure (an exit without the bind error, no readiness
    /// within 30 s) fails the test.
    /// </summary>
    private static string? BindFailure(ChildProcess process, int port)
    {
        string ready = $"ready {port}";
        // The bind error reaches stderr only when the peer exits (asyncio reports the failed server task then), and its
        // probe gives up after 5 s: WaitForLine, on an exit, reads the output to its end before it matches again.
        (_, string line) = process.WaitForLine(l => l == ready || IsBindError(l, port), TimeSpan.FromSeconds(30), "the pymodbus inverter's readiness line");
        if (line != ready)
        {
            return $"the peer exited with the bind error \"{line.Trim()}\"";
        }

        if (ListensItself(process, port))
        {
            return null;
        }

        if (process.HasExited)
        {
            Assert.Fail($"the pymodbus inverter exited right after its readiness line:\n{process.Log}");
        }

        return "the peer printed its readiness line, but no listening socket on the port is its own: its readiness probe " +
            "reached another process's listener, its own bind failed (address already in use)";
    }

    /// <summary>asyncio's report of the server's failed bind: "error while attempting to bind on address (…): address already in use".</summary>
    private static bool IsBindError(string line, int port) =>
        line.Contains("attempting to bind on address", StringComparison.Ordinal) && line.Contains($", {port})", StringComparison.Ordinal)
        && line.Contains("address already in use", StringComparison.Ordinal);

    /// <summary>A port no socket is on (picked free, then checked in /proc: bind(0) may hand out a port with TIME_WAIT sockets).</summary>
    private static int UnusedPort()
    {
        int port = Mosquitto.FreePort();
        for (int pick = 1; pick < 20 && SocketsOn(port).Count > 0; pick++)
        {
            port = Mosquitto.FreePort();
        }

        return port; // still in use after 20 picks: the start fails with the bind error and picks again
    }

    /// <summary>Waits (at most 90 s: TIME_WAIT lasts 60 s) until no socket is left on <paramref name="port"/>; returns it.</summary>
    private static int Released(int port, ITestOutputHelper? output)
    {
        IReadOnlyList<(string State, string Remote, string Inode)> sockets = SocketsOn(port);
        if (sockets.Count == 0)
        {
            return port;
        }

        output?.WriteLine($"pymodbus inverter: port {port} (given by the test) still has sockets on it ({Describe(sockets)}): waiting until they are gone");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Wait.Until(() => (sockets = SocketsOn(port)).Count == 0, TimeSpan.FromSeconds(90), $"port {port} (given by the test) to be released by every socket on it",
            () => Describe(sockets));
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pymodbus inverter: port {port} released after {clock.Elapsed.TotalSeconds:0.0} s"));
        return port;
    }

    private static string Describe(IEnumerable<(string State, string Remote, string Inode)> sockets) =>
        string.Join(", ", sockets.Select(s => $"{s.State} to {s.Remote}"));

    /// <summary>Every TCP socket (IPv4 and IPv6) whose local port is <paramref name="port"/>: state, remote end, inode (0 for TIME_WAIT).</summary>
    private static List<(string State, string Remote, string Inode)> SocketsOn(int port)
    {
        var sockets = new List<(string, string, string)>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …", addresses
            // as HEXIP:HEXPORT, states in hex (0A = LISTEN, 06 = TIME_WAIT).
            foreach (string row in File.ReadLines(table).Skip(1))
            {
                string[] f = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9 && int.Parse(f[1].AsSpan(f[1].LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    sockets.Add((StateName(f[3]), Address(f[2]), f[9]));
                }
            }
        }

        return sockets;
    }

    /// <summary>An IPv4 HEXIP:HEXPORT of /proc/net/tcp (the address in host order, little-endian here) as a.b.c.d:port; IPv6 as it is.</summary>
    private static string Address(string hex)
    {
        int colon = hex.LastIndexOf(':');
        int port = int.Parse(hex.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (colon != 8)
        {
            return hex;
        }

        uint ip = uint.Parse(hex.AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{ip & 0xFF}.{(ip >> 8) & 0xFF}.{(ip >> 16) & 0xFF}.{ip >> 24}:{port}");
    }

    private static string StateName(string hex) => hex switch
    {
        "01" => "ESTABLISHED",
        "02" => "SYN_SENT",
        "03" => "SYN_RECV",
        "04" => "FIN_WAIT1",
        "05" => "FIN_WAIT2",
        "06" => "TIME_WAIT",
        "07" => "CLOSE",
        "08" => "CLOSE_WAIT",
        "09" => "LAST_ACK",
        "0A" => "LISTEN",
        "0B" => "CLOSING",
        _ => $"state 0x{hex}",
    };

    /// <summary>True when one of <paramref name="process"/>'s own file descriptors is a TCP socket listening on <paramref name="port"/>.</summary>
    private static bool ListensItself(ChildProcess process, int port)
    {
        var listening = SocketsOn(port).Where(s => s.State == "LISTEN").Select(s => $"socket:[{s.Inode}]").ToHashSet(StringComparer.Ordinal);
        string[] fds;
        try
        {
            fds = Directory.GetFiles($"/proc/{process.Pid}/fd");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (process.HasExited)
            {
                return false; // the caller reports the exit
            }

            Assert.Fail($"cannot read the pymodbus inverter's file descriptors (/proc/{process.Pid}/fd): {e.Message}");
            return false;
        }

        foreach (string fd in fds)
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && listening.Contains(target))
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // closed while listing (its readiness probe's connection, say): not the listener
            }
        }

        return false;
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
