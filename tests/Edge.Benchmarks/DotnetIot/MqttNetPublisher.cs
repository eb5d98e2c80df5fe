using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.DotnetIot;

/// <summary>MQTTnet 5.2's client publishing N messages at QoS 1 with at most <c>inflight</c> outstanding.</summary>
internal static class MqttNetPublisher
{
    public static async Task<(double MsgPerS, double BytesPerMsg)> RunAsync(int port, int count, int inflight, byte[] payload)
    {
        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-mqttnet").Build());
        MqttApplicationMessage Message() => new MqttApplicationMessageBuilder().WithTopic("bench/mqttnet")
            .WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        await client.PublishAsync(Message()); // warm-up
        int next = -1;
        long b0 = GC.GetTotalAllocatedBytes(true);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inflight).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                MqttClientPublishResult r = await client.PublishAsync(Message());
                if (!r.IsSuccess)
                {
                    throw new InvalidOperationException("MQTTnet publish failed: " + r.ReasonCode);
                }
            }
        }));
        sw.Stop();
        long b1 = GC.GetTotalAllocatedBytes(true);
        await client.DisconnectAsync();
        return (count / sw.Elapsed.TotalSeconds, (double)(b1 - b0) / count);
    }
}
