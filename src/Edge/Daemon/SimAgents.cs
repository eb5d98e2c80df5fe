using Edge.Agents.Contract;
using Edge.Agents.Host;
using Edge.Core.Levers;
using Edge.Core.Timing;
using Edge.Mqtt.Client;
using Edge.Simulation.Agents;
using Edge.Simulation.Profiles;
using Microsoft.Extensions.Logging;

namespace Edge.Daemon;

/// <summary>
/// The sim rig's node agents: <see cref="SimulatedGpuNode"/>s that draw their share of the training profile and obey
/// caps with a response latency, and <see cref="SimulatedMiner"/>s that take 2 s to curtail or restart — each behind
/// the real <see cref="AgentHost"/> on its own MQTT connection to the same broker as Edge, so Edge's registry sees them
/// exactly as it would see <c>edge agent</c> processes (identities <c>sim-gpu-N</c>, <c>sim-miner-N</c>). The devices
/// are part of the simulated site (<see cref="AddDevices"/>, when the rig is built): a cap lowers the racks' load the
/// sensors measure by what it withholds, and the miners draw on the grid (and on the measured feeders with
/// <c>Edge:LeverFlexInLoad</c>). The devices exist from the rig's first sample when the agents will run (no step when
/// they start); until their agents step them they keep their free values: GPU nodes uncapped, miners at rated power.
/// Without agents (MQTT off, no accounts) the sim rig is the profile alone.
/// </summary>
internal sealed class SimAgents : IDisposable
{
    private readonly List<AgentHost> _hosts = [];
    private readonly List<Task> _runs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _log;

    /// <summary>
    /// Builds the devices of <paramref name="sim"/>'s agents into <paramref name="site"/>: each agent's rated power is
    /// the racks' peak shared between all agents; a GPU node's demand is that share of the racks' load.
    /// </summary>
    public static void AddDevices(SimulatedSiteLoad site, SimOptions sim)
    {
        int gpus = sim.GpuAgents, miners = sim.MinerAgents;
        double share = ShareW(site, sim);
        int parts = Math.Max(1, gpus + miners);
        ILoadProfile racks = site.Racks;
        for (int i = 0; i < gpus; i++)
        {
            var lever = new ReleaseRamp(0.3 * share, share, share, share / 20, 2, ReleaseRamp.SeedOf(GpuId(i)));
            site.Attach(new SimulatedGpuNode(lever, t => racks.PowerAt(t) / parts, 0.1));
        }

        for (int i = 0; i < miners; i++)
        {
            double stepW = 0.05 * share;
            var lever = new ReleaseRamp(0, share, share, share / 20, 0, ReleaseRamp.SeedOf(MinerId(i)), ReleaseRamp.SlotDelayS(i, miners, stepW, share / 20));
            site.Attach(new SimulatedMiner(lever, share, 5, 2), share);
        }
    }

    /// <summary>Runs the agents of the devices <see cref="AddDevices"/> built into <paramref name="site"/>.</summary>
    public SimAgents(string site, SimOptions sim, SimulatedSiteLoad devices, MqttSettings mqtt, IMonotonicClock clock, ILogger log)
    {
        _log = log;
        double share = ShareW(devices, sim);
        ReadOnlySpan<SimulatedGpuNode> gpus = devices.GpuNodes;
        for (int i = 0; i < gpus.Length; i++)
        {
            Add(site, GpuId(i), new SimGpuLever(gpus[i]), sim, mqtt, clock, log);
        }

        ReadOnlySpan<SimulatedMiner> miners = devices.Miners;
        for (int i = 0; i < miners.Length; i++)
        {
            Add(site, MinerId(i), new SimMinerLever(miners[i], share), sim, mqtt, clock, log);
        }
    }

    public IReadOnlyList<AgentHost> Hosts => _hosts;

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            if (!Task.WaitAll([.. _runs], TimeSpan.FromSeconds(6)))
            {
                _log.LogWarning("The simulated agents did not finish their stop within 6 s.");
            }
        }
        catch (AggregateException e)
        {
            // A simulated agent's failure must not turn the daemon's stop into a crash: the battery's ramp-out is done.
            _log.LogWarning("A simulated agent failed while stopping: {Error}", e.InnerException?.Message);
        }

        foreach (AgentHost h in _hosts)
        {
            h.Dispose();
        }

        _stop.Dispose();
    }

    private void Add(string site, string id, IAgentLever lever, SimOptions sim, MqttSettings mqtt, IMonotonicClock clock, ILogger log)
    {
        var host = new AgentHost(lever, new AgentTopics(site, id), clock, TimeProvider.System, log) { HardwareOutlivesHost = false };
        var options = new MqttClientOptionsBuilder().WithTcpServer(mqtt.Host, mqtt.Port).WithFailoverServers(mqtt.ToClientOptions(id).FailoverServers).WithClientId(id);

        if (!string.IsNullOrEmpty(sim.AgentPasswordDirectory))
        {
            options.WithCredentialsFromFile(id, Path.Combine(sim.AgentPasswordDirectory, id + ".password"));
        }

        _hosts.Add(host);
        _runs.Add(Task.Factory.StartNew(() => host.Run(options, TimeSpan.FromSeconds(2), _stop.Token).GetAwaiter().GetResult(),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    /// <summary>A simulated GPU node behind the agent contract (power-cap only).</summary>
    private sealed class SimGpuLever(SimulatedGpuNode node) : IAgentLever
    {
        public AgentCapabilities Capabilities { get; } = new()
        {
            Kind = AgentKind.Gpu,
            MinW = node.Lever.MinW,
            MaxW = node.Lever.MaxW,
            ResponseMs = 100,
            Knobs = [AgentKnob.PowerCap],
            TelemetryHz = 10,
            ReleaseWPerS = node.Lever.MaxW / 20,
            ReleaseJitterS = 2,
            MaxCommandLifetimeS = 300,
        };

        public bool IsFree => node.Lever.Phase == LeverPhase.Free;

        public (double? Applied, string? Error) Apply(string name, AgentCommand command, long nowNs, long expiresNs)
        {
            if (name != "power-cap")
            {
                return (null, $"command '{name}' does not exist for this GPU agent (power-cap)");
            }

            if (command.CapW is not { } capW)
            {
                node.Lever.Release(nowNs);
                return (node.Lever.ValueW, null);
            }

            return node.Lever.TryCommand(capW, nowNs, expiresNs, command.ReleaseWPerS, out string? error) ? (capW, null) : (null, error);
        }

        public AgentTelemetry Sample(long nowNs, long seq, long tsMs)
        {
            double powerW = node.Step(nowNs);
            // The simulation knows what the node would draw uncapped (NVML cannot): Edge accounts the energy lost from it.
            return new AgentTelemetry { Seq = seq, TsMs = tsMs, PowerW = powerW, DemandW = node.DemandW, CapW = node.EffectiveCapW, State = State(node.Lever.Phase) };
        }

        public void ReleaseAll(long nowNs) => node.Lever.Release(nowNs);
    }

    /// <summary>A simulated miner behind the agent contract (level in 5 % steps).</summary>
    private sealed class SimMinerLever(SimulatedMiner miner, double ratedW) : IAgentLever
    {
        public AgentCapabilities Capabilities { get; } = new()
        {
            Kind = AgentKind.Flex,
            MinW = 0,
            MaxW = ratedW,
            ResponseMs = 2000,
            Knobs = [AgentKnob.Level],
            TelemetryHz = 10,
            ReleaseWPerS = ratedW / 20,
            ReleaseJitterS = 0,
            LevelStepPct = 5,
            MaxCommandLifetimeS = 300,
        };

        public bool IsFree => miner.Lever.Phase == LeverPhase.Free;

        public (double? Applied, string? Error) Apply(string name, AgentCommand command, long nowNs, long expiresNs)
        {
            if (name != "level")
            {
                return (null, $"command '{name}' does not exist for a flexible-load agent (level)");
            }

            if (command.LevelPct is not { } pct)
            {
                miner.Lever.Release(nowNs);
                return (miner.Lever.ValueW / ratedW * 100, null);
            }

            return miner.Lever.TryCommand(ratedW * pct / 100, nowNs, expiresNs, command.ReleaseWPerS, out string? error) ? (pct, null) : (null, error);
        }

        public AgentTelemetry Sample(long nowNs, long seq, long tsMs)
        {
            double powerW = miner.Step(nowNs);
            return new AgentTelemetry { Seq = seq, TsMs = tsMs, PowerW = powerW, LevelPct = Math.Round(miner.LevelW / ratedW * 100, 3), State = State(miner.Lever.Phase) };
        }

        public void ReleaseAll(long nowNs) => miner.Lever.Release(nowNs);
    }

    /// <summary>True when <paramref name="id"/> is one of the agents the sim rig runs with <paramref name="sim"/>.</summary>
    public static bool Runs(string id, SimOptions sim) =>
        Numbered(id, "sim-gpu-", sim.GpuAgents) || Numbered(id, "sim-miner-", sim.MinerAgents);

    private static bool Numbered(string id, string prefix, int count) =>
        id.StartsWith(prefix, StringComparison.Ordinal)
        && int.TryParse(id.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
        && n < count && id.Length == prefix.Length + n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    private static string GpuId(int i) => $"sim-gpu-{i}";

    private static string MinerId(int i) => $"sim-miner-{i}";

    private static double ShareW(SimulatedSiteLoad site, SimOptions sim) => site.Racks.PeakW / Math.Max(1, sim.GpuAgents + sim.MinerAgents);

    private static AgentState State(LeverPhase phase) => phase switch
    {
        LeverPhase.Commanded => AgentState.Commanded,
        LeverPhase.Releasing => AgentState.Releasing,
        _ => AgentState.Free,
    };
}
