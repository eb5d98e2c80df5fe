using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Edge.Agents.Registry;
using Edge.Core.Backstop;
using Edge.Core.Levers;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Daemon.Rigs;
using Edge.Guard;
using Edge.Cli;
using Edge.Modbus.Inverter;
using Edge.Mqtt.Client;
using Edge.Mqtt.Commands;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Sparkplug;
using Edge.Planning;
using Edge.Runtime.Cycle;
using Edge.Runtime.Notify;
using Edge.Runtime.Realtime;
using Edge.Runtime.Recording;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Timing;
using Edge.Runtime.Files;
using Edge.Runtime.Handoff;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Edge.Core.Timing;

namespace Edge.Daemon;

/// <summary>
/// The daemon's life cycle (issue 7). Start: load persisted state, build the rig, start the sensor samplers, wire the
/// control cycle (rig → SmoothingController → allocator → inverters → hand-off), start MQTT (which may be absent: Edge
/// keeps controlling and says so once), start the loop on its real-time thread, and tell systemd READY=1 after the
/// first good cycle; from then on WATCHDOG=1 only while the loop meets its deadlines. The controller starts bumpless
/// from the inverters' measured power, so the batteries ramp in within the ramp limit — never a step.
/// Stop (SIGTERM, SIGINT, --duration): STOPPING=1, switch the controller to standby so the battery setpoint ramps to
/// 0 W within the ramp limit, wait for it (bounded by Edge:ShutdownTimeoutS — past that the inverters' own revert
/// timeout takes over), stop the loop, save state, publish offline status and NDEATH, close every device.
/// </summary>
internal sealed class EdgeDaemon : IHostedService, IDisposable
{
    private readonly EdgeOptions _edge;
    private readonly SimOptions _sim;
    private readonly ControllerOptions _configuredController;
    private readonly LoopOptions _loop;
    private readonly RealtimeOptions _realtime;
    private readonly MqttSettings _mqtt;
    private readonly SparkplugOptions _sparkplug;
    private readonly PlannerOptions _plannerOptions;
    private readonly IConfiguration _configuration;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly DaemonStatus _status;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();
    private readonly RecentLogLines _recentLog;

    private BuiltRig? _rig;
    private CyclicExecutive? _executive;
    private ControlCycle? _cycle;
    private CyclePump? _pump;
    private DaemonCommands? _commands;
    private MqttClient? _client;
    private Func<Task>? _withdrawThrottle;
    private EdgePublisher? _publisher;
    private MqttClient? _sparkplugClient;
    private SparkplugNode? _sparkplugNode;
    private SystemdNotifier? _notifier;
    private WatchdogPinger? _watchdog;
    private Thread? _drainThread;
    private Thread? _supervisor;
    private LiveView? _liveView;
    private EmbeddedBroker? _broker;
    private PersistedState _state = new();
    private StateSaver? _saver;
    private PersistedState _loaded = new();
    private volatile bool _stopping;
    private volatile bool _loopStopped;
    private int _dumps;
    private DaemonLease? _lease;
    private FileStream? _instanceLock;
    private DeviceHealthLog? _healthLog;
    private int _stoppingNow;
    private readonly LatestValueFanOut<AgentFleet> _fleet = new(2);
    private SiteLimitExecutor? _siteLimits;
    private AgentRegistry? _agents;
    private Thread? _agentThread;
    private Thread? _leverSender;
    private AgentLevers? _levers;
    private SimAgents? _simAgents;
    private DaemonPlanner? _planner;

    public EdgeDaemon(
        IOptions<EdgeOptions> edge,
        IOptions<SimOptions> sim,
        IOptions<ControllerOptions> controller,
        IOptions<LoopOptions> loop,
        IOptions<RealtimeOptions> realtime,
        IOptions<MqttSettings> mqtt,
        IOptions<SparkplugOptions> sparkplug,
        IOptions<PlannerOptions> planner,
        IConfiguration configuration,
        ILoggerFactory loggers,
        DaemonStatus status,
        IHostApplicationLifetime lifetime,
        RecentLogLines recentLog)
    {
        _recentLog = recentLog;
        _edge = edge.Value;
        _sim = sim.Value;
        _configuredController = controller.Value;
        _loop = loop.Value;
        _realtime = realtime.Value;
        _mqtt = mqtt.Value;
        _sparkplug = sparkplug.Value;
        _plannerOptions = planner.Value;
        _configuration = configuration;
        _loggers = loggers;
        _log = loggers.CreateLogger("edge");
        _status = status;
        _lifetime = lifetime;
    }

    private string StatePath => Path.Combine(_edge.StateDirectory, "state.json");

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_edge.StateDirectory);
        _instanceLock = TakeInstanceLock(_edge.StateDirectory);

        // Is a broker there? Asked beside the rig's start-up; the answer is needed only when MQTT starts.
        Task<bool>? brokerAnswers = _mqtt.Enabled && EmbeddedBroker.Wanted(_mqtt.EmbeddedBroker, _edge.Rig, _mqtt.Host)
            ? Task.Run(() => EmbeddedBroker.SomethingAccepts(_mqtt.Host, _mqtt.Port, EmbeddedBroker.ProbeTimeout))
            : null;
        _state = PersistedState.Load(StatePath, out string? problem);
        if (problem is not null)
        {
            _log.LogWarning("{Problem}", problem);
        }

        _state.Starts++;
        if (_state.Running)
        {
            _state.UncleanStops++;
            if (_edge.Rig is "sim" or "hil" && !_sim.ResumeState)
            {
                _log.LogWarning("the last run ended without a clean stop (state saved {SavedAt:O}): its counters carry on; the simulated SoC is not resumed (Sim:ResumeState=true resumes it)", _state.SavedAtUtc);
            }
            else
            {
                _log.LogWarning("the last run ended without a clean stop (state saved {SavedAt:O}): resuming from it", _state.SavedAtUtc);
            }
        }

        _loaded = new PersistedState { CyclesTotal = _state.CyclesTotal, OverrunsTotal = _state.OverrunsTotal, RunSecondsTotal = _state.RunSecondsTotal };
        double initialSocPct = InitialSimulatedSocPct();

        IMonotonicClock clock = MonotonicClock.Instance;
        _lease = DaemonLease.Take(_edge.StateDirectory, _log); // docs/guard.md: every inverter write checks this epoch
        _rig = RigFactory.Build(_edge, _sim, initialSocPct, clock, _lease, SimAgentsRun);
        _healthLog = new DeviceHealthLog(_rig.Inverters, _log);
        _log.LogInformation("rig {Rig}: {Notes}", _rig.Name, string.Join("; ", _rig.Notes));
        foreach (string failure in _rig.Devices.InitializeAll())
        {
            _log.LogWarning("sensor not ready: {Failure} (it reports Missing; the load is estimated from the others)", failure);
        }

        _rig.Samplers.SampleOnce(clock.NowNs);
        _rig.Samplers.Start();

        ControllerOptions controllerOptions = EffectiveControllerOptions();
        _lease.RampWPerS = Math.Min(controllerOptions.RampUpWPerS, controllerOptions.RampDownWPerS);
        var controller = new SmoothingController(controllerOptions);
        _log.LogInformation(
            "controller: ramp ↑{Up} W/s ↓{Down} W/s, battery {Charge}/{Discharge} W, {Energy} Wh, cap {Cap} W, floor {Floor} W, period {Period} ms",
            F(controllerOptions.RampUpWPerS), F(controllerOptions.RampDownWPerS), F(controllerOptions.MaxChargeW), F(controllerOptions.MaxDischargeW),
            F(controllerOptions.EnergyWh), F(controllerOptions.GridCapW), F(controllerOptions.GridFloorW), F(_loop.PeriodMs));

        CommandMailbox? mailbox = _mqtt.Enabled ? new CommandMailbox(_mqtt.Commands.MailboxCapacity) : null;
        // Grid requests (site-limit) are carried out on the loop thread, sized from the agents' fleet (docs/site-limit.md).
        _siteLimits = mailbox is null ? null : new SiteLimitExecutor(controllerOptions, clock, _fleet.Reader(DaemonReaders.Main));
        if (mailbox is not null)
        {
            mailbox.SiteLimits = _siteLimits;
        }

        // docs/agents.md: the lever coordinator on the loop thread, fed by the agent registry, its commands sent on the MQTT side.
        _levers = mailbox is null ? null : new AgentLevers(
            new LeverCoordinatorOptions
            {
                BatteryDischargeW = controllerOptions.MaxDischargeW,
                BatteryChargeW = controllerOptions.MaxChargeW,
                BatteryEnergyWh = controllerOptions.EnergyWh,
                SocMinPct = controllerOptions.SocMinPct,
                ExpectedLoadMaxW = _edge.LeverExpectedLoadMaxW > 0 ? _edge.LeverExpectedLoadMaxW : double.NaN,
                CommandLifetimeS = _edge.LeverCommandLifetimeS,
                SmoothingProfile = _edge.LeverSmoothingProfile,
                BackstopCapMarginFraction = _edge.LeverBackstopMarginFraction,
            },
            _edge.Site, string.IsNullOrEmpty(_mqtt.Credentials.Username) ? _edge.Node : _mqtt.Credentials.Username, clock, _edge.LeverFlexInLoad);
        if (_siteLimits is not null)
        {
            _siteLimits.Levers = _levers;
        }

        _commands = new DaemonCommands(mailbox, _siteLimits, _levers);
        int ringCapacity = Math.Max(1024, (int)(2000 / _loop.PeriodMs));
        _planner = StartPlannerOrNot(controllerOptions, clock, out LatestValueMailbox<GridPlan>? plans);
        _cycle = new ControlCycle(_rig.Devices, _rig.Inverters, controller, _rig.GridMeter, _rig.Devices.EmergencyStop, _rig.Devices.InverterEnable, _commands, ringCapacity)
        {
            Plans = plans,
        };
        if (_siteLimits is not null)
        {
            _siteLimits.Cycle = _cycle;
        }

        if (_levers is not null)
        {
            _levers.Cycle = _cycle;
        }

        _executive = new CyclicExecutive(_cycle, _loop, DeadlineSleepers.Create(SleeperKind.Auto), _realtime);

        var recorder = new FlightRecorder(_edge.FlightRecorderS, _loop.PeriodMs);
        CyclicExecutive executive = _executive;
        _pump = new CyclePump(_cycle.HandOffRing, recorder, _rig.Devices.Sensors.Select(s => s.Id).ToList(), _rig.Inverters.Select(i => i.Id).ToList(),
            () => executive.Statistics.ReadCounters().Overruns)
        {
            // docs/agents.md: the tiered backstop, stepped with every period's load and grid beside the loop.
            Backstop = new TieredBackstop(BackstopPolicy.Default(Math.Min(controllerOptions.RampUpWPerS, controllerOptions.RampDownWPerS)), _loop.PeriodMs / 1000),
            TemperatureSensors = _rig.Devices.TemperatureSensors,
            BackstopActs = _edge.BackstopActs,
            PlannerSamples = _planner?.Samples,
        };
        _pump.DumpReady += WriteDump;
        if (_levers is not null && _edge.BackstopActs)
        {
            // docs/agents.md "What each tier does": the coordinator acts on the backstop's tier (read on the loop thread).
            _levers.BackstopTier = _pump.BackstopState.Reader(DaemonReaders.Loop);
        }

        if (brokerAnswers is not null)
        {
            StartEmbeddedBrokerIfNoneAnswers(brokerAnswers.GetAwaiter().GetResult());
        }

        if (_mqtt.Enabled && mailbox is not null)
        {
            StartMqtt(controllerOptions, mailbox);
        }
        else
        {
            _log.LogInformation("MQTT disabled (Mqtt:Enabled=false)");
            _drainThread = new Thread(DrainWithoutPublisher) { IsBackground = true, Name = "handoff-drain" };
            _drainThread.Start();
        }

        WaitForDeliveringInverters();
        CompactStartupGarbage();
        RealtimeReport report = _executive.Start();
        foreach (RealtimeItem item in report.Items)
        {
            _log.Log(item.Outcome == RealtimeOutcome.Failed ? LogLevel.Warning : LogLevel.Information, "real-time: {Item}", item);
        }

        WaitForFirstCycle();
        _planner?.Start();
        _notifier = SystemdNotifier.FromEnvironment();
        _notifier?.Ready($"controlling: rig {_rig.Name}, period {F(_loop.PeriodMs)} ms");
        if (_notifier is not null && SystemdNotifier.WatchdogTimeout() is { } watchdogTimeout)
        {
            _watchdog = new WatchdogPinger(_notifier, () => executive.Statistics.ReadCounters(), watchdogTimeout / 2);
            _watchdog.Start();
        }

        if (LiveView.ShouldRun(_edge.LiveView))
        {
            _liveView = new LiveView(_pump, executive, () => _client?.IsConnected ?? false, _mqtt, _edge, _rig.Name, _recentLog);
            _liveView.Extra = LeverLine;
            _liveView.Start();
        }

        _supervisor = new Thread(Supervise) { IsBackground = true, Name = "supervisor" };
        _supervisor.Start();
        _saver = new StateSaver(_state, StatePath, TimeSpan.FromSeconds(_edge.StateSaveIntervalS), RefreshState, _log);
        _saver.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _notifier?.Stopping();
        _watchdog?.Dispose();
        StopPlanner(); // standby and the ramp-out ignore plans: the planner goes first
        if (_executive is not null && _pump is not null && _commands is not null && _cycle is not null)
        {
            // A live guard takes the inverters over at their present power (restart, upgrade: bumpless); else ramp out.
            if (_lease?.TryHandOver() != true)
            {
                await RampDownAsync().ConfigureAwait(false);
            }

            _executive.Stop();
            _executive.Wait(TimeSpan.FromSeconds(5));
            if (_executive.Failure is { } failure)
            {
                _log.LogError(failure, "the control loop failed");
                _status.ExitCode = 1;
            }
        }

        _loopStopped = true;
        _saver?.Stop();
        RefreshState(_state);
        _state.Running = false;

        string? notSaved = null;
        try
        {
            _state.Save(StatePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notSaved = e.Message;
            _log.LogError("cannot save state to {Path}: {Message}", StatePath, e.Message);
        }

        _liveView?.Dispose();
        _simAgents?.Dispose(); // they release along their ramps and say offline while Edge is still connected
        _agentThread?.Join(TimeSpan.FromSeconds(1));
        _leverSender?.Join(TimeSpan.FromSeconds(1));
        if (_withdrawThrottle is { } withdraw)
        {
            // A throttle request in force is withdrawn before Edge goes: nothing acts on the backstop after it.
            await withdraw().WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        if (_publisher is not null)
        {
            await _publisher.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        if (_sparkplugNode is not null)
        {
            await _sparkplugNode.StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        _drainThread?.Join(TimeSpan.FromSeconds(2));
        _rig?.Dispose();
        Interlocked.Exchange(ref _lease, null)?.Dispose();
        _broker?.Dispose(); // last: the offline status and NDEATH went out through it
        if (notSaved is null)
        {
            _log.LogInformation("stopped after {Seconds} s; state saved to {Path}", F(_sinceStart.Elapsed.TotalSeconds), StatePath);
        }
        else
        {
            // Never "saved" after a failed save (a full disk): the next start finds the file as it was last written.
            _log.LogWarning("stopped after {Seconds} s; state NOT saved to {Path} ({Message}): the next start resumes whatever was saved there last",
                F(_sinceStart.Elapsed.TotalSeconds), StatePath, notSaved);
        }

        Interlocked.Exchange(ref _instanceLock, null)?.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _planner?.Dispose();
        _watchdog?.Dispose();
        _saver?.Dispose();
        _liveView?.Dispose();
        _publisher?.Dispose();
        _client?.Dispose();
        _sparkplugNode?.Dispose();
        _sparkplugClient?.Dispose();
        _executive?.Dispose();
        _notifier?.Dispose();
        _rig?.Dispose();
        Interlocked.Exchange(ref _lease, null)?.Dispose();
        _broker?.Dispose();
        Interlocked.Exchange(ref _instanceLock, null)?.Dispose();
    }

    /// <summary>
    /// One daemon per state directory: a second <c>edge run</c> there (a second terminal) would take the inverters'
    /// ownership board from the first and both would fight over one MQTT client id. An exclusive lock (flock, released by
    /// the kernel when the process dies, even by SIGKILL) on <c>edge.lock</c>.
    /// </summary>
    private static FileStream TakeInstanceLock(string stateDirectory)
    {
        string path = Path.Combine(stateDirectory, "edge.lock");
        // Only a lock another process holds is "another edge run"; a read-only or full state filesystem, no permission
        // or a state directory under a file is said as what it is.
        return StateLock.TryTake(stateDirectory, "edge.lock", "Edge:StateDirectory", out bool held, out string problem)
            ?? throw new InvalidOperationException(held
                ? $"another edge run uses the state directory '{Path.GetFullPath(stateDirectory)}' (it holds {path}): stop it, or give this one its own Edge:StateDirectory"
                : problem);
    }

    /// <summary>
    /// Copies what must survive into <paramref name="s"/>: the SoC estimate (kept when no reading exists now), the
    /// acknowledged alarms (read racily from the publisher's flags: a benign race, each is one bool) and the lifetime
    /// counters. Called by the <see cref="StateSaver"/> thread and once at stop.
    /// </summary>
    private void RefreshState(PersistedState s)
    {
        double socPct = _pump?.LastSocPct ?? double.NaN;
        if (double.IsFinite(socPct))
        {
            s.SocEstimatePct = socPct;
        }

        if (_publisher is not null)
        {
            s.AcknowledgedAlarms = [.. _publisher.Alarms.AcknowledgedKeys()];
        }

        if (_executive is not null)
        {
            var counters = _executive.Statistics.ReadCounters();
            s.CyclesTotal = _loaded.CyclesTotal + counters.Cycles;
            s.OverrunsTotal = _loaded.OverrunsTotal + counters.Overruns;
        }

        s.RunSecondsTotal = _loaded.RunSecondsTotal + _sinceStart.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The SoC the simulated batteries start from (used only by the simulated rigs sim and hil): <c>Sim:InitialSocPct</c>,
    /// else 50 %. A simulated rig starts from its simulated state on every run — a demo must not inherit the last
    /// demo's battery (21 % SoC, saturated, a 1.4 kW grid step) — unless <c>Sim:ResumeState=true</c> resumes the SoC
    /// saved in <c>Edge:StateDirectory</c>. Real rigs read their SoC from the inverters and persist as before.
    /// </summary>
    private double InitialSimulatedSocPct()
    {
        double simulatedPct = double.IsNaN(_sim.InitialSocPct) ? 50 : _sim.InitialSocPct;
        if (_edge.Rig is not ("sim" or "hil"))
        {
            return simulatedPct;
        }

        if (_sim.ResumeState && double.IsFinite(_state.SocEstimatePct))
        {
            _log.LogInformation("simulated rig: resuming the saved SoC {Soc} % from {Path} (Sim:ResumeState=true)", F(_state.SocEstimatePct), StatePath);
            return _state.SocEstimatePct;
        }

        if (double.IsFinite(_state.SocEstimatePct))
        {
            _log.LogInformation("simulated rig: starting from the simulated SoC {Soc} % (the {Saved} % saved by the last run is not resumed; Sim:ResumeState=true resumes it)",
                F(simulatedPct), F(_state.SocEstimatePct));
        }
        else
        {
            _log.LogInformation("simulated rig: starting from the simulated SoC {Soc} %", F(simulatedPct));
        }

        return simulatedPct;
    }

    private ControllerOptions EffectiveControllerOptions()
    {
        ControllerOptions o = _configuredController.Clone();
        o.PeriodMs = _loop.PeriodMs;
        if (_rig?.Profile is null)
        {
            return o;
        }

        // The simulated rig sizes what the operator did not configure, as replay does: battery from the simulated
        // inverters, ramp limit 1 % of the load's peak per second.
        var set = _configuration.GetSection("Controller").GetChildren().Select(c => c.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        (double powerW, double energyWh) = RigFactory.SimInverterSize(_sim, _rig.Profile);
        double peakW = _rig.Profile.PeakW;
        if (!set.Contains(nameof(o.MaxChargeW)))
        {
            o.MaxChargeW = powerW * _sim.Inverters;
        }

        if (!set.Contains(nameof(o.MaxDischargeW)))
        {
            o.MaxDischargeW = powerW * _sim.Inverters;
        }

        if (!set.Contains(nameof(o.EnergyWh)))
        {
            o.EnergyWh = energyWh * _sim.Inverters;
        }

        if (!set.Contains(nameof(o.RampUpWPerS)))
        {
            o.RampUpWPerS = 0.01 * peakW;
        }

        if (!set.Contains(nameof(o.RampDownWPerS)))
        {
            o.RampDownWPerS = 0.01 * peakW;
        }

        return o;
    }

    private void StartMqtt(ControllerOptions controllerOptions, CommandMailbox mailbox)
    {
        string clientId = string.IsNullOrEmpty(_mqtt.ClientId) ? $"edge-{_edge.Site}-{_edge.Node}" : _mqtt.ClientId;
        MqttClientOptions clientOptions = ClientOptions(clientId);
        _client = new MqttClient(_loggers.CreateLogger("mqtt"));
        var topics = new EdgeTopics(_edge.Site, _edge.Node);
        CommandOptions commandOptions = _mqtt.Commands;
        if (string.IsNullOrEmpty(commandOptions.AuditPath))
        {
            commandOptions.AuditPath = Path.Combine(_edge.StateDirectory, "commands.audit.jsonl");
        }

        if (string.IsNullOrEmpty(commandOptions.IdStorePath))
        {
            commandOptions.IdStorePath = Path.Combine(_edge.StateDirectory, "commands.ids");
        }

        // Commands carry wall-clock expiries: on a real rig they wait for a synchronised clock; a simulated one does not.
        commandOptions.RequireClockSync ??= _edge.Rig is not ("sim" or "hil");
        var processor = new CommandProcessor(commandOptions, topics, controllerOptions, mailbox, new ClientReplySink(_client), _loggers.CreateLogger("commands"), clock: CommandClock);
        Commands = processor;
        EdgePublisherOptions publish = _mqtt.Publish;
        publish.Site = _edge.Site;
        publish.Node = _edge.Node;
        _publisher = new EdgePublisher(publish, _client, _pump!, _pump, processor, _loggers.CreateLogger("publisher"));
        _publisher.Alarms.RestoreAcknowledged(_state.AcknowledgedAlarms);
        IReadOnlyList<IBatteryInverter> inverters = _rig!.Inverters;
        _publisher.Alarms.DeviceReason = id => inverters.FirstOrDefault(i => i.Id == id) is ModbusInverter { LastError.Length: > 0 } m ? m.LastError : null;
        if (_edge.BackstopActs)
        {
            WireBackstopMessages(_pump!, _client, topics);
        }
        StartAgentRegistry();
        bool everConnected = false;
        bool saidNoBroker = false;
        _client.ConnectedAsync += e =>
        {
            _log.LogInformation("MQTT connected to {Server} as {ClientId}; subscribe with: mosquitto_sub -h {Host} -p {Port} -t 'edge/{Site}/{Node}/#' -v",
                e.Server, clientId, e.Server.Host, e.Server.Port, _edge.Site, _edge.Node);
            everConnected = true;
            saidNoBroker = false;
            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += e =>
        {
            if (!_stopping && !saidNoBroker)
            {
                saidNoBroker = true;
                if (everConnected)
                {
                    _log.LogWarning("MQTT link to {Server} lost ({Reason}); still controlling, reconnecting{Failover}", _client.Server, e.Reason,
                        clientOptions.FailoverServers.Count > 0 ? $" (brokers: {string.Join(", ", clientOptions.Servers())})" : " with backoff");
                }
                else
                {
                    _log.LogWarning("no MQTT broker answers at {Servers} ({Reason}); still controlling, retrying in the background", string.Join(", ", clientOptions.Servers()), e.Reason);
                }
            }

            return Task.CompletedTask;
        };
        _publisher.Start(clientOptions);
        _publisher.StartThread();

        bool agentAccounts = string.IsNullOrEmpty(_mqtt.Credentials.Username) || !string.IsNullOrEmpty(_sim.AgentPasswordDirectory);
        if (_edge.Rig == "sim" && _sim.GpuAgents + _sim.MinerAgents > 0 && !agentAccounts)
        {
            _log.LogInformation("sim rig: the simulated agents are not started: the broker wants accounts (Mqtt:Credentials) and Sim:AgentPasswordDirectory names none (setup.sh agent {Site} sim-gpu-0 …)", _edge.Site);
        }
        else if (SimAgentsRun && _rig?.Site is { } simSite)
        {
            _simAgents = new SimAgents(_edge.Site, _sim, simSite, _mqtt, MonotonicClock.Instance, _loggers.CreateLogger("sim-agents"));
            _log.LogInformation("sim rig: {Gpus} simulated GPU-node agents and {Miners} simulated miners run as MQTT agents (edge/{Site}/agents/#)",
                _sim.GpuAgents, _sim.MinerAgents, _edge.Site);
        }

        if (_sparkplug.Enabled)
        {
            _sparkplugClient = new MqttClient(_loggers.CreateLogger("sparkplug"));
            _sparkplugNode = new SparkplugNode(_sparkplug.Named(_edge.Site, _edge.Node), _sparkplugClient, new FileBdSeqStore(Path.Combine(_edge.StateDirectory, "sparkplug.bdseq")), _loggers.CreateLogger("sparkplug"), devices: _pump);
            _publisher.StateSink = _sparkplugNode;
            MqttClientOptions sparkplugClient = ClientOptions(clientId + "-spb");
            if (!string.IsNullOrEmpty(_sparkplug.Credentials?.Username))
            {
                sparkplugClient.Credentials = _sparkplug.Credentials;
            }

            _sparkplugNode.Start(sparkplugClient);
        }
    }

    /// <summary>
    /// With no broker accepting on the loopback port (and <c>Mqtt:EmbeddedBroker</c> allowing it), serves the port
    /// with <see cref="EmbeddedBroker"/> so the demo needs no installs. A broker that answered wins; a port taken by
    /// something else between the probe and the bind is reported, and Edge carries on without it.
    /// </summary>
    private void StartEmbeddedBrokerIfNoneAnswers(bool answered)
    {
        if (answered)
        {
            return;
        }

        try
        {
            _broker = EmbeddedBroker.Start(_mqtt.Port, refused => _log.LogWarning("{Refused}", refused));
            _log.LogInformation(
                "no MQTT broker accepted on {Host}:{Port} within {Seconds} s: Edge serves that port with its embedded broker (Mqtt:EmbeddedBroker={Setting}; a real broker started before Edge wins). Watch Edge with: mosquitto_sub -h localhost -p {Port} -t 'edge/#' -v",
                _mqtt.Host, _mqtt.Port, F(EmbeddedBroker.ProbeTimeout.TotalSeconds), _mqtt.EmbeddedBroker, _mqtt.Port);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or InvalidOperationException)
        {
            _log.LogWarning("cannot serve {Host}:{Port} with the embedded MQTT broker ({Message}); Edge keeps controlling and retries the broker in the background",
                _mqtt.Host, _mqtt.Port, e.Message);
        }
    }

    /// <summary>
    /// Backstop tiers 1 and 4 on MQTT (docs/agents.md, "What each tier does"): the <c>oscillation</c> alarm's detail, and
    /// the retained throttle request for the workload orchestrator on <c>…/throttle</c> — "requested"/"ended" as tier 4
    /// is entered and left, and the one in force again on every (re)connection: "ended" at the first one, so a request
    /// left retained by an Edge that died is withdrawn.
    /// </summary>
    private void WireBackstopMessages(CyclePump pump, MqttClient client, EdgeTopics topics)
    {
        _publisher!.Alarms.AlarmReason = id => id == "oscillation" ? pump.OscillationDetail() : null;
        if (pump.Backstop is not { } backstop)
        {
            return;
        }

        string topic = topics.Root + "/" + ThrottleRequest.Leaf;
        IReadOnlyList<BandSpec> bands = backstop.Policy.Bands;
        byte[] inForce = ThrottleRequest.Payload(false, default, bands, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        bool requestedInForce = false;
        Task Publish() =>
            client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Volatile.Read(ref inForce))
                .WithQualityOfServiceLevel(Edge.Mqtt.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());

        _withdrawThrottle = () =>
        {
            if (!Volatile.Read(ref requestedInForce))
            {
                return Task.CompletedTask;
            }

            Volatile.Write(ref inForce, ThrottleRequest.Payload(false, default, bands, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            _log.LogInformation("oscillation backstop: throttle request withdrawn on stop ({Topic})", topic);
            return Publish();
        };

        client.ConnectedAsync += connected =>
        {
            _ = Publish();
            return Task.CompletedTask;
        };
        pump.ThrottleChanged = (requested, f) =>
        {
            Volatile.Write(ref inForce, ThrottleRequest.Payload(requested, f, bands, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            Volatile.Write(ref requestedInForce, requested);
            if (client.IsConnected)
            {
                _ = Publish(); // else the next connection publishes it
            }

            if (requested)
            {
                _log.LogWarning("oscillation backstop tier 4: request throttling asked of the workload orchestrator on {Topic}", topic);
            }
        };
    }

    private MqttClientOptions ClientOptions(string clientId) => _mqtt.ToClientOptions(clientId);

    /// <summary>
    /// True when the sim rig's agents will run (MQTT on, agents configured, accounts for them): their devices are then
    /// part of the simulated site from its first sample (docs/agents.md); otherwise the sim rig is the profile alone.
    /// </summary>
    private bool SimAgentsRun => _mqtt.Enabled && _edge.Rig == "sim" && _sim.GpuAgents + _sim.MinerAgents > 0
        && (string.IsNullOrEmpty(_mqtt.Credentials.Username) || !string.IsNullOrEmpty(_sim.AgentPasswordDirectory));

    /// <summary>Agents, backstop tier and site limit in one line (live view and the plain status line).</summary>
    private string LeverLine()
    {
        var parts = new List<string>();
        if (_fleet.Reader(DaemonReaders.View).TryRead(out AgentFleet fleet, out _, out _))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"agents {fleet.Active}/{fleet.Known} counted on ({fleet.PowerW:0} W)"));
        }

        if (_levers?.Figures.Reader(DaemonReaders.View).TryRead(out LeverFigures lf, out _, out _) == true)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"levers{(lf.Absorbing ? " absorbing" : "")}: flex {lf.FlexCommandW:0} W, curtailed {lf.Costs.CurtailedS:0} s, GPU capped {lf.Costs.GpuCappedS:0} s"));
        }

        if (_pump?.BackstopState.Reader(DaemonReaders.View).TryRead(out BackstopFigures b, out _, out _) == true)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"backstop tier {b.Tier}"));
        }

        if (_siteLimits?.Status.Reader(DaemonReaders.View).TryRead(out SiteLimitStatus l, out _, out _) == true && l.Phase != SiteLimitPhase.None)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"site limit {l.Phase.ToString().ToLowerInvariant()} {l.TargetW:0} W{(l.Phase == SiteLimitPhase.Active ? (l.Compliant ? ", met" : ", NOT met") : "")}"));
        }

        return string.Join(" · ", parts);
    }

    /// <summary>
    /// The agent registry (docs/agents.md): reads <c>edge/{site}/agents/+/+</c> on Edge's MQTT connection and publishes
    /// the agents in state; its own thread sweeps it every 100 ms (drop-out after 1 s without telemetry) and hands what
    /// the plan may count on to the loop through a latest-value mailbox.
    /// </summary>
    private void StartAgentRegistry()
    {
        IMonotonicClock clock = MonotonicClock.Instance;
        SimOptions sim = _sim;
        bool ownAgentsOnly = _edge.Rig == "sim" && !sim.ForeignAgents;
        var registry = new AgentRegistry(_edge.Site, TimeProvider.System)
        {
            Admits = ownAgentsOnly ? id => SimAgents.Runs(id, sim) : null,
        };
        registry.Ignored = id => _log.LogWarning(
            "agent {Agent} on edge/{Site}/agents ignored: the sim rig counts only on its own simulated agents (sim-gpu-N, sim-miner-N) and never commands another; Sim:ForeignAgents=true lets it count on yours",
            id, _edge.Site);
        _agents = registry;
        registry.Changed = (id, active, why) =>
        {
            if (active)
            {
                _log.LogInformation("agent {Agent} counted on", id);
            }
            else
            {
                _log.LogWarning("agent {Agent} dropped from the plan: {Why}", id, why);
            }
        };
        _client!.ApplicationMessageReceivedAsync += e =>
        {
            registry.Handle(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.Span, e.ApplicationMessage.Retain, clock.NowNs);
            return Task.CompletedTask;
        };
        _ = _client.SubscribeAsync(registry.Filter, Edge.Mqtt.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        _publisher!.StateExtension = new DaemonStateExtension(_siteLimits?.Status.Reader(DaemonReaders.Main), _pump!.BackstopState.Reader(DaemonReaders.Main), registry, _levers?.Figures.Reader(DaemonReaders.Main), _planner?.Figures);
        AgentLevers? levers = _levers;
        if (levers is not null)
        {
            levers.Log = m => _log.LogWarning("{Message}", m);
            MqttClient client = _client;
            _leverSender = new Thread(() =>
            {
                // The MQTT side of the lever coordinator: drains its bounded queue, never blocks the loop.
                while (!_stopping)
                {
                    levers.SendPending(client, TimeProvider.System);
                    Thread.Sleep(20);
                }
            })
            { IsBackground = true, Name = "agent-commands" };
            _leverSender.Start();
        }

        _agentThread = new Thread(() =>
        {
            while (!_stopping)
            {
                long now = clock.NowNs;
                _fleet.Write(registry.Sweep(now), now);
                levers?.Publish(registry);
                _planner?.OfferAnnouncements(registry.Announcements());
                Thread.Sleep(100);
            }
        })
        { IsBackground = true, Name = "agent-registry" };
        _agentThread.Start();
    }

    /// <summary>
    /// The grid planner beside the loop when <c>Planner:Enabled</c> (docs/planner.md), with the mailbox the loop reads its
    /// plans from; null (and no mailbox: the controller alone) when off or when the solver cannot be loaded here — then
    /// Edge says so and controls without it.
    /// </summary>
    private DaemonPlanner? StartPlannerOrNot(ControllerOptions controller, IMonotonicClock clock, out LatestValueMailbox<GridPlan>? plans)
    {
        plans = null;
        if (!_plannerOptions.Enabled)
        {
            return null;
        }

        var mailbox = new LatestValueMailbox<GridPlan>();
        try
        {
            var planner = new DaemonPlanner(controller, _plannerOptions, clock, mailbox, m => _log.LogWarning("{Message}", m));
            plans = mailbox;
            _log.LogInformation("planner: on, a plan every {Interval} s over {Horizon} s (solver {Solver}), handed to the loop through its plan mailbox",
                F(_plannerOptions.IntervalS), F(_plannerOptions.HorizonS), _plannerOptions.Solver);
            return planner;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException or BadImageFormatException)
        {
            _log.LogWarning("planner: cannot start ({Message}); controlling without it", e.GetBaseException().Message);
            return null;
        }
    }

    /// <summary>Stops the planner thread (first on stop: the ramp-out ignores plans) and says what it measured.</summary>
    private void StopPlanner()
    {
        if (_planner is null)
        {
            return;
        }

        _planner.Stop();
        PlannerFigures f = _planner.Measured(); // its thread has stopped: read directly, not through the publisher's mailbox
        _log.LogInformation(
            "planner: {Plans} plans, {Skipped} rounds without one ({NotOptimal} not optimal; the others: not in auto, no fresh period or SoC); solve p50 {P50} ms, p99 {P99} ms, max {Max} ms; {Bytes} B managed per round (last {Last} B); {Dropped} periods dropped",
            f.Plans, f.Skipped, f.NotOptimal, F(f.SolveP50Ms), F(f.SolveP99Ms), F(f.SolveMaxMs), F(f.MeanRoundAllocatedBytes), f.RoundAllocatedBytes, f.SamplesDropped);
    }

    /// <summary>Where commands learn whether the wall clock is synchronised (the kernel's adjtimex; tests substitute one).</summary>
    internal IWallClockStatus CommandClock { get; set; } = new KernelClockStatus();

    /// <summary>The command processor (null without MQTT): its counters.</summary>
    internal CommandProcessor? Commands { get; private set; }

    /// <summary>
    /// Start-up leaves garbage behind (configuration and host, the rig file, the load profile's generation scratch on
    /// the large-object heap). Once the loop runs, no blocking full collection may happen (SustainedLowLatency), so it
    /// would stay for the life of the process: collect and compact it once now, before the first period, and give the
    /// memory back to the OS. Costs a few ms of start-up; takes ~3 MB off the resident set of the sim rig.
    /// </summary>
    private static void CompactStartupGarbage()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>
    /// Milliseconds since the kernel started this process (10 ms resolution on Linux); NaN where unknown. A process a
    /// script exec'd keeps the script's start time (deploy/run-sim.sh builds, then execs edge): when that lies more than
    /// 2 s before Main began, the figure is counted from Main instead, so it never includes a build.
    /// </summary>
    private static double SinceProcessStartMs()
    {
        try
        {
            using var self = Process.GetCurrentProcess();
            double kernelMs = (DateTime.Now - self.StartTime).TotalMilliseconds;
            double mainMs = Program.MainStartedTs == 0 ? double.NaN : Stopwatch.GetElapsedTime(Program.MainStartedTs).TotalMilliseconds;
            return kernelMs - mainMs > 2000 ? mainMs : kernelMs;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return double.NaN;
        }
    }

    private void WaitForFirstCycle()
    {
        var wait = Stopwatch.StartNew();
        while (_pump!.Consumed == 0 && _executive!.Failure is null && wait.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_drainThread is null && _publisher is null)
            {
                _pump.Drain();
            }

            Thread.Sleep(1);
        }

        _status.FirstCycleMs = _sinceStart.Elapsed.TotalMilliseconds;
        _status.FirstCycleSinceProcessStartMs = SinceProcessStartMs();
        if (_executive!.Failure is { } failure)
        {
            throw new InvalidOperationException("The control loop failed on its first cycle.", failure);
        }

        _log.LogInformation("first control cycle {Ms} ms after start ({ProcessMs} ms after the process started); controlling",
            F(_status.FirstCycleMs), F(_status.FirstCycleSinceProcessStartMs));
    }

    /// <summary>
    /// Bumpless start (issue 11): the controller starts from the inverters' measured power, counted only once they are
    /// usable. When an inverter already delivers power (the guard held it across a restart, or a bench PCS runs), the
    /// first cycle waits — at most 5 s — until every inverter answering is usable, so the loop starts from that power
    /// instead of 0 W. Inverters at rest or silent cost no wait beyond their first answer (≤ 1 s).
    /// </summary>
    private void WaitForDeliveringInverters()
    {
        var waited = Stopwatch.StartNew();
        bool delivering = false;
        while (waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            int answered = 0, usable = 0;
            foreach (IBatteryInverter inverter in _rig!.Inverters)
            {
                if (inverter.TryReadState(out InverterState s))
                {
                    answered++;
                    usable += s.IsUsable ? 1 : 0;
                    delivering |= double.IsFinite(s.MeasuredPowerW) && Math.Abs(s.MeasuredPowerW) > 1;
                }
            }

            if (usable == _rig.Inverters.Count || (!delivering && (answered == _rig.Inverters.Count || waited.Elapsed > TimeSpan.FromSeconds(1))))
            {
                break;
            }

            Thread.Sleep(10);
        }

        if (delivering)
        {
            _log.LogInformation("the inverters already deliver power: the loop starts from it (waited {Ms} ms for them to be usable)", F(waited.Elapsed.TotalMilliseconds));
        }
    }

    /// <summary>Says what stopped the daemon (e.g. "Ctrl-C", "--duration 40s"), for the stop's log line; set by <c>edge run</c>.</summary>
    internal Func<string>? DescribeStop { get; set; }

    /// <summary>
    /// The clean stop's ramp-out. The battery setpoint walks to 0 W at the ramp limit that applies to its direction —
    /// a discharging battery (setpoint &gt; 0) hands its share back to the grid, so the grid rises: the up-ramp limit;
    /// a charging one the down-ramp limit — exactly as the controller's standby does, so the estimate said at the start
    /// is the time it takes. Progress every 5 s. Bounded by <c>Edge:ShutdownTimeoutS</c> when the operator set it;
    /// otherwise by the larger of its default and the ramp-out's own time (with a margin).
    /// </summary>
    private async Task RampDownAsync()
    {
        _commands!.RequestStandby();
        ControllerLimits limits = _cycle!.Controller.Limits;
        // The estimate starts from the setpoint the controller ramps out from, once the loop has applied standby (a
        // period or two); a loop that does not answer within 1 s leaves the last published setpoint.
        var applying = Stopwatch.StartNew();
        while (!_commands.StandbyApplied && applying.Elapsed < TimeSpan.FromSeconds(1) && _executive!.Failure is null)
        {
            await Task.Delay(2).ConfigureAwait(false);
        }

        CyclePump pump = _pump!;
        double startW = _commands.StandbyApplied && double.IsFinite(_commands.StandbyFromW) ? _commands.StandbyFromW : pump.LastSetpointW;
        (double rampWPerS, string which) = RampOutRate(startW, limits);
        double estimateS = Math.Abs(startW) / rampWPerS;
        string why = DescribeStop?.Invoke() ?? "stop requested";
        string again = why.StartsWith("--duration", StringComparison.Ordinal) || why == "stop requested" ? "Ctrl-C" : $"A second {why}";

        // The ramp is the law: unless the operator bounded the stop (Edge:ShutdownTimeoutS), the bound makes room for
        // the ramp-out the limit dictates (1 % of peak per second from full power takes 100 s).
        bool bounded = _configuration["Edge:ShutdownTimeoutS"] is not null;
        double boundS = bounded ? _edge.ShutdownTimeoutS : Math.Max(_edge.ShutdownTimeoutS, (estimateS * 1.2) + 5);
        _log.LogInformation(
            "stopping ({Why}): ramping the battery from {Power} W to 0 W at the {Which} limit {Ramp} W/s — about {Seconds} s. {Again} stops at once and leaves the last setpoint to the inverters' own revert timeout",
            why, F0(startW), which, F(rampWPerS), F1(estimateS), again);
        if (estimateS > boundS)
        {
            _log.LogWarning(
                "the ramp-out needs about {Seconds} s, longer than Edge:ShutdownTimeoutS = {Timeout} s: Edge stops after {Timeout} s and the inverters' revert timeout finishes it (raise Edge:ShutdownTimeoutS to ramp all the way)",
                F1(estimateS), F(boundS), F(boundS));
        }

        var elapsed = Stopwatch.StartNew();
        var nextNote = Stopwatch.StartNew();
        while (elapsed.Elapsed.TotalSeconds < boundS && _executive!.Failure is null)
        {
            double nowW = pump.LastSetpointW;
            if (_commands.StandbyApplied && Math.Abs(nowW) < 0.5)
            {
                _log.LogInformation("battery setpoint at 0 W after {Seconds} s (estimated {Estimate} s)", F1(elapsed.Elapsed.TotalSeconds), F1(estimateS));
                return;
            }

            if (nextNote.Elapsed > TimeSpan.FromSeconds(5))
            {
                nextNote.Restart();
                (double rate, _) = RampOutRate(nowW, _cycle.Controller.Limits);
                _log.LogInformation("stopping: battery setpoint {Power} W, about {Left} s left ({Elapsed} s so far)",
                    F0(nowW), F1(Math.Abs(nowW) / rate), F1(elapsed.Elapsed.TotalSeconds));
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        _log.LogWarning("ramp-down not finished within {Timeout} s (Edge:ShutdownTimeoutS; setpoint {Power} W): {Revert}",
            F(boundS), F0(pump.LastSetpointW), InverterReversion());
    }

    private static (double RateWPerS, string Which) RampOutRate(double setpointW, in ControllerLimits limits) =>
        setpointW > 0 ? (limits.RampUpWPerS, "up-ramp") : (limits.RampDownWPerS, "down-ramp");

    /// <summary>
    /// The second stop request: stop at once, without the rest of the ramp-down. Says (on <paramref name="error"/>,
    /// synchronously — no log queue survives what follows) what the inverters will do on their own, then ends the
    /// process with exit code 1 (no clean stop). Any thread.
    /// </summary>
    internal void StopNow(string source, TextWriter error)
    {
        if (Interlocked.Exchange(ref _stoppingNow, 1) != 0)
        {
            return;
        }

        _liveView?.Dispose();
        double setpointW = _pump?.LastSetpointW ?? double.NaN;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"edge: {source} again: stopping now, without finishing the ramp-down (battery setpoint {setpointW:0} W, state not saved). {InverterReversion()}"));
        error.Flush();
        ExitNow(ExitCodes.Failed);
    }

    /// <summary>What the inverters do once Edge no longer writes (their programmed revert), in one sentence.</summary>
    private string InverterReversion()
    {
        ModbusInverter[] modbus = _rig?.Inverters.OfType<ModbusInverter>().ToArray() ?? [];
        if (modbus.Length == 0)
        {
            return "No inverter here reverts on its own: the battery keeps its last setpoint until something else stops it.";
        }

        int revertS = modbus.Max(i => i.RevertTimeoutS);
        int stepping = modbus.Count(i => !i.Profile.CanTrackRevert);
        string revert = stepping == 0
            ? "then revert to their reversion setpoint (SunSpec WSetRvrt), which Edge kept equal to the power it commanded: no step, but they HOLD that power until the guard (edge guard), an operator or the battery's SoC limit ends it"
            : stepping == modbus.Length
                ? "then revert to 0 W on their own (these devices have no reversion setpoint: a discharge ends in one step)"
                : $"then revert to their reversion setpoint (SunSpec WSetRvrt), which Edge kept equal to the power it commanded, and HOLD it until the guard (edge guard), an operator or the battery's SoC limit ends it; {stepping} of them have no reversion setpoint and revert to 0 W in one step";
        string sentence = string.Create(CultureInfo.InvariantCulture,
            $"The inverters keep their last setpoint for at most {revertS} s after Edge's last write (SunSpec WSetRvrtTms, programmed at start), {revert}; the broker publishes Edge's offline status (its Will).");
        return _rig!.SimulatedInverters.Count > 0
            ? sentence + " (On the sim rig the simulated inverters run inside this process and stop with it.)"
            : sentence;
    }

    /// <summary>Ends the process now: no finalizers, no host shutdown, no waiting (libc <c>_exit</c>).</summary>
    private static void ExitNow(int code) => Exit(code);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "_exit")]
    private static extern void Exit(int code);

    private void Supervise()
    {
        bool faultLogged = false;
        var statusEvery = Stopwatch.StartNew();
        while (!_stopping)
        {
            Thread.Sleep(200);
            _healthLog?.Check();
            if (_liveView is null && statusEvery.Elapsed > TimeSpan.FromSeconds(10) && _pump!.Live.TryRead(out LiveFigures figures, out _, out _))
            {
                statusEvery.Restart();
                _log.LogInformation("{Status} · {Levers}", LiveView.StatusLine(figures, _executive!.Statistics.Snapshot(), _mqtt.Enabled ? _client?.IsConnected ?? false : null), LeverLine());
            }

            if (_executive!.Failure is { } failure)
            {
                _log.LogCritical(failure, "the control loop stopped; stopping Edge without a ramp-down (a running guard takes the inverters over; without one, inverters with a reversion setpoint hold their last power until an operator or the SoC limit ends it)");
                _status.ExitCode = 1;
                _lifetime.StopApplication();
                return;
            }

            bool fault = _cycle!.Controller.Mode == ControlMode.Fault;
            if (fault && !faultLogged)
            {
                _log.LogWarning("controller in fault (deadline misses or E-stop): the battery ramps out; clear with cmd/{{operator}}/mode {{\"mode\":\"standby\"}} once the cause is gone");
            }

            faultLogged = fault;
        }
    }

    private void DrainWithoutPublisher()
    {
        // Until the loop has stopped, not merely until stopping began: the ramp-down is watched (and recorded)
        // through what this thread consumes.
        while (!_loopStopped)
        {
            if (_pump!.Drain() == 0)
            {
                Thread.Sleep(5);
            }
        }

        _pump!.Drain();
    }

    private void WriteDump(FlightRecord[] records, string reason)
    {
        int n = Interlocked.Increment(ref _dumps);
        string path = Path.Combine(_edge.StateDirectory, $"flight-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{n}.csv");
        _ = Task.Run(() =>
        {
            try
            {
                OutputFile.Write(path, s =>
                {
                    using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
                    FlightRecorder.WriteCsv(w, records);
                });
                _log.LogWarning("flight recorder: {Count} periods written to {Path} ({Reason}); replay it with: edge replay --trace {Path}", records.Length, path, reason, path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogError("flight recorder: cannot write {Path}: {Message}", path, e.Message);
            }
        });
    }

    /// <summary>Asks for a flight-recorder dump (SIGQUIT).</summary>
    public void RequestDump(string reason) => _pump?.RequestDump(reason);

    /// <summary>The rig, once started (for tests: fault injection, the E-stop line).</summary>
    internal BuiltRig? Rig => _rig;

    /// <summary>The control cycle, once started (for tests).</summary>
    internal ControlCycle? Cycle => _cycle;

    /// <summary>The hand-off consumer and flight recorder, once started (for tests).</summary>
    internal CyclePump? Pump => _pump;

    /// <summary>The loop executive, once started (for tests).</summary>
    internal CyclicExecutive? Executive => _executive;

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string F0(double v) => v.ToString("0", CultureInfo.InvariantCulture);

    private static string F1(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
