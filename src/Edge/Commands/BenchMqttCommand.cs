using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Cli;
using Edge.Configuration;
using Edge.Core.Control;
using Edge.Mqtt.Client;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;
using Edge.Mqtt.Publishing;

namespace Edge.Commands;

/// <summary>
/// <c>edge bench mqtt</c> (docs/DESIGN.md §6): publishes N messages of the state topic's size through Edge's own MQTT client
/// (the same outbox and inflight window the daemon uses) to a broker, at QoS 0 and/or 1. Throughput is counted from the
/// first publish until the last PUBACK (QoS 1) or the last byte written (QoS 0); end-to-end latency is measured by a
/// second client subscribed to the topic in the same process (same clock), per message.
/// </summary>
public sealed class BenchMqttCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "bench mqtt";

    /// <inheritdoc />
    public string Summary => "MQTT publish throughput (until the last PUBACK) and subscriber latency against a broker";

    /// <inheritdoc />
    public string Usage => """
        edge bench mqtt --host H --port P --count N [--qos 0|1] [--inflight 20] [--rate HZ] [--json OUT.json] [--payload-file OUT]
                        [--user U --password-file F --sub-user U2 --sub-password-file F2]

          --host, --port   broker (e.g. a local mosquitto; nothing is retained, topic edge-bench/<pid>)
          --count          messages per QoS level
          --qos            0 or 1 (default: both, QoS 0 first)
          --inflight       QoS 1 messages awaiting PUBACK at most (default 20, as mosquitto_pub's -M default)
          --rate           publish at this many messages/s instead of as fast as possible (latency without
                           queueing: a flood measures mostly the time messages wait in the outbox)
          --json           write {"payload_bytes":…,"results":[{"qos":…,"messages_per_s":…,"latency_us":{p50,p90,p99,p999,max}}]}
          --payload-file   also write the exact payload used (one line), e.g. to feed mosquitto_pub -l the same size
          --user, --password-file          the publisher's account; --sub-user, --sub-password-file the subscriber's.
                           Two accounts, because a broker with use_username_as_clientid (the shipped edge.conf) allows
                           one connection per account: deploy/mosquitto/setup.sh bench NAME makes NAME-pub and NAME-sub.
        """;

    /// <inheritdoc />
    public IReadOnlySet<string> Switches { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <inheritdoc />
    public int Run(CommandArgs args, CommandContext context)
    {
        string host = args.String("host") ?? throw new UsageException("--host is required.");
        int port = (int)(args.Long("port", 1, 65_535) ?? throw new UsageException("--port is required."));
        int count = (int)(args.Long("count", 1, 100_000_000) ?? throw new UsageException("--count is required."));
        long? qosArg = args.Long("qos", 0, 1);
        int inflight = (int)(args.Long("inflight", 1, 65_000) ?? 20);
        double rateHz = args.Double("rate", 1e-3, 1e7) ?? 0;
        string? jsonPath = args.String("json");
        string? payloadPath = args.String("payload-file");
        MqttCredentials? pubAccount = MqttAccountOption.Read(args, "user", "password-file");
        MqttCredentials? subAccount = MqttAccountOption.Read(args, "sub-user", "sub-password-file");
        if ((pubAccount is null) != (subAccount is null))
        {
            throw new UsageException("give --user/--password-file and --sub-user/--sub-password-file together: the publisher and the subscriber need an account each (a broker with use_username_as_clientid keeps one connection per account; setup.sh bench NAME makes both).");
        }

        if (pubAccount is not null && pubAccount.Username == subAccount!.Username)
        {
            throw new UsageException("--user and --sub-user must differ: a broker with use_username_as_clientid keeps one connection per account, so the two would knock each other off.");
        }

        args.ThrowOnUnused();
        OutputOption.Check("json", jsonPath);
        OutputOption.Check("payload-file", payloadPath);

        byte[] payload = StatePayload(out int seqOffset);
        if (payloadPath is not null)
        {
            OutputOption.Write("payload-file", payloadPath, s =>
            {
                s.Write(payload);
                s.WriteByte((byte)'\n');
            });
        }

        context.Error.WriteLine($"edge bench mqtt: {count} messages of {payload.Length} bytes (a state message) per QoS to {host}:{port}, inflight {inflight}, {(rateHz > 0 ? $"paced at {rateHz} msg/s" : "as fast as possible")}");
        var results = new List<BenchResult>();
        foreach (int qos in qosArg is { } q ? [(int)q] : new[] { 0, 1 })
        {
            BenchResult? r = RunOne(host, port, (pubAccount, subAccount), count, (MqttQualityOfServiceLevel)qos, inflight, rateHz, payload, seqOffset, context);
            if (r is null)
            {
                return ExitCodes.Failed;
            }

            results.Add(r);
        }

        TextWriter report = OutputOption.TakesStandardOutput(jsonPath, payloadPath) ? context.Error : context.Out;
        report.WriteLine($"{"qos",3} {"messages",10} {"seconds",8} {"msg/s",10} {"received",9} {"p50 µs",8} {"p90 µs",8} {"p99 µs",8} {"p99.9 µs",9} {"max µs",9}");
        foreach (BenchResult r in results)
        {
            report.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Qos,3} {r.Count,10} {r.Seconds,8:F3} {r.MessagesPerS,10:F0} {r.Received,9} {r.P50Us,8:F0} {r.P90Us,8:F0} {r.P99Us,8:F0} {r.P999Us,9:F0} {r.MaxUs,9:F0}"));
        }

        if (jsonPath is not null)
        {
            WriteJson(jsonPath, host, port, count, inflight, rateHz, payload.Length, results);
        }

        return results.All(r => r.Received == r.Count || r.Qos == 0) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static BenchResult? RunOne(string host, int port, (MqttCredentials? Pub, MqttCredentials? Sub) accounts, int count, MqttQualityOfServiceLevel qos, int inflight, double rateHz, byte[] template, int seqOffset, CommandContext context)
    {
        string topic = $"edge-bench/{Environment.ProcessId}/qos{(int)qos}";
        var sendTs = new long[count];
        var latencyTicks = new long[count];
        var seen = new bool[count];
        int received = 0;
        using var allReceived = new ManualResetEventSlim(false);

        using var subscriber = new MqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            long now = Stopwatch.GetTimestamp();
            ReadOnlySpan<byte> p = e.ApplicationMessage.Payload.Span;
            if (p.Length > seqOffset + 10 && int.TryParse(p.Slice(seqOffset + 1, 9), NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < count && !seen[index])
            {
                seen[index] = true;
                latencyTicks[index] = now - Volatile.Read(ref sendTs[index]);
                if (++received == count)
                {
                    allReceived.Set();
                }
            }

            return Task.CompletedTask;
        };

        using var publisher = new MqttClient();
        try
        {
            subscriber.ConnectAsync(Options(host, port, $"edge-bench-sub-{Environment.ProcessId}", accounts.Sub, inflight, count), context.Cancellation).GetAwaiter().GetResult();
            subscriber.SubscribeAsync(topic, qos, context.Cancellation).GetAwaiter().GetResult();
            publisher.ConnectAsync(Options(host, port, $"edge-bench-pub-{Environment.ProcessId}", accounts.Pub, inflight, count), context.Cancellation).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is MqttConnectingFailedException or InvalidOperationException)
        {
            context.Error.WriteLine($"edge bench mqtt: {e.Message}");
            return null;
        }

        byte[] payload = (byte[])template.Clone();
        MqttOutbox outbox = publisher.Outbox;
        OutboxCounters before = outbox.Counters;
        var progress = Stopwatch.StartNew();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            if (rateHz > 0)
            {
                Pace(start, i, rateHz);
            }

            // The index rides in the fixed-width seq field ("1" then 9 digits), so every message has the same size.
            Utf8Digits(payload.AsSpan(seqOffset + 1, 9), i);
            Volatile.Write(ref sendTs[i], Stopwatch.GetTimestamp());
            while (!outbox.TryEnqueue(topic, payload, qos, retain: false, OutboxPriority.Telemetry, OutboxFullPolicy.RejectNew))
            {
                outbox.WaitForSpace(TimeSpan.FromMilliseconds(50));
                context.Cancellation.ThrowIfCancellationRequested();
            }

            Progress(context, progress, qos, i + 1, count, "queued");
        }

        // QoS 1: until the last PUBACK. QoS 0: until the last message has been written to the socket.
        while (qos == MqttQualityOfServiceLevel.AtLeastOnce
            ? outbox.Counters.Acknowledged - before.Acknowledged < count
            : outbox.Counters.Sent - before.Sent < count || outbox.Count > 0)
        {
            Thread.Sleep(1);
            context.Cancellation.ThrowIfCancellationRequested();
            Progress(context, progress, qos, (int)(outbox.Counters.Acknowledged - before.Acknowledged), count, "acknowledged");
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        allReceived.Wait(TimeSpan.FromSeconds(qos == MqttQualityOfServiceLevel.AtMostOnce ? 5 : 30), context.Cancellation);
        int got = Volatile.Read(ref received);
        publisher.DisconnectAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        subscriber.DisconnectAsync(TimeSpan.FromSeconds(1)).GetAwaiter().GetResult();

        var latencies = new List<double>(got);
        for (int i = 0; i < count; i++)
        {
            if (seen[i])
            {
                latencies.Add(latencyTicks[i] * 1e6 / Stopwatch.Frequency);
            }
        }

        latencies.Sort();
        return new BenchResult((int)qos, count, seconds, count / seconds, got,
            Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99), Percentile(latencies, 0.999), latencies.Count > 0 ? latencies[^1] : double.NaN);
    }

    private static void Pace(long start, int index, double rateHz)
    {
        long due = start + (long)(index * Stopwatch.Frequency / rateHz);
        while (true)
        {
            long ahead = due - Stopwatch.GetTimestamp();
            if (ahead <= 0)
            {
                return;
            }

            // Sleep rather than spin: a spinning producer would steal a core from the client's own threads.
            if (ahead > Stopwatch.Frequency / 20_000)
            {
                Thread.Sleep(1);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    private static MqttClientOptions Options(string host, int port, string id, MqttCredentials? account, int inflight, int count)
    {
        MqttClientOptions options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(id)
            .WithMaxInflight(inflight)
            .WithOutboxCapacity(Math.Max(inflight, Math.Min(count, 10_000)), 16)
            .WithReconnect(r => r.Enabled = false)
            .Build();
        if (account is not null)
        {
            options.Credentials = account;
        }

        return options;
    }

    /// <summary>A state message as the publisher writes it, with seq widened to a fixed 10 digits; returns where seq's digits start.</summary>
    private static byte[] StatePayload(out int seqOffset)
    {
        var window = new StateWindow();
        for (int i = 0; i < 100; i++)
        {
            window.Add(new CycleRecord
            {
                Seq = 1_000_000_000 + i,
                TimestampNs = i * 1_000_000L,
                UnixTimeMs = 1_767_225_600_123,
                LoadW = 812_345.6 + (i * 37.1),
                GridW = 790_123.4 + (i * 11.3),
                BatteryW = 22_222.2 - (i * 25.8),
                GridTargetW = 790_500.1,
                BatterySetpointW = 21_845.5,
                SocPct = 61.37,
                Mode = ControlMode.Auto,
                Flags = ControlFlags.RampLimitedUp | ControlFlags.TrimActive,
                LatenessNs = 27_000 + (i * 13),
                ComputeNs = 8_300,
                Overruns = 3,
            });
        }

        using var json = new EdgeJson();
        byte[] payload = json.WriteState(window, 1_767_225_600_123, 0).ToArray();
        seqOffset = payload.AsSpan().IndexOf("\"seq\":1"u8) + "\"seq\":".Length;
        return payload;
    }

    private static void Utf8Digits(Span<byte> destination, int value)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static void Progress(CommandContext context, Stopwatch progress, MqttQualityOfServiceLevel qos, int done, int count, string what)
    {
        if (progress.ElapsedMilliseconds < 1000)
        {
            return;
        }

        progress.Restart();
        context.Error.WriteLine($"  qos {(int)qos}: {done}/{count} {what}");
    }

    private static void WriteJson(string path, string host, int port, int count, int inflight, double rateHz, int payloadBytes, List<BenchResult> results)
    {
        OutputOption.Write("json", path, file => WriteJson(file, host, port, count, inflight, rateHz, payloadBytes, results));
    }

    private static void WriteJson(Stream file, string host, int port, int count, int inflight, double rateHz, int payloadBytes, List<BenchResult> results)
    {
        using var w = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("broker", $"{host}:{port}");
        w.WriteNumber("count", count);
        w.WriteNumber("inflight", inflight);
        if (rateHz > 0)
        {
            w.WriteNumber("rate_hz", rateHz);
        }

        w.WriteNumber("payload_bytes", payloadBytes);
        w.WriteStartArray("results");
        foreach (BenchResult r in results)
        {
            w.WriteStartObject();
            w.WriteNumber("qos", r.Qos);
            w.WriteNumber("seconds", Math.Round(r.Seconds, 6));
            w.WriteNumber("messages_per_s", Math.Round(r.MessagesPerS, 1));
            w.WriteNumber("received", r.Received);
            w.WriteStartObject("latency_us");
            Number(w, "p50", r.P50Us);
            Number(w, "p90", r.P90Us);
            Number(w, "p99", r.P99Us);
            Number(w, "p999", r.P999Us);
            Number(w, "max", r.MaxUs);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, Math.Round(value, 1));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private sealed record BenchResult(int Qos, int Count, double Seconds, double MessagesPerS, int Received, double P50Us, double P90Us, double P99Us, double P999Us, double MaxUs);
}
