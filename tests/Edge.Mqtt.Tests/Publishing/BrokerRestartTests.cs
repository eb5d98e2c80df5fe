using System.Text.Json;
using Edge.Mqtt.Client;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Publishing;

/// <summary>
/// The broker goes away mid-stream while a persistent-session subscriber (paho, clean_session=False, QoS 1) stays
/// registered. State is published at QoS 1 by the simulated loop throughout; the outbox holds what cannot be sent.
/// </summary>
public class BrokerRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const double StateRateHz = 50; // 20 ms windows of 1 ms periods: seq = 20k + 19

    private sealed record RunResult(List<long> Expected, List<long> Received, int Duplicates, long FirstSeqAfterResubscribe);

    private async Task<RunResult?> Run(bool hardKill, bool autosave = false)
    {
        if (!Peers.Available(output, Peers.Mosquitto) || !Peers.PythonModules(output, "paho.mqtt.client"))
        {
            return null;
        }

        using var broker = MosquittoBroker.Start(persistence: true, extraConfig: autosave ? "autosave_interval 1" : null);
        string port = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string script = Path.Combine(AppContext.BaseDirectory, "Scripts", "paho_subscribe.py");
        using var paho = ProcessRunner.StartRaw(Peers.Python, [script, "--port", port, "--topic", "edge/s/n/state", "--qos", "1", "--client-id", "persistent-sub", "--persistent", "--timeout", "60"]);
        var lines = new LineCollector(paho);
        try
        {
            Assert.True(lines.WaitFor(l => l.Any(x => x.StartsWith("#subscribed", StringComparison.Ordinal)), Wait));

            var rig = new SimulatedRig(periodMs: 1);
            using var client = new MqttClient(new TestLogger(output));
            var clientOptions = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", broker.Port)
                .WithClientId("edge-restart")
                .WithCleanSession(false)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(2))
                .WithMaxInflight(20)
                .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(50); r.MaxDelay = TimeSpan.FromMilliseconds(250); })
                .Build();
            using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "s", Node = "n", StateRateHz = StateRateHz }, client, rig.Ring, rig);
            publisher.Start(clientOptions);
            var driver = new LoopDriver(rig);

            bool Seen(IReadOnlyList<string> l, int n) => l.Count(x => x.StartsWith('{')) >= n;
            // With autosave every second, wait long enough for the subscriber's session to be on disk before the kill.
            Assert.True(lines.WaitFor(l => Seen(l, autosave ? 100 : 20), Wait), "no state before the outage");

            long beforeOutage = publisher.Counters.StateMessages;
            if (hardKill)
            {
                broker.Kill();
            }
            else
            {
                broker.Stop();
            }

            // The outage lasts until the publisher has queued at least 40 more state messages (≈ 0.8 s of loop time).
            var outage = System.Diagnostics.Stopwatch.StartNew();
            while (publisher.Counters.StateMessages < beforeOutage + 40 && outage.Elapsed < Wait)
            {
                await Task.Delay(10);
            }

            Assert.False(client.IsConnected);
            int queuedDuringOutage = client.Outbox.Count;
            output.WriteLine($"outage: {outage.ElapsedMilliseconds} ms, {queuedDuringOutage} messages held in the outbox");
            broker.Launch();

            // The subscriber reconnects (and subscribes again); run on a little, then stop the loop and let everything drain.
            Assert.True(lines.WaitFor(l => l.Count(x => x.StartsWith("#subscribed", StringComparison.Ordinal)) >= 2, Wait), "the subscriber did not come back");
            long afterRestart = publisher.Counters.StateMessages;
            var resumed = System.Diagnostics.Stopwatch.StartNew();
            while (publisher.Counters.StateMessages < afterRestart + 20 && resumed.Elapsed < Wait)
            {
                await Task.Delay(10);
            }

            Assert.True(publisher.Counters.StateMessages >= afterRestart + 20, "the publisher did not go on after the broker came back");

            driver.Stop();
            publisher.Pump();
            long published = publisher.Counters.StateMessages;
            var expected = new List<long>();
            for (long k = 0; expected.Count < published; k++)
            {
                expected.Add((20 * k) + 19);
            }

            long lastSeq = expected[^1];
            bool complete = lines.WaitFor(l => l.Any(x => x.StartsWith('{') && x.Contains($"\\\"seq\\\":{lastSeq},", StringComparison.Ordinal)), Wait);
            if (!complete)
            {
                output.WriteLine("broker log:\n" + broker.Log);
                output.WriteLine("subscriber markers: " + string.Join(" | ", lines.Snapshot().Where(x => x.StartsWith('#'))));
                output.WriteLine("last lines: " + string.Join("\n", lines.Snapshot().TakeLast(3)));
            }

            Assert.True(complete, "the last state message did not arrive");
            await publisher.StopAsync(TimeSpan.FromSeconds(5));

            var received = lines.Snapshot().Where(x => x.StartsWith('{'))
                .Select(x => JsonDocument.Parse(JsonDocument.Parse(x).RootElement.GetProperty("payload").GetString()!).RootElement.GetProperty("seq").GetInt64())
                .ToList();
            output.WriteLine($"published {published} state messages (last seq {lastSeq}); subscriber received {received.Count} (with duplicates); client stats: {client.Statistics}");
            return new RunResult(expected, received, received.Count - received.Distinct().Count(), (20 * afterRestart) + 19);
        }
        finally
        {
            paho.Kill();
            paho.WaitForExit();
        }
    }

    [Fact]
    public async Task Clean_broker_restart_loses_nothing_and_keeps_seq_order()
    {
        RunResult? r = await Run(hardKill: false);
        if (r is null)
        {
            return;
        }

        var missing = r.Expected.Except(r.Received).ToList();
        Assert.True(missing.Count == 0, $"missing seqs: {string.Join(", ", missing.Take(20))}");
        AssertFirstOccurrencesInOrder(r.Received);
        output.WriteLine($"duplicates: {r.Duplicates}");
    }

    [Fact]
    public async Task Hard_killed_broker_without_autosave_loses_the_subscriber_session_until_it_resubscribes()
    {
        RunResult? r = await Run(hardKill: true);
        if (r is null)
        {
            return;
        }

        var missing = r.Expected.Except(r.Received).ToList();
        output.WriteLine($"SIGKILL of the broker: {missing.Count} of {r.Expected.Count} state messages lost ({string.Join(", ", missing.Take(60))}); duplicates {r.Duplicates}");
        // A SIGKILLed mosquitto loses what it held only in memory: messages it had acknowledged (PUBACK) but not yet
        // delivered, and — its persistence file being older than the subscriber's session — the subscription itself
        // until the subscriber subscribes again. Everything published once the subscription is back must arrive.
        Assert.DoesNotContain(missing, seq => seq >= r.FirstSeqAfterResubscribe);
        AssertFirstOccurrencesInOrder(r.Received);
    }

    [Fact]
    public async Task Hard_killed_broker_with_autosave_keeps_the_subscriber_session()
    {
        RunResult? r = await Run(hardKill: true, autosave: true);
        if (r is null)
        {
            return;
        }

        var missing = r.Expected.Except(r.Received).ToList();
        output.WriteLine($"SIGKILL with autosave_interval 1: {missing.Count} of {r.Expected.Count} state messages lost ({string.Join(", ", missing.Take(60))}); duplicates {r.Duplicates}");
        Assert.DoesNotContain(missing, seq => seq >= r.FirstSeqAfterResubscribe);
        AssertFirstOccurrencesInOrder(r.Received);
    }

    private static void AssertFirstOccurrencesInOrder(List<long> received)
    {
        var seen = new HashSet<long>();
        long previous = -1;
        foreach (long seq in received)
        {
            if (seen.Add(seq))
            {
                Assert.True(seq > previous, $"seq {seq} arrived after {previous} for the first time");
                previous = seq;
            }
        }
    }
}
