using Edge.Agents.Contract;
using Edge.Agents.Host;
using Edge.Agents.Nvml;
using Edge.Cli;
using Edge.Mqtt.Client;
using Edge.Runtime.Timing;
using Microsoft.Extensions.Logging;

namespace Edge.Commands;

/// <summary>
/// <c>edge agent gpu</c>: the node agent of a GPU node (docs/agents.md) — NVML power caps with ramped release,
/// instantaneous power telemetry, commands over MQTT.
/// </summary>
public sealed class AgentCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "agent gpu";

    /// <inheritdoc />
    public string Summary => "Run the node agent of a GPU node (NVML caps and telemetry over MQTT).";

    /// <inheritdoc />
    public string Usage => """
        edge agent gpu --site S --agent ID [options]

        Publishes edge/{site}/agents/{agent}/{status,capabilities,telemetry} and answers power-cap (and
        smoothing-profile) commands on .../cmd/{sender}/{name} (contract: docs/agents.md). Setting power limits needs
        root. Every limit below is local and never changed over MQTT.

          --site S                    Site topic level (required).
          --agent ID                  Agent identity, also its MQTT user (required).
          --host H --port P           Broker (default localhost:1883).
          --failover H:P[,H:P…]       Further brokers of the same cluster, tried in turn when the link is lost.
          --username U --password-file F   MQTT credentials (optional).
          --gpus 0,1,…                GPUs to control (default: all).
          --min-cap-w W --max-cap-w W Node cap limits, summed over the GPUs (default: the GPUs' constraints).
          --release-w-per-s R         Fastest release of an expired cap (default 100).
          --release-jitter-s J        Release start jitter bound (default 5).
          --max-command-lifetime-s L  Longest command lifetime accepted (default 300).
          --telemetry-hz F            Telemetry rate, 10–100 (default 10).
          --smoothing-profiles N      Number of smoothing profiles of this hardware (default 0: no such knob).
          --duration D                Stop after D (default: until Ctrl-C). Stopping releases caps along the ramp.
        """;

    /// <inheritdoc />
    public IReadOnlySet<string> Switches { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <inheritdoc />
    public int Run(CommandArgs args, CommandContext context)
    {
        string site = args.String("site") ?? throw new UsageException("Option --site is required.");
        string agent = args.String("agent") ?? throw new UsageException("Option --agent is required.");
        if (!AgentTopics.IsLevel(site) || !AgentTopics.IsLevel(agent))
        {
            throw new UsageException("--site and --agent must be 1–64 of A–Z a–z 0–9 . _ -.");
        }

        string host = args.String("host") ?? "localhost";
        int port = (int)(args.Long("port", 1, 65535) ?? 1883);
        IReadOnlyList<MqttServer> failover = MqttFailoverOption.Read(args, port);
        MqttCredentials? account = MqttAccountOption.Read(args, "username", "password-file");

        var gpus = new List<uint>();
        if (args.String("gpus") is { } list)
        {
            foreach (string part in list.Split(','))
            {
                if (!uint.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint g) || g > 63)
                {
                    throw new UsageException($"Option --gpus: '{part}' is not a GPU index (0–63).");
                }

                gpus.Add(g);
            }
        }

        var options = new GpuAgentOptions
        {
            Gpus = gpus,
            MinCapW = args.Double("min-cap-w", 0, 1e6) ?? 0,
            MaxCapW = args.Double("max-cap-w", 0, 1e6) ?? 0,
            ReleaseWPerS = args.Double("release-w-per-s", 0.001, 1e6) ?? 100,
            ReleaseJitterS = args.Double("release-jitter-s", 0, 600) ?? 5,
            MaxCommandLifetimeS = args.Double("max-command-lifetime-s", 1, 86_400) ?? 300,
            TelemetryHz = args.Double("telemetry-hz", 10, 100) ?? 10,
            SmoothingProfiles = (int)(args.Long("smoothing-profiles", 0, 64) ?? 0),
            Identity = agent,
        };
        TimeSpan? duration = args.Duration("duration");
        args.ThrowOnUnused();

        using ILoggerFactory logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        ILogger log = logs.CreateLogger("edge.agent");
        GpuLever lever;
        try
        {
            lever = new GpuLever(new NativeNvml(), options);
        }
        catch (AgentStartException e)
        {
            context.Error.WriteLine($"edge agent gpu: {e.Message}");
            return ExitCodes.Failed;
        }

        MqttClientOptionsBuilder mqtt = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId($"edge-agent-{agent}");
        mqtt.WithFailoverServers(failover);
        if (account is not null)
        {
            mqtt.WithCredentialsFromFile(account.Username!, account.PasswordFile!);
        }

        using var timeout = duration is { } d ? new CancellationTokenSource(d) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation, timeout.Token);
        using var agentHost = new AgentHost(lever, new AgentTopics(site, agent), MonotonicClock.Instance, TimeProvider.System, log);
        context.Error.WriteLine($"edge agent gpu: {agent} at {site}, caps {lever.Capabilities.MinW}–{lever.Capabilities.MaxW} W, knobs [{string.Join(", ", lever.Capabilities.Knobs)}], broker {host}:{port}{(failover.Count > 0 ? $" (failover {string.Join(", ", failover)})" : "")}");
        agentHost.Run(mqtt, TimeSpan.FromSeconds(Math.Max(10, 2 * (lever.Capabilities.MaxW - lever.Capabilities.MinW) / options.ReleaseWPerS)), stop.Token).GetAwaiter().GetResult();
        return ExitCodes.Ok;
    }
}
