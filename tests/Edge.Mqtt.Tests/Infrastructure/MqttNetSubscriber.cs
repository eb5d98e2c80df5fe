using System.Buffers;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>One message as MQTTnet received it.</summary>
internal sealed record ReceivedMessage(string Topic, byte[] Payload, int Qos, bool Retain)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Payload);
}

/// <summary>
/// An independent subscriber: MQTTnet 5.2's client (not Edge's), so tests of Edge's MQTT output are not checked by the
/// code under test. Collects every message and lets a test wait for a condition on them (no sleeps).
/// </summary>
internal sealed class MqttNetSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly List<ReceivedMessage> _messages = [];
    private readonly object _gate = new();

    private MqttNetSubscriber(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            MqttApplicationMessage m = e.ApplicationMessage;
            var received = new ReceivedMessage(m.Topic, m.Payload.ToArray(), (int)m.QualityOfServiceLevel, m.Retain);
            lock (_gate)
            {
                _messages.Add(received);
                Monitor.PulseAll(_gate);
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Connects to the broker at 127.0.0.1:<paramref name="port"/> and subscribes to <paramref name="filter"/> at QoS 1.</summary>
    public static async Task<MqttNetSubscriber> StartAsync(int port, string filter, string clientId = "mqttnet-peer")
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        var subscriber = new MqttNetSubscriber(client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        MqttClientConnectResult connected = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithCleanSession(true).Build(), cts.Token);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"MQTTnet could not connect: {connected.ResultCode}");
        }

        MqttClientSubscribeResult granted = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cts.Token);
        if (granted.Items.Any(i => (int)i.ResultCode > 2))
        {
            throw new InvalidOperationException($"MQTTnet subscription to {filter} refused: {granted.Items.First().ResultCode}");
        }

        return subscriber;
    }

    public List<ReceivedMessage> Snapshot()
    {
        lock (_gate)
        {
            return [.. _messages];
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the messages so far; false on timeout.</summary>
    public bool WaitFor(Func<IReadOnlyList<ReceivedMessage>, bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        lock (_gate)
        {
            while (!condition(_messages))
            {
                TimeSpan left = timeout - sw.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                Monitor.Wait(_gate, left);
            }

            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
