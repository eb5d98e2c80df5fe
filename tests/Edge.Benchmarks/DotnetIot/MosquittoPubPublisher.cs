using System.Diagnostics;
using System.Globalization;

namespace Edge.Benchmarks.DotnetIot;

/// <summary>
/// mosquitto_pub (the C client of mosquitto-clients) publishing the same N messages at QoS 1 with the same inflight
/// window: <c>mosquitto_pub -l -M inflight</c> reads one message per line from stdin (a file of N payload lines) and
/// exits once everything was sent and acknowledged. Timed from process start to exit (its start-up and connect, a few
/// ms, are included — as in tests/Edge.Benchmarks/mqtt-vs-mosquitto-pub.sh). N ≤ 65535 (message ids wrap beyond).
/// </summary>
internal static class MosquittoPubPublisher
{
    public static async Task<double> RunAsync(int port, int count, int inflight, byte[] payload, string linesFile)
    {
        if (count > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "mosquitto_pub -l stops early beyond 65535 messages (message ids wrap)");
        }

        if (!File.Exists(linesFile) || new FileInfo(linesFile).Length != (long)(payload.Length + 1) * count)
        {
            using var f = File.Create(linesFile);
            for (int i = 0; i < count; i++)
            {
                f.Write(payload);
                f.WriteByte((byte)'\n');
            }
        }

        var psi = new ProcessStartInfo("mosquitto_pub")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "bench/mosquitto-pub", "-q", "1", "-l",
                     "-M", inflight.ToString(CultureInfo.InvariantCulture), "-i", "bench-mosquitto-pub" })
        {
            psi.ArgumentList.Add(a);
        }

        var sw = Stopwatch.StartNew();
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("mosquitto_pub did not start (apt-get install mosquitto-clients)");
        using (FileStream lines = File.OpenRead(linesFile))
        {
            await lines.CopyToAsync(p.StandardInput.BaseStream);
        }

        p.StandardInput.Close();
        string err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        sw.Stop();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"mosquitto_pub exited {p.ExitCode}: {err}");
        }

        return count / sw.Elapsed.TotalSeconds;
    }
}
