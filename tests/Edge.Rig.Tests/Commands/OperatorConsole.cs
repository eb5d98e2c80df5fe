using System.Globalization;
using System.Text.Json;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Commands;

/// <summary>
/// One operator at the shipped broker, with the real mosquitto clients. The broker binds a connection's client id to its
/// account (use_username_as_clientid), so an account has one connection at a time: a command and its reply go through
/// one <c>mosquitto_rr</c> connection (subscribe to <c>…/reply/{operator}/{name}</c>, publish on
/// <c>…/cmd/{operator}/{name}</c>, print the reply) — as an operator would — and <see cref="Listen"/> (mosquitto_sub)
/// is only for a test that watches replies while the operator sends nothing.
/// </summary>
internal sealed class OperatorConsole : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ShippedBroker _broker;
    private ChildProcess? _listener;

    public OperatorConsole(ShippedBroker broker, string name)
    {
        _broker = broker;
        Name = name;
    }

    public string Name { get; }

    public string ReplyPrefix => $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/reply/{Name}/";

    public string CommandTopic(string command) => $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}/cmd/{Name}/{command}";

    public static string Expires(double seconds) =>
        DateTimeOffset.UtcNow.AddSeconds(seconds).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string NewId() => Guid.NewGuid().ToString("N");

    public static string Mode(string id, string mode, double expiresInS = 60) => $$"""{"id":"{{id}}","expires_at":"{{Expires(expiresInS)}}","mode":"{{mode}}"}""";

    /// <summary>Publishes <paramref name="payload"/> on this operator's <paramref name="command"/> topic (no reply awaited); asserts the broker took it.</summary>
    public void Send(string command, string payload, bool retain = false)
    {
        (int code, string output) = _broker.Publish(Name, CommandTopic(command), payload, retain);
        Assert.True(code == 0 && !output.Contains("Not authorized", StringComparison.Ordinal), $"{Name} could not publish {command}: {output}");
    }

    /// <summary>Sends a command with mosquitto_rr and returns Edge's reply, or null when none came within <paramref name="waitS"/>.</summary>
    public JsonElement? TryRequest(string command, string payload, int waitS = 20)
    {
        using var rr = new ChildProcess(Peers.MosquittoRr,
            [.. _broker.As(Name), "-q", "1", "-t", CommandTopic(command), "-e", ReplyPrefix + command, "-W", waitS.ToString(CultureInfo.InvariantCulture), "-m", payload]);
        int code = rr.WaitForExit(TimeSpan.FromSeconds(waitS + 20));
        string? line = rr.Lines.Select(l => l.Line).FirstOrDefault(l => l.StartsWith('{'));
        return code == 0 && line is not null ? JsonDocument.Parse(line).RootElement.Clone() : null;
    }

    /// <summary>Sends a mode command and returns Edge's reply (fails without one).</summary>
    public JsonElement Command(string mode, string? id = null)
    {
        id ??= NewId();
        JsonElement reply = TryRequest("mode", Mode(id, mode)) ?? throw new Xunit.Sdk.XunitException($"no reply to {Name}'s mode {mode} (id {id})\nbroker:\n{_broker.Log}");
        Assert.Equal(id, reply.GetProperty("id").GetString());
        return reply;
    }

    /// <summary>Waits until Edge answers this operator at all (its command subscription is in place): a harmless mode
    /// command with a fresh id, again every 3 s, until one is answered; returns that reply. On a loaded box the answer
    /// to an earlier attempt may be the one that arrives (all share the reply topic): any of the ids sent counts.</summary>
    public JsonElement Ready(string mode = "auto")
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        var sent = new List<string>();
        while (true)
        {
            string id = NewId();
            sent.Add(id);
            if (TryRequest("mode", Mode(id, mode), waitS: 3) is { } reply)
            {
                Assert.Contains(reply.GetProperty("id").GetString(), sent);
                return reply;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Edge never answered {Name}\nbroker:\n{_broker.Log}");
        }
    }

    /// <summary>Starts watching this operator's replies (mosquitto_sub); the operator must send nothing meanwhile.</summary>
    public void Listen()
    {
        // stdbuf: mosquitto_sub's debug lines (the SUBACK) are block-buffered into a pipe otherwise.
        _listener = new ChildProcess("/usr/bin/stdbuf", ["-oL", Peers.MosquittoSub, .. _broker.As(Name), "-d", "-v", "-q", "1", "-t", ReplyPrefix + "#"]);
        _listener.WaitForLine(l => l.Contains("received SUBACK", StringComparison.Ordinal), Timeout, $"{Name}'s SUBACK");
    }

    /// <summary>Replies seen by <see cref="Listen"/>: topic and JSON.</summary>
    public IReadOnlyList<(string Topic, JsonElement Reply)> Heard =>
        (_listener ?? throw new InvalidOperationException("Listen() first")).Lines.Select(l => l.Line).Where(l => l.StartsWith(ReplyPrefix, StringComparison.Ordinal))
            .Select(l => (l[..l.IndexOf(' ', StringComparison.Ordinal)], JsonDocument.Parse(l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]).RootElement.Clone()))
            .ToList();

    /// <summary>Waits for the heard reply carrying <paramref name="id"/>.</summary>
    public JsonElement WaitHeard(string id)
    {
        Wait.Until(() => Heard.Any(r => r.Reply.GetProperty("id").ValueKind == JsonValueKind.String && r.Reply.GetProperty("id").GetString() == id), Timeout, $"{Name}'s reply for id {id}", () => _listener!.Log);
        return Heard.First(r => r.Reply.GetProperty("id").ValueKind == JsonValueKind.String && r.Reply.GetProperty("id").GetString() == id).Reply;
    }

    public void Dispose() => _listener?.Dispose();
}
