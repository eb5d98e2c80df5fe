using System.Text.Json;
using Edge.Rig.Tests.Commands;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Agents;

/// <summary>
/// The backstop acting in the whole daemon (<c>Edge:BackstopActs=true</c>, sim rig, the shipped mosquitto and ACL): the
/// sim rig's default policy reaches tier 4 within seconds (its 10 Hz meter's staircase and sensor noise — the reason
/// acting is off by default), so the daemon raises <c>oscillation</c> with its detail and asks the orchestrator to
/// throttle on the retained <c>…/throttle</c> topic; a viewer's <c>mosquitto_sub</c> records both, and a late subscriber
/// gets the request in force.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class BackstopDaemonTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDir _state = new("edge-rig-backstop-");

    public void Dispose() => _state.Dispose();

    [Fact]
    public void With_backstop_acting_the_daemon_raises_oscillation_and_publishes_a_retained_throttle_request()
    {
        if (!Peers.Available(output, [Peers.Mosquitto, Peers.MosquittoPub, Peers.MosquittoSub, Peers.MosquittoPasswd]))
        {
            return;
        }

        using var broker = new ShippedBroker();
        _state.Create();
        string root = $"edge/{ShippedBroker.Site}/{ShippedBroker.Node}";
        using var viewer = new ChildProcess("/usr/bin/stdbuf", ["-oL", Peers.MosquittoSub, .. broker.As("grafana"), "-v", "-t", root + "/alarm", "-t", root + "/throttle"]);
        using InProcessDaemon edge = InProcessDaemon.StartWith(_state.Path, null, broker.DaemonOverrides("Edge:BackstopActs=true", "Sim:GpuAgents=0", "Sim:MinerAgents=0", "Sim:ForeignAgents=true"));

        string alarm = viewer.WaitForLine(l => l.StartsWith(root + "/alarm ", StringComparison.Ordinal) && l.Contains("\"oscillation\"", StringComparison.Ordinal), Timeout, "the oscillation alarm").Line;
        string request = viewer.WaitForLine(l => l.StartsWith(root + "/throttle ", StringComparison.Ordinal) && l.Contains("\"requested\"", StringComparison.Ordinal), Timeout, "the throttle request").Line;
        output.WriteLine(alarm);
        output.WriteLine(request);
        using (JsonDocument a = JsonDocument.Parse(alarm[(alarm.IndexOf(' ', StringComparison.Ordinal) + 1)..]))
        {
            string detail = a.RootElement.GetProperty("detail").GetString()!;
            Assert.Matches(@"^tier [1-4]: grid band [0-9.]+–[0-9.]+ Hz, amplitude [0-9]+ W at [0-9.]+ Hz$", detail);
        }

        using (JsonDocument r = JsonDocument.Parse(request[(request.IndexOf(' ', StringComparison.Ordinal) + 1)..]))
        {
            Assert.Equal(4, r.RootElement.GetProperty("tier").GetInt32());
            JsonElement bands = r.RootElement.GetProperty("bands");
            Assert.Equal(3, bands.GetArrayLength());
            Assert.All(bands.EnumerateArray(), b => Assert.True(b.GetProperty("grid_amplitude_w").GetDouble() >= 0 && b.GetProperty("high_hz").GetDouble() > b.GetProperty("low_hz").GetDouble()));
        }

        // Retained: a subscriber that comes later gets the request in force.
        using var late = new ChildProcess("/usr/bin/stdbuf", ["-oL", Peers.MosquittoSub, .. broker.As("grafana"), "-v", "-C", "1", "-t", root + "/throttle"]);
        string retained = late.WaitForLine(l => l.StartsWith(root + "/throttle ", StringComparison.Ordinal), Timeout, "the retained throttle request").Line;
        Assert.Contains("\"requested\"", retained, StringComparison.Ordinal);

        // A clean stop withdraws it (retained "ended"), before the offline status.
        edge.Stop();
        viewer.WaitForLine(l => l.StartsWith(root + "/throttle ", StringComparison.Ordinal) && l.Contains("\"ended\"", StringComparison.Ordinal), Timeout, "the withdrawal on stop");
        using var after = new ChildProcess("/usr/bin/stdbuf", ["-oL", Peers.MosquittoSub, .. broker.As("grafana"), "-v", "-C", "1", "-t", root + "/throttle"]);
        Assert.Contains("\"ended\"", after.WaitForLine(l => l.StartsWith(root + "/throttle ", StringComparison.Ordinal), Timeout, "the retained withdrawal").Line, StringComparison.Ordinal);
    }
}
