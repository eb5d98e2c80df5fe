namespace Edge.Agents.Contract;

/// <summary>
/// The topic tree of one node agent, <c>edge/{site}/agents/{agent}/…</c> (docs/agents.md). The agent publishes
/// <c>status</c> (retained, its Will says offline), <c>capabilities</c> (retained), <c>telemetry</c> (≥ 10 Hz),
/// <c>announce</c> and <c>reply/{sender}/{name}</c>; a coordinator (an Edge node) publishes commands on
/// <c>cmd/{sender}/{name}</c>, where <c>{sender}</c> is its own identity — the same scheme as operator commands, so
/// one ACL pattern per identity suffices.
/// </summary>
public sealed class AgentTopics
{
    /// <summary>Creates the topics of agent <paramref name="agent"/> at <paramref name="site"/>.</summary>
    public AgentTopics(string site, string agent)
    {
        if (!IsLevel(site))
        {
            throw new ArgumentException($"site '{site}' is not a valid topic level (1–64 of A–Z a–z 0–9 . _ -).", nameof(site));
        }

        if (!IsLevel(agent))
        {
            throw new ArgumentException($"agent '{agent}' is not a valid topic level (1–64 of A–Z a–z 0–9 . _ -).", nameof(agent));
        }

        Site = site;
        Agent = agent;
        Root = $"edge/{site}/agents/{agent}";
    }

    /// <summary>The site level.</summary>
    public string Site { get; }

    /// <summary>The agent's identity (also its MQTT user name in the ACL).</summary>
    public string Agent { get; }

    /// <summary><c>edge/{site}/agents/{agent}</c>.</summary>
    public string Root { get; }

    /// <summary>Retained online/offline status; the Will publishes offline.</summary>
    public string Status => Root + "/status";

    /// <summary>Retained capabilities.</summary>
    public string Capabilities => Root + "/capabilities";

    /// <summary>Telemetry, QoS 0, at the advertised rate (≥ 10 Hz).</summary>
    public string Telemetry => Root + "/telemetry";

    /// <summary>Phase announcements (a forecast input, never a command).</summary>
    public string Announce => Root + "/announce";

    /// <summary>Every command to this agent, from any sender: <c>…/cmd/+/+</c>.</summary>
    public string CommandFilter => Root + "/cmd/+/+";

    /// <summary>The topic a sender publishes command <paramref name="name"/> on.</summary>
    public string Command(string sender, string name) => $"{Root}/cmd/{sender}/{name}";

    /// <summary>The topic the agent replies to <paramref name="sender"/>'s command <paramref name="name"/> on.</summary>
    public string Reply(string sender, string name) => $"{Root}/reply/{sender}/{name}";

    /// <summary>
    /// Splits a command topic of this agent into sender and command name; false if the topic is not
    /// <c>{Root}/cmd/{sender}/{name}</c> with valid levels.
    /// </summary>
    public bool TryParseCommandTopic(string topic, out string sender, out string name)
    {
        sender = name = "";
        string prefix = Root + "/cmd/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string rest = topic[prefix.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || rest.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }

        sender = rest[..slash];
        name = rest[(slash + 1)..];
        return IsLevel(sender) && IsLevel(name);
    }

    /// <summary>True for a topic level Edge accepts as an identity: 1–64 of <c>A–Z a–z 0–9 . _ -</c>.</summary>
    public static bool IsLevel(string? s)
    {
        if (string.IsNullOrEmpty(s) || s.Length > 64)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
