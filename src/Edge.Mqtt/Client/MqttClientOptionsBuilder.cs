using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Client;

/// <summary>Fluent construction of <see cref="MqttClientOptions"/> (method names as in MQTTnet).</summary>
public sealed class MqttClientOptionsBuilder
{
    private readonly MqttClientOptions _options = new();

    /// <summary>Broker host and port.</summary>
    public MqttClientOptionsBuilder WithTcpServer(string host, int port = 1883)
    {
        _options.Host = host;
        _options.Port = port;
        return this;
    }

    /// <summary>A further broker of the same cluster, tried after the ones before it (see <see cref="MqttClientOptions.FailoverServers"/>).</summary>
    public MqttClientOptionsBuilder WithFailoverServer(string host, int port = 1883)
    {
        _options.FailoverServers.Add(new MqttServer(host, port));
        return this;
    }

    /// <summary>Further brokers of the same cluster, in order (see <see cref="MqttClientOptions.FailoverServers"/>).</summary>
    public MqttClientOptionsBuilder WithFailoverServers(IEnumerable<MqttServer> servers)
    {
        _options.FailoverServers.AddRange(servers);
        return this;
    }

    /// <summary>Client identifier.</summary>
    public MqttClientOptionsBuilder WithClientId(string clientId)
    {
        _options.ClientId = clientId;
        return this;
    }

    /// <summary>Clean (true) or persistent (false) session.</summary>
    public MqttClientOptionsBuilder WithCleanSession(bool clean = true)
    {
        _options.CleanSession = clean;
        return this;
    }

    /// <summary>Keep-alive period.</summary>
    public MqttClientOptionsBuilder WithKeepAlivePeriod(TimeSpan period)
    {
        _options.KeepAlivePeriod = period;
        return this;
    }

    /// <summary>How long a PINGREQ may go unanswered.</summary>
    public MqttClientOptionsBuilder WithPingTimeout(TimeSpan timeout)
    {
        _options.PingTimeout = timeout;
        return this;
    }

    /// <summary>Connect budget (TCP, TLS, CONNACK).</summary>
    public MqttClientOptionsBuilder WithTimeout(TimeSpan timeout)
    {
        _options.ConnectTimeout = timeout;
        return this;
    }

    /// <summary>User name with the password read from a file at each connection.</summary>
    public MqttClientOptionsBuilder WithCredentialsFromFile(string username, string passwordFile)
    {
        _options.Credentials = new MqttCredentials { Username = username, PasswordFile = passwordFile };
        return this;
    }

    /// <summary>User name with the password read from an environment variable at each connection.</summary>
    public MqttClientOptionsBuilder WithCredentialsFromEnvironment(string username, string variable)
    {
        _options.Credentials = new MqttCredentials { Username = username, PasswordEnvironmentVariable = variable };
        return this;
    }

    /// <summary>TLS settings.</summary>
    public MqttClientOptionsBuilder WithTlsOptions(Action<MqttClientTlsOptions> configure)
    {
        _options.Tls.UseTls = true;
        configure(_options.Tls);
        return this;
    }

    /// <summary>The Last Will.</summary>
    public MqttClientOptionsBuilder WithWill(MqttApplicationMessage will)
    {
        _options.Will = will;
        return this;
    }

    /// <summary>A Will produced anew before every CONNECT.</summary>
    public MqttClientOptionsBuilder WithWillFactory(Func<MqttApplicationMessage?> factory)
    {
        _options.WillFactory = factory;
        return this;
    }

    /// <summary>Inflight window for QoS 1.</summary>
    public MqttClientOptionsBuilder WithMaxInflight(int messages)
    {
        _options.MaxInflight = messages;
        return this;
    }

    /// <summary>Outbox capacity (messages).</summary>
    public MqttClientOptionsBuilder WithOutboxCapacity(int messages, int criticalReserve = 1_000)
    {
        _options.Outbox.Capacity = messages;
        _options.Outbox.CriticalReserve = criticalReserve;
        return this;
    }

    /// <summary>On-disk spool for QoS 1 messages.</summary>
    public MqttClientOptionsBuilder WithSpool(string path, long maxBytes = 16L * 1024 * 1024)
    {
        _options.Outbox.SpoolPath = path;
        _options.Outbox.SpoolMaxBytes = maxBytes;
        return this;
    }

    /// <summary>Reconnect policy.</summary>
    public MqttClientOptionsBuilder WithReconnect(Action<MqttReconnectOptions> configure)
    {
        configure(_options.Reconnect);
        return this;
    }

    /// <summary>Largest packet accepted from the broker.</summary>
    public MqttClientOptionsBuilder WithMaxIncomingPacketBytes(int bytes)
    {
        _options.MaxIncomingPacketBytes = bytes;
        return this;
    }

    /// <summary>Returns the options; throws <see cref="ArgumentException"/> listing every invalid one.</summary>
    public MqttClientOptions Build()
    {
        var errors = _options.Validate();
        return errors.Count == 0 ? _options : throw new ArgumentException(string.Join(Environment.NewLine, errors));
    }

    /// <summary>Shortcut: a Will message.</summary>
    public static MqttApplicationMessage Will(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos, bool retain) =>
        new() { Topic = topic, Payload = payload, QualityOfServiceLevel = qos, Retain = retain };
}
