using System.Net.Sockets;
using HostingSystemd = Microsoft.Extensions.Hosting.Systemd;

namespace Edge.Benchmarks.DotnetIot;

/// <summary>
/// The cost of one sd_notify datagram (WATCHDOG=1) to a fake <c>$NOTIFY_SOCKET</c> — a Unix datagram socket bound in a
/// temporary directory and drained by a thread — through Edge's <see cref="Edge.Runtime.Notify.SystemdNotifier"/> (one
/// socket, reused) and through Microsoft.Extensions.Hosting.Systemd's <c>SystemdNotifier.Notify</c> (a socket created,
/// connected and closed per call). Time and bytes allocated per notify on the calling thread, median of 5 rounds, and a
/// check that every datagram arrived with the right content.
/// </summary>
internal static class SystemdNotifyBench
{
    public static List<(string Name, double Ns, double Bytes)> Run(int iterations)
    {
        string dir = Directory.CreateTempSubdirectory("edge-bench-notify-").FullName;
        string path = Path.Combine(dir, "notify.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.ReceiveBufferSize = 4 * 1024 * 1024;
        long received = 0, wrong = 0;
        var drain = new Thread(() =>
        {
            byte[] buffer = new byte[256];
            while (true)
            {
                int n;
                try
                {
                    n = server.Receive(buffer);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                if (!buffer.AsSpan(0, n).SequenceEqual("WATCHDOG=1"u8))
                {
                    Interlocked.Increment(ref wrong);
                }

                Interlocked.Increment(ref received);
            }
        }) { IsBackground = true, Name = "notify-drain" };
        drain.Start();

        var rows = new List<(string, double, double)>();
        string? before = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        try
        {
            using var edge = new Edge.Runtime.Notify.SystemdNotifier(path);
            (double ns, double b) = Measure.Run(() => edge.Watchdog(), iterations);
            rows.Add(("sd_notify WATCHDOG=1: Edge SystemdNotifier (one socket, reused)", ns, b));

            // Hosting.Systemd reads $NOTIFY_SOCKET when constructed.
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
            var microsoft = new HostingSystemd.SystemdNotifier();
            if (!microsoft.IsEnabled)
            {
                throw new InvalidOperationException("Hosting.Systemd's notifier did not pick up NOTIFY_SOCKET");
            }

            var watchdog = new HostingSystemd.ServiceState("WATCHDOG=1");
            (ns, b) = Measure.Run(() => microsoft.Notify(watchdog), iterations);
            rows.Add(("sd_notify WATCHDOG=1: Hosting.Systemd SystemdNotifier.Notify", ns, b));

            long expected = 2L * (Math.Min(iterations, 10_000) + (5L * iterations));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Interlocked.Read(ref received) < expected && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }

            Console.Error.WriteLine($"  notify socket received {Interlocked.Read(ref received)} of {expected} datagrams, {Interlocked.Read(ref wrong)} with other content");
            if (Interlocked.Read(ref wrong) != 0)
            {
                throw new InvalidOperationException("a notify datagram arrived with the wrong content");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", before);
            server.Dispose();
            drain.Join(TimeSpan.FromSeconds(2));
            Directory.Delete(dir, recursive: true);
        }

        return rows;
    }
}
