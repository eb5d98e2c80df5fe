using System.Globalization;
using System.Text.Json;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Commands;

/// <summary>
/// One operator at the shipped broker, with the real mosquitto clients: mosquitto_sub on its own reply topics
/// (<c>edge/site1/edge1/reply/{operator}/#</c>) and mosquitto_pub for its commands.
/// </summary>
internal sealed class OperatorConsole : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ShippedBroker _broker;
    private readonly ChildProcess _replies;

    public OperatorConsole(ShippedBroker broker, string name)
    {
        _broker = broker;
        Name = name;
        _replies = new ChildProcess(Peers.MosquittoSub, [.. broker.As(name), "-d", "-v", "-q", "1", "-t", ReplyPrefix + "#"]);
        _replies.WaitForLine(l => l.Contains("received SUBACK", StringComparison.Ordinal), Timeout, $"{name}'s SUBACK");
    }

    public string Name { get; }

    public string ReplyPrefix => $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/reply/{Name}/";

    public string CommandTopic(string command) => $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/cmd/{Name}/{command}";

    /// <summary>Every reply so far: topic and JSON.</summary>
    public IReadOnlyList<(string Topic, JsonElement Reply)> Replies =>
        _replies.Lines.Select(l => l.Line).Where(l => l.StartsWith(ReplyPrefix, StringComparison.Ordinal))
            .Select(l => (l[..l.IndexOf(' ', StringComparison.Ordinal)], JsonDocument.Parse(l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]).RootElement.Clone()))
            .ToList();

    public static string Expires(double seconds) =>
        DateTimeOffset.UtcNow.AddSeconds(seconds).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string NewId() => Guid.NewGuid().ToString("N");

    public static string Mode(string id, string mode, double expiresInS = 60) => $$"""{"id":"{{id}}","expires_at":"{{Expires(expiresInS)}}","mode":"{{mode}}"}""";

    /// <summary>Publishes <paramref name="payload"/> on this operator's <paramref name="command"/> topic; asserts the broker took it.</summary>
    public void Send(string command, string payload, bool retain = false)
    {
        (int code, string output) = _broker.Publish(Name, CommandTopic(command), payload, retain);
        Assert.True(code == 0 && !output.Contains("Not authorized", StringComparison.Ordinal), $"{Name} could not publish {command}: {output}");
    }

    /// <summary>Waits for the reply carrying <paramref name="id"/>.</summary>
    public JsonElement WaitReply(string id, TimeSpan? timeout = null)
    {
        JsonElement found = default;
        Wait.Until(
            () => Replies.Any(r =>
            {
                bool match = r.Reply.GetProperty("id").ValueKind == JsonValueKind.String && r.Reply.GetProperty("id").GetString() == id;
                if (match)
                {
                    found = r.Reply;
                }

                return match;
            }),
            timeout ?? Timeout,
            $"{Name}'s reply for id {id}",
            () => _replies.Log);
        return found;
    }

    /// <summary>Sends a mode command and returns its reply.</summary>
    public JsonElement Command(string mode, string? id = null)
    {
        id ??= NewId();
        Send("mode", Mode(id, mode));
        return WaitReply(id);
    }

    /// <summary>
    /// Waits until Edge answers this operator at all (its command subscription is in place): sends a harmless command
    /// (mode <paramref name="mode"/>, a fresh id each time) every 2 s until one is answered.
    /// </summary>
    public JsonElement Ready(string mode = "auto")
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            string id = NewId();
            Send("mode", Mode(id, mode));
            if (Wait.TryUntil(() => Replies.Any(r => r.Reply.GetProperty("id").GetString() == id), TimeSpan.FromSeconds(2)))
            {
                return WaitReply(id);
            }

            Assert.True(DateTime.UtcNow < deadline, $"Edge never answered {Name}:\n{_replies.Log}\nbroker:\n{_broker.Log}");
        }
    }

    public void Dispose() => _replies.Dispose();
}
