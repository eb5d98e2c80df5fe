using Edge.Core;

namespace Edge.Mqtt.Publishing;

/// <summary>The topic names of docs/DESIGN.md §7, built once from the site and node names (so publishing never formats a topic).</summary>
public sealed class EdgeTopics
{
    /// <summary>Builds the topics; throws <see cref="ArgumentException"/> when a name is not a valid single topic level.</summary>
    public EdgeTopics(string site, string node)
    {
        CheckLevel("Edge:Site", site);
        CheckLevel("Edge:Node", node);
        Root = $"edge/{site}/{node}";
        Status = Root + "/status";
        State = Root + "/state";
        Alarm = Root + "/alarm";
        CommandFilter = Root + "/cmd/#";
        CommandPrefix = Root + "/cmd/";
        ReplyPrefix = Root + "/reply/";
    }

    /// <summary><c>edge/{site}/{node}</c>.</summary>
    public string Root { get; }

    /// <summary>Retained online/offline status (the Will's topic).</summary>
    public string Status { get; }

    /// <summary>Decimated state.</summary>
    public string State { get; }

    /// <summary>Alarm raise/clear/ack events (QoS 1).</summary>
    public string Alarm { get; }

    /// <summary>
    /// Subscription filter for inbound commands: everything under <c>…/cmd/</c>, so that every message there gets an
    /// answer or a counted drop (commands themselves are <c>…/cmd/{operator}/{name}</c>).
    /// </summary>
    public string CommandFilter { get; }

    /// <summary><c>edge/{site}/{node}/cmd/</c>.</summary>
    public string CommandPrefix { get; }

    /// <summary><c>edge/{site}/{node}/reply/</c>.</summary>
    public string ReplyPrefix { get; }

    /// <summary>Detail topic of one sensor.</summary>
    public string Sensor(string id) => Root + "/sensors/" + id;

    /// <summary>Detail topic of one inverter.</summary>
    public string Inverter(string id) => Root + "/inverters/" + id;

    /// <summary>
    /// Command topic: <c>edge/{site}/{node}/cmd/{operator}/{name}</c>. The broker's ACL lets an account publish only under
    /// its own user name (<c>pattern write edge/+/+/cmd/%u/#</c>), so the operator level says who sent the command.
    /// </summary>
    public string Command(string operatorName, string name) => CommandPrefix + operatorName + "/" + name;

    /// <summary>Reply topic: <c>edge/{site}/{node}/reply/{operator}/{name}</c> (readable only by that operator's account).</summary>
    public string CommandReply(string operatorName, string name) => ReplyPrefix + operatorName + "/" + name;

    /// <summary>Checks that a name is one topic level (<see cref="TopicLevel"/>: the rule the rig loader applies to device ids).</summary>
    public static void CheckLevel(string what, string value)
    {
        if (TopicLevel.Problem(value) is { } problem)
        {
            string shown = value is null ? "" : OptionError.Shorten(value);
            throw new ArgumentException($"{what} = '{shown}' is invalid: must be {TopicLevel.Rule} (it {problem}).", nameof(value));
        }
    }
}
