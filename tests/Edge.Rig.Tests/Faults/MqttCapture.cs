using System.Globalization;
using System.Text.Json;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Faults;

/// <summary>
/// An independent subscriber (Debian's mosquitto_sub, not Edge's own MQTT client) recording every message under
/// <c>edge/{site}/{node}/#</c> with its arrival time. QoS 1 on a persistent session (<c>-c</c> with a fixed client id):
/// a broker that keeps its sessions across a restart queues what Edge publishes while the subscriber is still away.
/// </summary>
internal sealed class MqttCapture : IDisposable
{
    private readonly ChildProcess _sub;
    private readonly string _prefix;

    public MqttCapture(int port, string site, string node, string clientId = "fault-capture", bool persistentQos1 = true)
    {
        _prefix = $"edge/{site}/{node}/";
        // persistentQos1: false subscribes at QoS 0 on a clean session — what a NATS cluster still delivers when the node
        // that held a QoS 1 subscriber's JetStream consumer dies (its core subjects are routed by every node).
        string[] session = persistentQos1 ? ["-q", "1", "-c"] : ["-q", "0"];
        _sub = new ChildProcess(Peers.MosquittoSub,
        [
            "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. session, "-i", clientId,
            "-t", _prefix + "#", "-F", "%I %t %p",
        ]);
    }

    /// <summary>One received message: arrival (since the capture started), topic suffix after the node, JSON payload.</summary>
    public readonly record struct Message(TimeSpan At, string Topic, JsonElement Payload);

    /// <summary>Every message so far, in arrival order (payloads that are not JSON are skipped).</summary>
    public List<Message> Messages()
    {
        var list = new List<Message>();
        foreach ((TimeSpan at, string line) in _sub.Lines)
        {
            // "%I %t %p": ISO time, topic, payload.
            int a = line.IndexOf(' ', StringComparison.Ordinal);
            int b = a < 0 ? -1 : line.IndexOf(' ', a + 1);
            if (b < 0 || !line.AsSpan(a + 1).StartsWith(_prefix, StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                using JsonDocument d = JsonDocument.Parse(line[(b + 1)..]);
                list.Add(new Message(at, line[(a + 1 + _prefix.Length)..b], d.RootElement.Clone()));
            }
            catch (JsonException)
            {
            }
        }

        return list;
    }

    /// <summary>The state messages (topic <c>state</c>), in arrival order.</summary>
    public List<Message> States() => Messages().Where(m => m.Topic == "state").ToList();

    /// <summary>The alarm events, in arrival order.</summary>
    public List<Message> Alarms() => Messages().Where(m => m.Topic == "alarm").ToList();

    public TimeSpan Elapsed => _sub.Elapsed;

    public string Log => _sub.Log;

    public void Dispose() => _sub.Dispose();
}
