using System.Collections.Concurrent;
using Edge.Mqtt.Client;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Outbox;

/// <summary>QoS 1 messages queued while no broker answers survive a restart of the publishing process through the spool.</summary>
public sealed class SpoolRestartTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-spoolrestart-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    [Fact]
    public async Task Messages_queued_during_an_outage_are_delivered_after_a_daemon_restart()
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        string spool = Path.Combine(_dir, "outbox.spool");
        MqttClientOptions Options(int port) => new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("edge-spool").WithSpool(spool)
            .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(20); r.MaxDelay = TimeSpan.FromMilliseconds(100); }).Build();

        // First run: the broker is unreachable; alarms and state are queued, then the process "stops".
        using (var first = new MqttClient(new TestLogger(output)))
        {
            first.Start(Options(MosquittoBroker.FreePort()));
            for (int i = 0; i < 30; i++)
            {
                first.Outbox.TryEnqueue(i % 3 == 0 ? "edge/s/n/alarm" : "edge/s/n/state", System.Text.Encoding.UTF8.GetBytes($"m{i}"),
                    MqttQualityOfServiceLevel.AtLeastOnce, false, i % 3 == 0 ? OutboxPriority.Critical : OutboxPriority.Telemetry);
            }

            first.Outbox.TryEnqueue("edge/s/n/sensors/x", "qos0"u8, MqttQualityOfServiceLevel.AtMostOnce, false, OutboxPriority.Telemetry);
        }

        // Second run: the broker is back; everything QoS 1 arrives, in order.
        using var broker = MosquittoBroker.Start();
        using var subscriber = new MqttClient(new TestLogger(output));
        var received = new BlockingCollection<string>();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.Add(e.ApplicationMessage.ConvertPayloadToString());
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("sub").Build());
        await subscriber.SubscribeAsync("edge/#", MqttQualityOfServiceLevel.AtLeastOnce);

        using var second = new MqttClient(new TestLogger(output));
        second.Start(Options(broker.Port));
        Assert.Equal(30, second.Outbox.RestoredFromSpool);
        for (int i = 0; i < 30; i++)
        {
            Assert.True(received.TryTake(out string? m, TimeSpan.FromSeconds(15)), $"message {i} missing");
            Assert.Equal($"m{i}", m);
        }

        await second.DisconnectAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, second.Outbox.Count);
        using var after = new FileOutboxSpool(spool);
        Assert.Empty(after.LoadPending()); // acknowledged messages left the spool
    }
}
