using Edge.Mqtt.Client;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Tests.Infrastructure;
using Edge.Tests.Shared;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Publishing;

public class PublisherAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public void The_publisher_pass_does_not_allocate_in_steady_state()
    {
        // No broker on this port: the client keeps retrying in the background, the outbox fills and then drops the
        // oldest telemetry — the full steady-state path of the publisher thread (decimate, JSON, enqueue, drop).
        var rig = new SimulatedRig(periodMs: 1);
        using var client = new MqttClient(new TestLogger());
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", MosquittoBroker.FreePort()).WithClientId("alloc").WithOutboxCapacity(512, 16).Build();
        using var publisher = new EdgePublisher(new EdgePublisherOptions { Site = "s", Node = "n", StateRateHz = 100, DetailRateHz = 10 }, client, rig.Ring, rig);
        client.Start(options);

        for (int i = 0; i < 20; i++)
        {
            rig.Run(1000);
            publisher.Pump();
        }

        int records = 0;
        long messagesBefore = publisher.Counters.StateMessages + publisher.Counters.DetailMessages;
        // 20 passes, each one pump measured (the least counted): the simulated loop runs on this thread too, before each
        // pump and outside the measurement.
        Action loop = () => rig.Run(1000);
        Action pump = () => records += publisher.Pump();
        long allocated = SteadyAllocations.PerPassMinimum(pump, passes: 20, prepare: loop);
        long messages = publisher.Counters.StateMessages + publisher.Counters.DetailMessages - messagesBefore;
        output.WriteLine($"{records} records, {messages} messages, {allocated} bytes allocated on the publisher thread by the leanest of 20 pumps");
        Assert.Equal(20_000, records);
        Assert.True(messages >= 2000 + 600, $"only {messages} messages");
        Assert.True(client.Outbox.Counters.DroppedTelemetry > 0, "the drop path should have been exercised");
        Assert.Equal(0, allocated);
    }
}
