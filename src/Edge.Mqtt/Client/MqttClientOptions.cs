using Edge.Core;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Client;

/// <summary>
/// Everything the client needs to connect (configuration section <c>Mqtt</c>). Build with
/// <see cref="MqttClientOptionsBuilder"/> or bind from configuration, then <see cref="Validate"/>.
/// </summary>
public sealed class MqttClientOptions
{
    /// <summary>Broker host name or address.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Broker port.</summary>
    public int Port { get; set; } = 1883;

    /// <summary>
    /// Further brokers of the same cluster, tried in order after <see cref="Host"/>:<see cref="Port"/> when an attempt
    /// fails or the connection is lost (one round without waiting, then the reconnect backoff). Empty: one broker.
    /// </summary>
    public List<MqttServer> FailoverServers { get; set; } = [];

    /// <summary><see cref="Host"/>:<see cref="Port"/> followed by <see cref="FailoverServers"/>.</summary>
    public IReadOnlyList<MqttServer> Servers() => [new MqttServer(Host, Port), .. FailoverServers];

    /// <summary>Client identifier (unique per broker). Empty is allowed only with a clean session.</summary>
    public string ClientId { get; set; } = "edge";

    /// <summary>True: start a fresh session at every connection; false: persistent session (queued QoS 1 survives).</summary>
    public bool CleanSession { get; set; } = true;

    /// <summary>Keep-alive period (PINGREQ when idle). Zero disables it.</summary>
    public TimeSpan KeepAlivePeriod { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a PINGREQ may go unanswered before the link is declared dead and closed.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>TCP connect + TLS handshake + CONNACK budget.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>User name and password source.</summary>
    public MqttCredentials Credentials { get; set; } = new();

    /// <summary>TLS settings.</summary>
    public MqttClientTlsOptions Tls { get; set; } = new();

    /// <summary>The Last Will, or null. <see cref="WillFactory"/>, when set, replaces it at every connection attempt.</summary>
    public MqttApplicationMessage? Will { get; set; }

    /// <summary>
    /// Called before every CONNECT to produce that connection's Will (e.g. a Sparkplug NDEATH carrying a new bdSeq).
    /// </summary>
    public Func<MqttApplicationMessage?>? WillFactory { get; set; }

    /// <summary>QoS 1 messages sent and not yet acknowledged, at most.</summary>
    public int MaxInflight { get; set; } = 32;

    /// <summary>Largest packet accepted from the broker, bytes; a larger one closes the connection.</summary>
    public int MaxIncomingPacketBytes { get; set; } = 1024 * 1024;

    /// <summary>Reconnect policy.</summary>
    public MqttReconnectOptions Reconnect { get; set; } = new();

    /// <summary>Outbox sizes and spool.</summary>
    public MqttOutboxOptions Outbox { get; set; } = new();

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Mqtt")
    {
        var c = new OptionChecks(section);
        if (string.IsNullOrWhiteSpace(Host))
        {
            c.Fail(nameof(Host), Host ?? "", "must name the broker host");
        }

        c.Range(nameof(Port), Port, 1, 65_535, "");
        IReadOnlyList<MqttServer> servers = Servers();
        for (int i = 0; i < FailoverServers.Count; i++)
        {
            MqttServer server = FailoverServers[i];
            string path = $"{nameof(FailoverServers)}:{i}";
            if (string.IsNullOrWhiteSpace(server.Host))
            {
                c.Fail(path, server.ToString(), "must name the broker host");
            }
            else if (server.Port is < 1 or > 65_535)
            {
                c.Fail(path, server.ToString(), "the port must be 1–65535");
            }
            else if (servers.Take(i + 1).Any(s => s.Port == server.Port && string.Equals(s.Host, server.Host, StringComparison.OrdinalIgnoreCase)))
            {
                c.Fail(path, server.ToString(), "is already listed (Host:Port or an earlier entry)");
            }
        }

        string? idError = MqttUtf8.Check(ClientId ?? "");
        if (ClientId is null || idError is not null || (ClientId.Length == 0 && !CleanSession))
        {
            c.Fail(nameof(ClientId), ClientId ?? "null", idError ?? "must not be empty with a persistent session (CleanSession = false)");
        }

        c.Range(nameof(KeepAlivePeriod), KeepAlivePeriod.TotalSeconds, 0, 65_535, "s");
        c.Above(nameof(PingTimeout), PingTimeout.TotalSeconds, 0, 3600, "s");
        c.Above(nameof(ConnectTimeout), ConnectTimeout.TotalSeconds, 0, 3600, "s");
        c.Range(nameof(MaxInflight), MaxInflight, 1, 65_000, "messages");
        c.Range(nameof(MaxIncomingPacketBytes), MaxIncomingPacketBytes, 16, RemainingLength.Max, "bytes");
        if (Credentials.PasswordFile is not null && Credentials.PasswordEnvironmentVariable is not null)
        {
            c.Fail("Credentials:PasswordFile", Credentials.PasswordFile, "give a password file or an environment variable, not both");
        }

        if ((Credentials.PasswordFile ?? Credentials.PasswordEnvironmentVariable) is not null && Credentials.Username is null)
        {
            c.Fail("Credentials:Username", "(none)", "is required when a password is given (MQTT 3.1.1)");
        }

        if (Credentials.Username is { } user && MqttUtf8.Check(user) is { } userError)
        {
            c.Fail("Credentials:Username", "(hidden)", userError);
        }

        if ((Tls.ClientCertificateFile is null) != (Tls.ClientKeyFile is null))
        {
            c.Fail("Tls:ClientKeyFile", Tls.ClientKeyFile ?? "(none)", "give both a client certificate file and its key file, or neither");
        }

        if (Will is { } will)
        {
            if (MqttUtf8.CheckTopicName(will.Topic) is { } willError)
            {
                c.Fail("Will:Topic", will.Topic, willError);
            }

            if (will.QualityOfServiceLevel > MqttQualityOfServiceLevel.AtLeastOnce)
            {
                c.Fail("Will:QualityOfServiceLevel", will.QualityOfServiceLevel.ToString(), "must be 0 or 1");
            }
        }

        if (MaxInflight > Outbox.Capacity)
        {
            c.Fail(nameof(MaxInflight), MaxInflight.ToString(System.Globalization.CultureInfo.InvariantCulture), $"must not exceed Outbox:Capacity ({Outbox.Capacity})");
        }

        c.Above("Reconnect:InitialDelay", Reconnect.InitialDelay.TotalSeconds, 0, 3600, "s");
        c.Range("Reconnect:MaxDelay", Reconnect.MaxDelay.TotalSeconds, Reconnect.InitialDelay.TotalSeconds, 86_400, "s (not below InitialDelay)");
        c.Range("Reconnect:Multiplier", Reconnect.Multiplier, 1, 10, "");
        c.Range("Reconnect:Jitter", Reconnect.Jitter, 0, 1, "");
        var all = new List<OptionError>(c.Errors);
        all.AddRange(Outbox.Validate(section + ":Outbox"));
        return all;
    }
}
