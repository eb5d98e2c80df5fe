using Edge.Mqtt.Client;

namespace Edge.Cli;

/// <summary>
/// <c>--failover H:P[,H:P…]</c>: further brokers of the same cluster for a command-line MQTT client (the agents),
/// tried in turn after <c>--host</c>:<c>--port</c> as <c>Mqtt:FailoverServers</c> is for the daemon. A malformed
/// entry is a <see cref="UsageException"/> (exit 2) naming the option and the entry.
/// </summary>
internal static class MqttFailoverOption
{
    /// <summary>The listed brokers (none when the option is absent); a bare host takes <paramref name="defaultPort"/>.</summary>
    public static IReadOnlyList<MqttServer> Read(CommandArgs args, int defaultPort, string option = "failover")
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.String(option) is not { } list)
        {
            return [];
        }

        var servers = new List<MqttServer>();
        foreach (string entry in list.Split(','))
        {
            servers.Add(MqttServer.TryParse(entry, defaultPort, out string? error)
                ?? throw new UsageException($"Option --{option}: '{entry}' {error}."));
        }

        return servers;
    }
}
