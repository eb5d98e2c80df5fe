using System.Text;
using System.Text.Json;
using Edge.Mqtt.Commands;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>Keeps every command reply: topic, parsed JSON and the raw text.</summary>
internal sealed class CaptureReplySink : ICommandReplySink
{
    public List<(string Topic, JsonElement Reply)> Replies { get; } = [];

    public List<string> Raw { get; } = [];

    public void Reply(string topic, ReadOnlySpan<byte> payload)
    {
        lock (Replies)
        {
            Replies.Add((topic, JsonDocument.Parse(payload.ToArray()).RootElement.Clone()));
            Raw.Add(Encoding.UTF8.GetString(payload));
        }
    }
}
