using System.Globalization;
using System.Text.Json;
using Edge.Core.Control;
using Edge.Mqtt.Client;
using Edge.Mqtt.Commands;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Commands;

/// <summary>Commands sent with mosquitto_pub to a running publisher + simulated loop on real mosquitto; replies read with mosquitto_sub.</summary>
public sealed class MqttCommandTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-mqttcmd-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    [Fact]
    public async Task Commands_over_mqtt_are_applied_or_rejected_with_a_reply()
    {
        if (!Peers.Available(output, Peers.Mosquitto, Peers.MosquittoPub, Peers.MosquittoSub))
        {
            return;
        }

        Directory.CreateDirectory(_dir);
        using var broker = MosquittoBroker.Start();
        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        using var replies = ProcessRunner.StartRaw(Peers.MosquittoSub, ["-p", port, "-t", "edge/s/n/reply/alice/+", "-t", "test/subscribed", "-v", "-q", "1"]);
        var lines = new LineCollector(replies);
        try
        {
            string expires = DateTimeOffset.UtcNow.AddMinutes(1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

            void Pub(string topic, string? message, params string[] extra)
            {
                var args = new List<string> { "-p", port, "-t", topic, "-q", "1" };
                if (message is not null)
                {
                    args.AddRange(["-m", message]);
                }

                args.AddRange(extra);
                ProcessRunner.Result r = ProcessRunner.Run(Peers.MosquittoPub, args, Wait);
                Assert.True(r.ExitCode == 0, r.Stderr);
            }

            // The reply listener is subscribed before anything can reply (replies are not retained: one published before
            // the subscription would be lost): it receives a retained probe only once its subscription exists.
            Pub("test/subscribed", "yes", "-r");
            Assert.True(lines.WaitFor(l => l.Contains("test/subscribed yes"), Wait), "mosquitto_sub did not subscribe");

            // A retained command left on the broker is delivered (RETAIN=1) when Edge subscribes: it must be refused.
            // (A retained publish reaching an already established subscription arrives with RETAIN=0 [MQTT-3.3.1-9];
            // the hazard retained commands pose is this replay on (re)subscription, and expiry bounds the rest.)
            Pub("edge/s/n/cmd/alice/mode", $$"""{"id":"op-0","expires_at":"{{expires}}","mode":"standby"}""", "-r");

            var rig = new SimulatedRig(periodMs: 1);
            using var client = new MqttClient(new TestLogger(output));
            string audit = Path.Combine(_dir, "audit.jsonl");
            using var processor = new CommandProcessor(new CommandOptions { AuditPath = audit, RequireClockSync = false, RatePerS = 100, Burst = 100 }, new EdgeTopics("s", "n"), rig.Options, rig.Mailbox, new ClientReplySink(client), new TestLogger(output));
            using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "s", Node = "n" }, client, rig.Ring, rig, processor);
            var clientOptions = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("edge-cmd").Build();
            publisher.Start(clientOptions);
            using var driver = new LoopDriver(rig);
            Assert.True(SpinWait.SpinUntil(() => client.IsConnected, Wait));
            JsonElement ReplyFor(string name, int index)
            {
                string prefix = $"edge/s/n/reply/alice/{name} ";
                if (!lines.WaitFor(l => l.Count(x => x.StartsWith(prefix, StringComparison.Ordinal)) > index, Wait))
                {
                    output.WriteLine(broker.Log);
                    output.WriteLine(client.Statistics.ToString());
                    Assert.Fail($"no reply #{index + 1} for {name}");
                }

                string line = lines.Snapshot().Where(x => x.StartsWith(prefix, StringComparison.Ordinal)).ElementAt(index);
                return JsonDocument.Parse(line[prefix.Length..]).RootElement;
            }

            MqttClientSubscribeResult subscribed = await publisher.CommandSubscription!.WaitAsync(Wait);
            Assert.True(subscribed.AllGranted);

            JsonElement retained = ReplyFor("mode", 0);
            Assert.Equal("op-0", retained.GetProperty("id").GetString());
            Assert.False(retained.GetProperty("ok").GetBoolean());
            Assert.Contains("retained", retained.GetProperty("error").GetString());

            Pub("edge/s/n/cmd/alice/mode", $$"""{"id":"op-1","expires_at":"{{expires}}","mode":"hold"}""");
            JsonElement ok = ReplyFor("mode", 1);
            Assert.Equal("op-1", ok.GetProperty("id").GetString());
            Assert.True(ok.GetProperty("ok").GetBoolean(), ok.ToString());
            lock (rig)
            {
                Assert.Equal(ControlMode.Hold, rig.Controller.Mode);
            }

            Pub("edge/s/n/cmd/alice/limits", $$"""{"id":"op-3","expires_at":"{{expires}}","grid_cap_w":1e9}""");
            JsonElement beyond = ReplyFor("limits", 0);
            Assert.Equal("op-3", beyond.GetProperty("id").GetString());
            Assert.Contains("grid_cap_w must be at most", beyond.GetProperty("error").GetString());

            string hugeFile = Path.Combine(_dir, "huge.json");
            File.WriteAllText(hugeFile, "{\"id\":\"h\",\"pad\":\"" + new string('x', 2 * 1024 * 1024) + "\"}");
            Pub("edge/s/n/cmd/alice/limits", null, "-f", hugeFile);
            JsonElement huge = ReplyFor("limits", 1);
            Assert.Contains("exceeds the limit of 1024", huge.GetProperty("error").GetString());
            Assert.True(client.IsConnected, "an oversized command must not knock the client offline");

            Pub("edge/s/n/cmd/alice/ack", "not json");
            Assert.Contains("not valid JSON", ReplyFor("ack", 0).GetProperty("error").GetString());

            lock (rig)
            {
                Assert.Equal(ControlMode.Hold, rig.Controller.Mode);
                Assert.Equal(ControllerLimits.From(rig.Options), rig.Controller.Limits);
            }

            driver.Stop();
            await publisher.StopAsync(TimeSpan.FromSeconds(2));
            string[] Stages(string path) => File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("stage").GetString()!).ToArray();
            Assert.Equal(["queued", "applied"], Stages(audit));
            Assert.Equal(["rejected", "rejected", "rejected", "rejected"], Stages(Path.Combine(_dir, "audit.rejected.jsonl")));
            Assert.All(File.ReadAllLines(audit), l => Assert.Contains("\"operator\":\"alice\"", l));
        }
        finally
        {
            replies.Kill();
            replies.WaitForExit();
        }
    }
}
