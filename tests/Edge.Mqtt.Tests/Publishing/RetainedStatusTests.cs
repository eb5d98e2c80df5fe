using System.Globalization;
using System.Text.Json;
using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Publishing;

/// <summary>
/// The retained <c>status</c> a consumer (Home Assistant's availability topic, a SCADA script) reads, on real mosquitto
/// with mosquitto_sub as the consumer: after a restart that restores the spool, and after a death (the Will).
/// </summary>
public sealed class RetainedStatusTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset FirstRun = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset SecondRun = new(2026, 1, 1, 1, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-status-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private static MqttClientOptions ClientOptions(int port, string? spool = null)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId("edge-status")
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
            .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(20); r.MaxDelay = TimeSpan.FromMilliseconds(100); });
        return (spool is null ? builder : builder.WithSpool(spool)).Build();
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>What a consumer that subscribes now reads as the retained status (mosquitto_sub, its first message).</summary>
    private static JsonElement RetainedStatus(int port, string topic)
    {
        var r = ProcessRunner.Run(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", topic, "-C", "1", "-W", "10"], Wait);
        Assert.True(r.ExitCode == 0, $"mosquitto_sub read no retained status (exit {r.ExitCode}): {r.Stderr}");
        return JsonDocument.Parse(r.Stdout.Trim()).RootElement.Clone();
    }

    private static Task Signal(Action<Func<Task>> subscribe)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe(() =>
        {
            done.TrySetResult();
            return Task.CompletedTask;
        });
        return done.Task;
    }

    [Fact]
    public async Task A_status_restored_from_the_spool_never_replaces_the_new_runs_online_status()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        string spool = Path.Combine(_dir, "edge.spool");
        var options = new EdgePublisherOptions { Site = "s", Node = "n" };
        using var broker = MosquittoBroker.Start(persistence: true);

        // First run: online; the broker stops; the loop goes on (state is spooled); Edge stops cleanly while the broker
        // is still down, so its retained offline status is spooled behind the state.
        long spooledStates;
        var rig = new SimulatedRig(periodMs: 1);
        using (var client = new MqttClient(new TestLogger(output)))
        using (var publisher = new EdgePublisher(options, client, rig.Ring, rig, time: new ManualTimeProvider(FirstRun)))
        {
            Task connected = Signal(h => client.ConnectedAsync += _ => h());
            Task lost = Signal(h => client.DisconnectedAsync += _ => h());
            publisher.Start(ClientOptions(broker.Port, spool));
            await connected.WaitAsync(Wait);
            Assert.Equal(Iso(FirstRun), RetainedStatus(broker.Port, "edge/s/n/status").GetProperty("started").GetString());

            broker.Stop();
            await lost.WaitAsync(Wait);
            rig.Run(1000);
            await publisher.StopAsync(TimeSpan.FromMilliseconds(200));
            spooledStates = publisher.Counters.StateMessages;
            Assert.True(spooledStates >= 5, $"only {spooledStates} state messages were spooled");
        }

        // Second run with the same spool, the broker back (it kept the first run's retained online status).
        broker.Launch();
        using var sub = ProcessRunner.StartRaw(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-t", "edge/s/n/#", "-v", "-q", "1"]);
        var lines = new LineCollector(sub);
        try
        {
            Assert.True(lines.WaitFor(l => l.Any(x => x.StartsWith("edge/s/n/status ", StringComparison.Ordinal)), Wait), "the subscriber saw no retained status");
            var second = new SimulatedRig(periodMs: 1);
            using var client = new MqttClient(new TestLogger(output));
            using var publisher = new EdgePublisher(options, client, second.Ring, second, time: new ManualTimeProvider(SecondRun));
            publisher.Start(ClientOptions(broker.Port, spool));
            Assert.Equal(spooledStates, client.Outbox.RestoredFromSpool); // the state messages, not the first run's status

            // Acknowledged: everything queued before it (the new online status, then the restored messages) reached the broker.
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("edge/s/n/marker").WithPayload("m")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()).WaitAsync(Wait);
            Assert.True(lines.WaitFor(l => l.Contains("edge/s/n/marker m"), Wait), "the marker did not arrive");

            List<string> seen = lines.Snapshot();
            output.WriteLine(string.Join("\n", seen.Where(l => !l.StartsWith("edge/s/n/state ", StringComparison.Ordinal))));
            Assert.Equal(spooledStates, seen.Count(l => l.StartsWith("edge/s/n/state ", StringComparison.Ordinal)));
            int online = seen.FindIndex(l => l.StartsWith("edge/s/n/status ", StringComparison.Ordinal) && l.Contains($"\"started\":\"{Iso(SecondRun)}\"", StringComparison.Ordinal));
            Assert.True(online >= 0, "the second run's online status did not arrive");
            Assert.DoesNotContain(seen.Skip(online + 1), l => l.StartsWith("edge/s/n/status ", StringComparison.Ordinal));

            JsonElement retained = RetainedStatus(broker.Port, "edge/s/n/status");
            Assert.Equal("online", retained.GetProperty("state").GetString());
            Assert.Equal(Iso(SecondRun), retained.GetProperty("started").GetString());
            await publisher.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            sub.Kill();
            sub.WaitForExit();
        }
    }

    [Fact]
    public void The_will_carries_every_status_field_with_the_ts_of_the_connection_that_set_it()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoSub))
        {
            return;
        }

        using var broker = MosquittoBroker.Start();
        using var sub = ProcessRunner.StartRaw(Peers.MosquittoSub, ["-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-t", "edge/lab/n1/status", "-q", "1"]);
        var lines = new LineCollector(sub);
        try
        {
            var time = new ManualTimeProvider(FirstRun);
            var rig = new SimulatedRig(periodMs: 1);
            var client = new MqttClient(new TestLogger(output));
            var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "lab", Node = "n1", Version = "9.8.7" }, client, rig.Ring, rig, time: time);
            time.Advance(TimeSpan.FromSeconds(5)); // the connection comes 5 s after the start
            publisher.Start(ClientOptions(broker.Port));
            Assert.True(lines.WaitFor(l => l.Any(x => x.Contains("\"online\"", StringComparison.Ordinal)), Wait), "no online status");
            time.Advance(TimeSpan.FromSeconds(60)); // Edge runs a minute, then dies

            // The process dies: the socket closes without DISCONNECT, the broker publishes the Will.
            publisher.Dispose();
            client.Dispose();
            Assert.True(lines.WaitFor(l => l.Any(x => x.Contains("\"offline\"", StringComparison.Ordinal)), Wait), "the Will did not arrive");

            JsonElement online = JsonDocument.Parse(lines.Snapshot().First(x => x.Contains("\"online\"", StringComparison.Ordinal))).RootElement;
            JsonElement will = RetainedStatus(broker.Port, "edge/lab/n1/status");
            output.WriteLine($"online: {online}\nwill:   {will}");
            Assert.Equal(["state", "ts", "site", "node", "version", "started"], will.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal("offline", will.GetProperty("state").GetString());
            Assert.Equal("lab", will.GetProperty("site").GetString());
            Assert.Equal("n1", will.GetProperty("node").GetString());
            Assert.Equal("9.8.7", will.GetProperty("version").GetString());
            Assert.Equal(Iso(FirstRun), will.GetProperty("started").GetString());
            Assert.Equal(Iso(FirstRun.AddSeconds(5)), will.GetProperty("ts").GetString()); // the connection's time, as its online status says
            Assert.Equal(online.GetProperty("ts").GetString(), will.GetProperty("ts").GetString());
        }
        finally
        {
            sub.Kill();
            sub.WaitForExit();
        }
    }
}
