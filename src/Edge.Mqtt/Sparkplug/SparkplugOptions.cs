using Edge.Core;
using Edge.Mqtt.Client;
using Edge.Mqtt.Publishing;

namespace Edge.Mqtt.Sparkplug;

/// <summary>Sparkplug B node (configuration section <c>Sparkplug</c>); runs on its own MQTT connection.</summary>
public sealed class SparkplugOptions
{
    /// <summary>Publish Sparkplug B at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>Sparkplug group id (one topic level). Null (the default): the daemon's site (<c>Edge:Site</c>), as the
    /// deploy's broker accounts expect. Together with <see cref="EdgeNodeId"/> it names the node: two nodes on one broker
    /// must never share the pair (their births, deaths and bdSeq would collide).</summary>
    public string? GroupId { get; set; }

    /// <summary>Edge node id (one topic level). Null (the default): the daemon's node (<c>Edge:Node</c>), which is already
    /// unique per node on a site, so two nodes left at the defaults do not collide.</summary>
    public string? EdgeNodeId { get; set; }

    /// <summary>These options with an unset <see cref="GroupId"/> and <see cref="EdgeNodeId"/> taken from the daemon's
    /// site and node (a copy; this instance is not changed).</summary>
    public SparkplugOptions Named(string site, string node)
    {
        var named = (SparkplugOptions)MemberwiseClone();
        named.GroupId ??= site;
        named.EdgeNodeId ??= node;
        return named;
    }

    /// <summary>NDATA messages per second (decimated on loop time from the state windows).</summary>
    public double DataRateHz { get; set; } = 1;

    /// <summary>The Sparkplug connection's own broker account (one account per connection: a broker that binds client
    /// ids to user names would otherwise let the two connections knock each other off). Null: Mqtt:Credentials.</summary>
    public MqttCredentials? Credentials { get; set; }

    /// <summary>
    /// The primary host application's id (Sparkplug 3.0 STATE, <c>spBv1.0/STATE/{id}</c>): when set, nothing is born
    /// until that host is online, and the node disconnects and waits again when it goes offline. Null or empty: none.
    /// </summary>
    public string? PrimaryHostId { get; set; }

    /// <summary>File that keeps bdSeq across restarts (null: in memory only).</summary>
    public string? BdSeqPath { get; set; }

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Mqtt:Sparkplug")
    {
        var c = new OptionChecks(section);
        var levels = new List<(string, string)>();
        if (GroupId is not null)
        {
            levels.Add((nameof(GroupId), GroupId));
        }

        if (EdgeNodeId is not null)
        {
            levels.Add((nameof(EdgeNodeId), EdgeNodeId));
        }

        if (!string.IsNullOrEmpty(PrimaryHostId))
        {
            levels.Add((nameof(PrimaryHostId), PrimaryHostId));
        }

        foreach ((string name, string value) in levels)
        {
            try
            {
                EdgeTopics.CheckLevel(name, value);
            }
            catch (ArgumentException e)
            {
                c.Fail(name, value, e.Message);
            }
        }

        c.Above(nameof(DataRateHz), DataRateHz, 0, 100, "Hz");
        return c.Errors;
    }
}
