using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Edge.Benchmarks.DotnetIot;

/// <summary>
/// <c>dotnet run -c Release --project tests/Edge.Benchmarks -- dotnet-iot [--n 20000] [--rounds 3] [--json out.json]</c>:
/// the measurements behind docs/dotnet-iot.md, in one run — I²C and GPIO through the dotnet/iot faces vs Edge's loop
/// paths, the systemd notify path of Edge vs Microsoft.Extensions.Hosting.Systemd, and MQTTnet 5.2 vs Edge's client vs
/// mosquitto_pub publishing QoS 1 to a mosquitto started on a free loopback port (alternating, same broker).
/// </summary>
internal static class DotnetIotBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int n = Arg(args, "--n", 20_000);
        int rounds = Arg(args, "--rounds", 3);
        int inflight = Arg(args, "--inflight", 20);
        string? json = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault();

        Console.Error.WriteLine("I2C / GPIO (per operation, median of 5 rounds):");
        var hw = I2cGpioBench.Run(200_000);

        Console.Error.WriteLine("systemd notify (per datagram to a fake NOTIFY_SOCKET, median of 5 rounds):");
        var notify = SystemdNotifyBench.Run(20_000);
        hw.AddRange(notify);

        Console.Error.WriteLine($"MQTT QoS 1, {n} messages of 300 B, inflight {inflight}, {rounds} alternating rounds (Edge, MQTTnet, mosquitto_pub):");
        var edge = new List<(double, double)>();
        var mqttnet = new List<(double, double)>();
        var mosquittoPub = new List<double>();
        string lines = Path.Combine(Path.GetTempPath(), $"edge-bench-mosquitto-pub-{Environment.ProcessId}.txt");
        byte[] payload = new byte[300];
        Array.Fill(payload, (byte)'x');
        using (var broker = Broker.Start())
        {
            for (int r = 0; r < rounds; r++)
            {
                edge.Add(await EdgeClientPublisher.RunAsync(broker.Port, n, inflight, payload));
                mqttnet.Add(await MqttNetPublisher.RunAsync(broker.Port, n, inflight, payload));
                mosquittoPub.Add(await MosquittoPubPublisher.RunAsync(broker.Port, n, inflight, payload, lines));
                Console.Error.WriteLine($"  round {r + 1}: edge {edge[^1].Item1:F0} msg/s {edge[^1].Item2:F0} B/msg; MQTTnet {mqttnet[^1].Item1:F0} msg/s {mqttnet[^1].Item2:F0} B/msg; mosquitto_pub {mosquittoPub[^1]:F0} msg/s");
            }
        }

        File.Delete(lines);

        static double Median(IEnumerable<double> xs)
        {
            var l = xs.OrderBy(x => x).ToList();
            return l[l.Count / 2];
        }

        Console.WriteLine($"{"operation",-62} {"ns/op",10} {"B/op",8}");
        foreach ((string name, double ns, double b) in hw)
        {
            Console.WriteLine($"{name,-62} {ns,10:F0} {b,8:F1}");
        }

        Console.WriteLine($"{"MQTT QoS 1 publisher",-62} {"msg/s",10} {"B/msg",8}");
        Console.WriteLine($"{"Edge MqttClient.PublishAsync",-62} {Median(edge.Select(e => e.Item1)),10:F0} {Median(edge.Select(e => e.Item2)),8:F0}");
        Console.WriteLine($"{"MQTTnet 5.2 IMqttClient.PublishAsync",-62} {Median(mqttnet.Select(e => e.Item1)),10:F0} {Median(mqttnet.Select(e => e.Item2)),8:F0}");
        Console.WriteLine($"{"mosquitto_pub -l (C, process start to exit)",-62} {Median(mosquittoPub),10:F0} {"-",8}");
        Console.WriteLine($"rounds (msg/s): edge {string.Join(" / ", edge.Select(e => e.Item1.ToString("F0", CultureInfo.InvariantCulture)))}; MQTTnet {string.Join(" / ", mqttnet.Select(e => e.Item1.ToString("F0", CultureInfo.InvariantCulture)))}; mosquitto_pub {string.Join(" / ", mosquittoPub.Select(e => e.ToString("F0", CultureInfo.InvariantCulture)))}");
        if (json is not null)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(new
            {
                hardware = hw.Select(h => new { operation = h.Name, ns_per_op = h.Ns, bytes_per_op = h.Bytes }),
                mqtt = new
                {
                    n, inflight, payload_bytes = payload.Length,
                    edge_msg_per_s = Median(edge.Select(e => e.Item1)), edge_bytes_per_msg = Median(edge.Select(e => e.Item2)),
                    mqttnet_msg_per_s = Median(mqttnet.Select(e => e.Item1)), mqttnet_bytes_per_msg = Median(mqttnet.Select(e => e.Item2)),
                    mosquitto_pub_msg_per_s = Median(mosquittoPub),
                    rounds = new { edge = edge.Select(e => e.Item1), mqttnet = mqttnet.Select(e => e.Item1), mosquitto_pub = mosquittoPub },
                },
            }, new JsonSerializerOptions { WriteIndented = true }));
        }

        return 0;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>A mosquitto of our own on a free loopback port (never a system service).</summary>
    private sealed class Broker : IDisposable
    {
        private readonly Process _process;
        private readonly string _dir;

        private Broker(Process process, string dir, int port)
        {
            _process = process;
            _dir = dir;
            Port = port;
        }

        public int Port { get; }

        public static Broker Start()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            string dir = Directory.CreateTempSubdirectory("edge-bench-mqtt-").FullName;
            string conf = Path.Combine(dir, "mosquitto.conf");
            File.WriteAllText(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\nset_tcp_nodelay true\n");
            var p = Process.Start(new ProcessStartInfo("mosquitto", ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true })
                    ?? throw new InvalidOperationException("mosquitto did not start (apt-get install mosquitto)");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                try
                {
                    using var c = new TcpClient();
                    c.Connect(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(20);
                }
            }

            return new Broker(p, dir, port);
        }

        public void Dispose()
        {
            _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
