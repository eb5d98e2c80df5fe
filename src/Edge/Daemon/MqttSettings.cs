using Edge.Configuration;
using Edge.Core;
using Edge.Mqtt.Client;
using Edge.Mqtt.Commands;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Publishing;

namespace Edge.Daemon;

/// <summary>
/// MQTT connection and publishing (configuration section <c>Mqtt</c>). Topic names come from <c>Edge:Site</c> and
/// <c>Edge:Node</c>. With no broker answering, Edge keeps controlling and keeps retrying.
/// </summary>
public sealed class MqttSettings
{
    /// <summary>False to run without MQTT at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Broker host name or address.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Broker port (1883 plain, 8883 TLS).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>
    /// Further brokers of the same cluster (<c>host:port</c>, <c>[IPv6]:port</c>, or <c>host</c> with <see cref="Port"/>),
    /// tried in order after <see cref="Host"/>:<see cref="Port"/> when the connection is lost or refused — e.g. the other
    /// nodes of a NATS or EMQX cluster. Retained messages and the Will are the cluster's to share.
    /// </summary>
    public List<string> FailoverServers { get; set; } = [];

    /// <summary>
    /// Serve <see cref="Host"/>:<see cref="Port"/> with Edge's own broker when nothing accepts there within 2 s:
    /// <c>auto</c> (only on the simulated rig <c>sim</c>), <c>on</c> (any rig), <c>off</c>. Only for a loopback host;
    /// a broker that answers always wins.
    /// </summary>
    public string EmbeddedBroker { get; set; } = "auto";

    /// <summary>Client id (empty = <c>edge-{site}-{node}</c>).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Keep-alive period, s.</summary>
    public double KeepAliveS { get; set; } = 15;

    /// <summary>User name and where the password comes from (a file or an environment variable; never logged).</summary>
    public MqttCredentials Credentials { get; set; } = new();

    /// <summary>The account <c>edge check</c> connects with (one account per connection: with the daemon's, a broker
    /// that binds client ids to user names would knock the running daemon off). Null: <see cref="Credentials"/>.</summary>
    public MqttCredentials? CheckCredentials { get; set; }

    /// <summary>TLS: CA file, optional client certificate.</summary>
    public MqttClientTlsOptions Tls { get; set; } = new();

    /// <summary>Publishing rates and QoS (Site and Node are taken from the Edge section).</summary>
    public EdgePublisherOptions Publish { get; set; } = new();

    /// <summary>Inbound commands: which are enabled, rate limit, audit log.</summary>
    public CommandOptions Commands { get; set; } = new();

    /// <summary>Bounded outbox and optional on-disk spool.</summary>
    public MqttOutboxOptions Outbox { get; set; } = new();

    /// <summary>Checks every option; returns the errors.</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Mqtt")
    {
        var c = new OptionChecks(section);
        if (string.IsNullOrWhiteSpace(Host))
        {
            c.Fail(nameof(Host), "\"\"", "must be a host name or address");
        }

        c.Range(nameof(Port), Port, 1, 65535, "");
        for (int i = 0; i < FailoverServers.Count; i++)
        {
            if (MqttServer.TryParse(FailoverServers[i], Port, out string? why) is null)
            {
                c.Fail($"{nameof(FailoverServers)}:{i}", FailoverServers[i] ?? "null", why!);
            }
        }

        if (EmbeddedBroker is not ("auto" or "on" or "off"))
        {
            c.Fail(nameof(EmbeddedBroker), EmbeddedBroker, "must be auto (sim rig only), on or off");
        }

        c.Range(nameof(KeepAliveS), KeepAliveS, 1, 3600, "s");
        var errors = new List<OptionError>(c.Errors);
        errors.AddRange(Publish.Validate($"{section}:Publish"));
        errors.AddRange(Commands.Validate($"{section}:Commands"));
        errors.AddRange(Outbox.Validate($"{section}:Outbox"));
        if (Tls.UseTls && Tls.CaFile is { Length: > 0 } ca && !File.Exists(ca))
        {
            errors.Add(new OptionError($"{section}:Tls:CaFile", ca, "the file does not exist"));
        }

        if (Credentials.PasswordFile is { Length: > 0 } pw && WritablePath.ReadProblem(pw) is { } unreadable)
        {
            errors.Add(new OptionError($"{section}:Credentials:PasswordFile", pw, unreadable));
        }

        if (Commands.AuditPath is { Length: > 0 } audit && WritablePath.FileProblem(audit) is { } auditProblem)
        {
            errors.Add(new OptionError($"{section}:Commands:AuditPath", audit, auditProblem));
        }

        if (Outbox.SpoolPath is { Length: > 0 } spool && WritablePath.FileProblem(spool) is { } spoolProblem)
        {
            errors.Add(new OptionError($"{section}:Outbox:SpoolPath", spool, spoolProblem));
        }

        if (errors.Exists(e => e.Path == $"{section}:{nameof(KeepAliveS)}"))
        {
            return errors; // the client's own checks below turn KeepAliveS into a TimeSpan, which NaN or ∞ cannot be
        }

        // What the client itself refuses at start (a certificate without its key, a password without a user, …)
        // is a configuration error too: report it now, before any device is touched.
        foreach (OptionError e in ToClientOptions(string.IsNullOrEmpty(ClientId) ? "edge" : ClientId).Validate(section))
        {
            if (!errors.Exists(x => x.Path == e.Path))
            {
                errors.Add(e);
            }
        }

        return errors;
    }

    /// <summary>The client's options for these settings, with <paramref name="clientId"/>.</summary>
    internal MqttClientOptions ToClientOptions(string clientId) => new()
    {
        Host = Host,
        Port = Port,
        FailoverServers = [.. FailoverServers.Select(f => MqttServer.TryParse(f, Port, out _)).OfType<MqttServer>()],
        ClientId = clientId,
        KeepAlivePeriod = TimeSpan.FromSeconds(KeepAliveS),
        Credentials = Credentials,
        Tls = Tls,
        Outbox = Outbox,
        // Live only: a clean session, so the broker never queues commands for Edge while it is away (they would be
        // applied on reconnect). Outbound store-and-forward does not need the broker's session: the outbox keeps
        // unacknowledged QoS 1 messages (and its spool across restarts) and sends them again after every reconnect.
        CleanSession = true,
    };
}
