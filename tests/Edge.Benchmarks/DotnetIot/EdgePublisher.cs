using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;

namespace Edge.Benchmarks.DotnetIot;

/// <summary>Edge's own client publishing N messages at QoS 1 with at most <c>inflight</c> outstanding (same shape as MQTTnet's run).</summary>
internal static class EdgeClientPublisher
{
    public static async Task<(double MsgPerS, double BytesPerMsg)> RunAsync(int port, int count, int inflight, byte[] payload)
    {
        using var client = new MqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-edge").Build());
        MqttApplicationMessage Message() => new MqttApplicationMessageBuilder().WithTopic("bench/edge")
            .WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        await client.PublishAsync(Message());
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
                    throw new InvalidOperationException("Edge publish failed");
                }
            }
        }));
        sw.Stop();
        long b1 = GC.GetTotalAllocatedBytes(true);
        await client.DisconnectAsync(TimeSpan.FromSeconds(2));
        return (count / sw.Elapsed.TotalSeconds, (double)(b1 - b0) / count);
    }
}
