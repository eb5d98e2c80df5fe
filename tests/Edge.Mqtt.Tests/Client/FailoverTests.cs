using Edge.Core;
using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Client;

/// <summary>
/// <see cref="MqttClientOptions.FailoverServers"/> against two real mosquitto brokers, with MQTTnet as the independent
/// subscriber on each: the client moves to the next broker when its broker dies, and back, and nothing queued is lost.
/// </summary>
public class FailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static MqttClientOptions Options(int primaryPort, int failoverPort) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", primaryPort)
        .WithFailoverServer("127.0.0.1", failoverPort)
        .WithClientId("edge-failover")
        .WithKeepAlivePeriod(TimeSpan.FromSeconds(2))
        .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(50); r.MaxDelay = TimeSpan.FromMilliseconds(500); })
        .Build();

    /// <summary>Completes with true when the client's next accepted connection is to <paramref name="server"/>.</summary>
    private static async Task<bool> ConnectedTo(MqttClient client, MqttServer server)
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectedAsync += e =>
        {
            if (e.Server == server)
            {
                connected.TrySetResult();
            }

            return Task.CompletedTask;
        };
        try
        {
            await connected.Task.WaitAsync(Wait);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task PublishPhase(MqttClient client, string phase, int count)
    {
        var acks = new List<Task<MqttClientPublishResult>>();
        for (int i = 0; i < count; i++)
        {
            acks.Add(client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"t/{phase}").WithPayload($"{phase}-{i}")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
        }

        await Task.WhenAll(acks).WaitAsync(Wait);
    }

    private static bool HasAll(IReadOnlyList<ReceivedMessage> messages, string phase, int count)
    {
        var seen = messages.Where(m => m.Topic == $"t/{phase}").Select(m => m.Text).ToHashSet();
        return Enumerable.Range(0, count).All(i => seen.Contains($"{phase}-{i}"));
    }

    [Fact]
    public async Task The_client_moves_to_the_next_broker_when_its_broker_dies_and_back_losing_nothing_queued()
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        using var a = MosquittoBroker.Start();
        using var b = MosquittoBroker.Start();
        await using (var onB = await MqttNetSubscriber.StartAsync(b.Port, "t/#", "peer-b"))
        {
            using var client = new MqttClient(new TestLogger(output));
            var onA = await MqttNetSubscriber.StartAsync(a.Port, "t/#", "peer-a");
            await client.ConnectAsync(Options(a.Port, b.Port)).WaitAsync(Wait);
            Assert.Equal(new MqttServer("127.0.0.1", a.Port), client.Server);

            const int n = 200;
            await PublishPhase(client, "one", n);
            Assert.True(onA.WaitFor(m => HasAll(m, "one", n), Wait), "phase one did not reach broker A");
            await onA.DisposeAsync();

            // A dies: what is published now goes out through B, the next broker of the list.
            a.Kill();
            var moved = ConnectedTo(client, new MqttServer("127.0.0.1", b.Port));
            await PublishPhase(client, "two", n);
            Assert.True(await moved, $"the client did not move to B (now {client.Server})");
            Assert.True(onB.WaitFor(m => HasAll(m, "two", n), Wait), "phase two did not reach broker B");
            Assert.DoesNotContain(onB.Snapshot(), m => m.Topic == "t/one");

            // A is back, B dies: the list goes round, the client returns to A.
            a.Launch();
            await using var onA2 = await MqttNetSubscriber.StartAsync(a.Port, "t/#", "peer-a2");
            b.Kill();
            var back = ConnectedTo(client, new MqttServer("127.0.0.1", a.Port));
            await PublishPhase(client, "three", n);
            Assert.True(await back, $"the client did not return to A (now {client.Server})");
            Assert.True(onA2.WaitFor(m => HasAll(m, "three", n), Wait), "phase three did not reach broker A");
            output.WriteLine($"connects {client.Statistics.Connects}, losses {client.Statistics.ConnectionLosses}");
        }
    }

    [Fact]
    public async Task A_first_connect_with_the_first_broker_down_lands_on_the_next_one()
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        using var b = MosquittoBroker.Start();
        int nobody = MosquittoBroker.FreePort();
        using var client = new MqttClient(new TestLogger(output));
        MqttClientConnectResult result = await client.ConnectAsync(Options(nobody, b.Port)).WaitAsync(Wait);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal(new MqttServer("127.0.0.1", b.Port), client.Server);
    }

    [Fact]
    public async Task A_first_connect_with_every_broker_down_fails_naming_them_all()
    {
        int one = MosquittoBroker.FreePort();
        int two = MosquittoBroker.FreePort();
        using var client = new MqttClient(new TestLogger(output));
        var e = await Assert.ThrowsAsync<MqttConnectingFailedException>(() => client.ConnectAsync(Options(one, two)).WaitAsync(Wait));
        Assert.Contains($"any of 127.0.0.1:{one}, 127.0.0.1:{two}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("broker-2", 1883, "broker-2", 1883)]
    [InlineData("broker-2:1884", 1883, "broker-2", 1884)]
    [InlineData(" 10.0.0.7:8883 ", 1883, "10.0.0.7", 8883)]
    [InlineData("[::1]:1884", 1883, "::1", 1884)]
    [InlineData("[fd00::2]", 1883, "fd00::2", 1883)]
    public void Broker_addresses_parse(string text, int defaultPort, string host, int port)
    {
        Assert.Equal(new MqttServer(host, port), MqttServer.TryParse(text, defaultPort, out string? error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "host, host:port")]
    [InlineData("mqtt://broker:1883", "without a scheme")]
    [InlineData("broker:0", "1–65535")]
    [InlineData("broker:65536", "1–65535")]
    [InlineData("broker:x", "1–65535")]
    [InlineData("broker:", "1–65535")]
    [InlineData("::1", "[address]:port")]
    [InlineData("[::1", "[address]:port")]
    [InlineData("[::1]x", "[address]:port")]
    [InlineData("user@broker", "must name a host")]
    [InlineData("bro ker", "must name a host")]
    public void Malformed_broker_addresses_are_refused_with_the_reason(string text, string reason)
    {
        Assert.Null(MqttServer.TryParse(text, 1883, out string? error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broker_listed_twice_is_a_configuration_error()
    {
        var options = new MqttClientOptions { Host = "broker-1", FailoverServers = [new("broker-2", 1883), new("BROKER-1", 1883)] };
        OptionError error = Assert.Single(options.Validate());
        Assert.Equal("Mqtt:FailoverServers:1", error.Path);
        Assert.Equal(["127.0.0.1:1", "[::1]:2"], new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithFailoverServer("::1", 2).Build().Servers().Select(s => s.ToString()));
    }
}
