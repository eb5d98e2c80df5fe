using System.Collections.Concurrent;
using System.Text;
using Edge.Mqtt.Client;
using Edge.Mqtt.Protocol;
using Edge.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Client;

/// <summary>The client against the real mosquitto broker.</summary>
public class MosquittoClientTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static MqttClientOptionsBuilder Builder(int port, string id) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port)
        .WithClientId(id)
        .WithReconnect(r => { r.InitialDelay = TimeSpan.FromMilliseconds(50); r.MaxDelay = TimeSpan.FromMilliseconds(500); });

    private sealed class Inbox
    {
        private readonly BlockingCollection<MqttApplicationMessage> _messages = [];

        public Inbox(MqttClient client) => client.ApplicationMessageReceivedAsync += e =>
        {
            _messages.Add(e.ApplicationMessage);
            return Task.CompletedTask;
        };

        public MqttApplicationMessage Next()
        {
            Assert.True(_messages.TryTake(out MqttApplicationMessage? m, Wait), "no message within the timeout");
            return m!;
        }
    }

    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    public async Task Publish_and_subscribe_round_trip(MqttQualityOfServiceLevel qos)
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        using var broker = MosquittoBroker.Start();
        using var subscriber = new MqttClient(new TestLogger(output));
        var inbox = new Inbox(subscriber);
        await subscriber.ConnectAsync(Builder(broker.Port, "sub").Build());
        MqttClientSubscribeResult granted = await subscriber.SubscribeAsync("edge/#", qos).WaitAsync(Wait);
        Assert.Equal([(byte)qos], granted.ReturnCodes);

        using var publisher = new MqttClient(new TestLogger(output));
        await publisher.ConnectAsync(Builder(broker.Port, "pub").Build());
        const int count = 200;
        var results = new List<Task<MqttClientPublishResult>>();
        for (int i = 0; i < count; i++)
        {
            results.Add(publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"edge/t/{i % 3}").WithPayload($"m{i}").WithQualityOfServiceLevel(qos).Build()));
        }

        foreach (MqttClientPublishResult r in await Task.WhenAll(results).WaitAsync(Wait))
        {
            Assert.True(r.IsSuccess);
            Assert.Equal(qos == MqttQualityOfServiceLevel.AtLeastOnce, r.PacketIdentifier is not null);
        }

        for (int i = 0; i < count; i++)
        {
            MqttApplicationMessage m = inbox.Next();
            Assert.Equal($"m{i}", m.ConvertPayloadToString());
            Assert.Equal($"edge/t/{i % 3}", m.Topic);
            Assert.Equal(qos, m.QualityOfServiceLevel);
        }

        await publisher.DisconnectAsync(TimeSpan.FromSeconds(2));
        Assert.False(publisher.IsConnected);
        Assert.Equal(0, publisher.Statistics.ConnectionLosses);
    }

    [Fact]
    public async Task Retained_messages_and_the_will_reach_a_later_subscriber()
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        using var broker = MosquittoBroker.Start();
        using var edge = new MqttClient(new TestLogger(output));
        byte[] offline = """{"state":"offline"}"""u8.ToArray();
        await edge.ConnectAsync(Builder(broker.Port, "edge-will").WithWill(MqttClientOptionsBuilder.Will("edge/s/n/status", offline, MqttQualityOfServiceLevel.AtLeastOnce, retain: true)).Build());
        await edge.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("edge/s/n/status").WithPayload("""{"state":"online"}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build()).WaitAsync(Wait);

        using var late = new MqttClient(new TestLogger(output));
        var inbox = new Inbox(late);
        await late.ConnectAsync(Builder(broker.Port, "late").Build());
        await late.SubscribeAsync("edge/s/n/status", MqttQualityOfServiceLevel.AtLeastOnce);
        MqttApplicationMessage online = inbox.Next();
        Assert.True(online.Retain);
        Assert.Equal("""{"state":"online"}""", online.ConvertPayloadToString());

        edge.Dispose(); // socket closed without DISCONNECT: the broker publishes the Will
        MqttApplicationMessage will = inbox.Next();
        Assert.Equal("""{"state":"offline"}""", will.ConvertPayloadToString());
    }

    [Fact]
    public async Task Credentials_come_from_a_file_or_the_environment_and_are_never_logged()
    {
        if (!Peers.Available(output, Peers.Mosquitto, "/usr/bin/mosquitto_passwd"))
        {
            return;
        }

        string dir = Path.Combine(Path.GetTempPath(), "edge-cred-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            string passwd = Path.Combine(dir, "passwd");
            const string secret = "s3cr3t-Pa55";
            Assert.Equal(0, ProcessRunner.Run("/usr/bin/mosquitto_passwd", ["-b", "-c", passwd, "edge", secret], Wait).ExitCode);
            using var broker = MosquittoBroker.Start(listenerConfig: $"allow_anonymous false\npassword_file {passwd}");
            string secretFile = Path.Combine(dir, "secret");
            File.WriteAllText(secretFile, secret + "\n");

            var logger = new TestLogger(output);
            using (var fromFile = new MqttClient(logger))
            {
                MqttClientConnectResult r = await fromFile.ConnectAsync(Builder(broker.Port, "file").WithCredentialsFromFile("edge", secretFile).Build());
                Assert.Equal(MqttClientConnectResultCode.Success, r.ResultCode);
            }

            string variable = "EDGE_TEST_MQTT_PASSWORD_" + Environment.ProcessId;
            Environment.SetEnvironmentVariable(variable, secret);
            using (var fromEnv = new MqttClient(logger))
            {
                await fromEnv.ConnectAsync(Builder(broker.Port, "env").WithCredentialsFromEnvironment("edge", variable).Build());
            }

            Environment.SetEnvironmentVariable(variable, "wrong");
            using (var wrong = new MqttClient(logger))
            {
                var e = await Assert.ThrowsAsync<MqttConnectingFailedException>(() => wrong.ConnectAsync(Builder(broker.Port, "wrong").WithCredentialsFromEnvironment("edge", variable).Build()));
                Assert.True(e.Result!.ResultCode is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword);
            }

            using (var anonymous = new MqttClient(logger))
            {
                await Assert.ThrowsAsync<MqttConnectingFailedException>(() => anonymous.ConnectAsync(Builder(broker.Port, "anon").Build()));
            }

            Assert.DoesNotContain(logger.Lines, l => l.Contains(secret, StringComparison.Ordinal) || l.Contains("wrong", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Tls_with_a_ca_file_and_a_client_certificate()
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        string dir = Path.Combine(Path.GetTempPath(), "edge-tls-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var certs = new TestCertificates(dir);
            using var broker = MosquittoBroker.Start(listenerConfig:
                $"allow_anonymous true\ncafile {certs.CaFile}\ncertfile {certs.ServerCertFile}\nkeyfile {certs.ServerKeyFile}\nrequire_certificate true");

            using (var client = new MqttClient(new TestLogger(output)))
            {
                var inbox = new Inbox(client);
                await client.ConnectAsync(Builder(broker.Port, "tls").WithTlsOptions(t =>
                {
                    t.CaFile = certs.CaFile;
                    t.ClientCertificateFile = certs.ClientCertFile;
                    t.ClientKeyFile = certs.ClientKeyFile;
                }).Build());
                await client.SubscribeAsync("tls/echo", MqttQualityOfServiceLevel.AtLeastOnce);
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("tls/echo").WithPayload("over TLS").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()).WaitAsync(Wait);
                Assert.Equal("over TLS", inbox.Next().ConvertPayloadToString());
            }

            using (var wrongCa = new MqttClient(new TestLogger(output)))
            {
                await Assert.ThrowsAsync<MqttConnectingFailedException>(() => wrongCa.ConnectAsync(Builder(broker.Port, "tls-wrong-ca").WithTlsOptions(t =>
                {
                    t.CaFile = certs.OtherCaFile;
                    t.ClientCertificateFile = certs.ClientCertFile;
                    t.ClientKeyFile = certs.ClientKeyFile;
                }).Build()));
            }

            using (var noClientCert = new MqttClient(new TestLogger(output)))
            {
                await Assert.ThrowsAsync<MqttConnectingFailedException>(() => noClientCert.ConnectAsync(Builder(broker.Port, "tls-no-cert").WithTlsOptions(t => t.CaFile = certs.CaFile).Build()));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        if (!Peers.Available(output, Peers.Mosquitto))
        {
            return;
        }

        using var broker = MosquittoBroker.Start();
        using var client = new MqttClient(new TestLogger(output));
        var inbox = new Inbox(client);
        await client.ConnectAsync(Builder(broker.Port, "unsub").Build());
        await client.SubscribeAsync("a", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.SubscribeAsync("b", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.UnsubscribeAsync("a").WaitAsync(Wait);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("a").WithPayload("not delivered").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("b").WithPayload("delivered").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal("delivered", inbox.Next().ConvertPayloadToString());
    }
}
