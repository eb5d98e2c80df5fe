using Edge.Agents.Contract;
using Edge.Agents.Flex;
using Edge.Agents.Host;
using Edge.Cli;
using Edge.Devices.Gpio;
using Edge.Mqtt.Client;
using Edge.Runtime.Timing;
using Microsoft.Extensions.Logging;

namespace Edge.Commands;

/// <summary>
/// <c>edge agent flex</c>: the agent of a flexible load (docs/agents.md) — a miner or burn load whose level is set by a
/// configured command or switched by a relay on a GPIO line; commands over MQTT, ramped release, ≥ 10 Hz telemetry.
/// </summary>
public sealed class FlexAgentCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "agent flex";

    /// <inheritdoc />
    public string Summary => "Run the agent of a flexible load (a level command or a GPIO relay) over MQTT.";

    /// <inheritdoc />
    public string Usage => """
        edge agent flex --site S --agent ID --rated-w W (--command "PROG ARGS {level_pct}" | --gpio-chip C --gpio-line N) [options]

        Publishes edge/{site}/agents/{agent}/{status,capabilities,telemetry} and answers level commands on
        .../cmd/{sender}/level (contract: docs/agents.md). Every limit below is local and never changed over MQTT.

          --site S                    Site topic level (required).
          --agent ID                  Agent identity, also its MQTT user (required).
          --rated-w W                 The load's power at 100 %, W (required; telemetry's power_w = rated × level).
          --command "PROG ARGS"       Sets the level: run with {level_pct} replaced (no shell; exit 0 = done).
          --command-timeout-s T       Kill and fail the command after T s (default 10).
          --gpio-chip C --gpio-line N An on/off load behind a relay on that line (level > 0 = on; step 100 %).
          --active-low                The relay is energised by a low line.
          --host H --port P           Broker (default localhost:1883).
          --failover H:P[,H:P…]       Further brokers of the same cluster, tried in turn when the link is lost.
          --username U --password-file F   MQTT credentials (optional).
          --min-level-pct L           Lowest level a command may set (default 0).
          --level-step-pct S          Level resolution (default 5; 100 with --gpio-line).
          --initial-level-pct L       The level the load runs at when the agent starts (default 100); released from there.
          --release-w-per-s R         Fastest release of an expired level (default 100).
          --release-jitter-s J        Release start jitter bound (default 5).
          --release-slot K/N          Release slot K of N instead of a random delay (interleaves quantised loads).
          --max-command-lifetime-s L  Longest command lifetime accepted (default 300).
          --telemetry-hz F            Telemetry rate, 10–100 (default 10).
          --response-ms M             Time the load takes to follow a level, advertised (default 2000).
          --duration D                Stop after D (default: until Ctrl-C). Stopping releases along the ramp.
        """;

    /// <inheritdoc />
    public IReadOnlySet<string> Switches { get; } = new HashSet<string>(StringComparer.Ordinal) { "active-low" };

    /// <inheritdoc />
    public int Run(CommandArgs args, CommandContext context)
    {
        string site = args.String("site") ?? throw new UsageException("Option --site is required.");
        string agent = args.String("agent") ?? throw new UsageException("Option --agent is required.");
        if (!AgentTopics.IsLevel(site) || !AgentTopics.IsLevel(agent))
        {
            throw new UsageException("--site and --agent must be 1–64 of A–Z a–z 0–9 . _ -.");
        }

        double ratedW = args.Double("rated-w", 1, 1e9) ?? throw new UsageException("Option --rated-w is required.");
        string? command = args.String("command");
        string? chip = args.String("gpio-chip");
        long? line = args.Long("gpio-line", 0, 1023);
        bool activeLow = args.Has("active-low");
        if ((command is null) == (chip is null) || (chip is null) != (line is null))
        {
            throw new UsageException("Give either --command, or --gpio-chip with --gpio-line.");
        }

        if (command is not null && !command.Contains("{level_pct}", StringComparison.Ordinal))
        {
            throw new UsageException("Option --command must contain {level_pct} (where the level goes).");
        }

        string host = args.String("host") ?? "localhost";
        int port = (int)(args.Long("port", 1, 65535) ?? 1883);
        IReadOnlyList<MqttServer> failover = MqttFailoverOption.Read(args, port);
        MqttCredentials? account = MqttAccountOption.Read(args, "username", "password-file");

        (int? slot, int slots) = (null, 1);
        if (args.String("release-slot") is { } slotText)
        {
            string[] parts = slotText.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int k)
                || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 1 || n > 10_000 || k >= n)
            {
                throw new UsageException($"Option --release-slot: '{slotText}' is not K/N with 0 ≤ K < N ≤ 10000.");
            }

            (slot, slots) = (k, n);
        }

        var options = new FlexAgentOptions
        {
            RatedW = ratedW,
            MinLevelPct = args.Double("min-level-pct", 0, 100) ?? 0,
            LevelStepPct = args.Double("level-step-pct", 0.1, 100) ?? (chip is null ? 5 : 100),
            ReleaseWPerS = args.Double("release-w-per-s", 0.001, 1e9) ?? 100,
            ReleaseJitterS = args.Double("release-jitter-s", 0, 600) ?? 5,
            ReleaseSlot = slot,
            ReleaseSlots = slots,
            MaxCommandLifetimeS = args.Double("max-command-lifetime-s", 1, 86_400) ?? 300,
            TelemetryHz = args.Double("telemetry-hz", 10, 100) ?? 10,
            ResponseMs = args.Double("response-ms", 0, 600_000) ?? 2000,
            Identity = agent,
        };
        if (chip is not null && options.LevelStepPct != 100)
        {
            throw new UsageException("An on/off relay (--gpio-line) has a level step of 100 %.");
        }

        double initialPct = args.Double("initial-level-pct", 0, 100) ?? 100;
        double timeoutS = args.Double("command-timeout-s", 0.1, 600) ?? 10;
        TimeSpan? duration = args.Duration("duration");
        args.ThrowOnUnused();

        using ILoggerFactory logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        ILogger log = logs.CreateLogger("edge.agent");
        IFlexActuator actuator;
        IDisposable? owned = null;
        try
        {
            if (command is not null)
            {
                actuator = new CommandActuator(command, TimeSpan.FromSeconds(timeoutS));
            }
            else
            {
                LinuxGpioChip gpio = LinuxGpioChip.Open(chip!);
                owned = gpio;
                IGpioLine gpioLine = gpio.RequestLine(new GpioLineSettings((int)line!.Value, GpioDirection.Output) { ActiveLow = activeLow });
                var output = new Edge.Devices.Gpio.GpioDigitalOutput($"{chip}:{line}", gpioLine);
                actuator = new RelayActuator(output);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            context.Error.WriteLine($"edge agent flex: {e.Message}");
            owned?.Dispose();
            return ExitCodes.Failed;
        }

        using IDisposable? _ = owned;
        var lever = new FlexLever(actuator, options, initialPct);
        MqttClientOptionsBuilder mqtt = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId($"edge-agent-{agent}");
        mqtt.WithFailoverServers(failover);
        if (account is not null)
        {
            mqtt.WithCredentialsFromFile(account.Username!, account.PasswordFile!);
        }

        using var timeout = duration is { } d ? new CancellationTokenSource(d) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation, timeout.Token);
        using var agentHost = new AgentHost(lever, new AgentTopics(site, agent), MonotonicClock.Instance, TimeProvider.System, log);
        context.Error.WriteLine(FormattableString.Invariant(
            $"edge agent flex: {agent} at {site}, {ratedW} W rated, levels {options.MinLevelPct}–100 % in {options.LevelStepPct} % steps via {actuator.Describe()}, release {options.ReleaseWPerS} W/s, broker {host}:{port}{(failover.Count > 0 ? $" (failover {string.Join(", ", failover)})" : "")}"));
        double releaseS = ratedW * (100 - options.MinLevelPct) / 100 / options.ReleaseWPerS;
        agentHost.Run(mqtt, TimeSpan.FromSeconds(Math.Max(10, (2 * releaseS) + lever.Capabilities.ReleaseJitterS)), stop.Token).GetAwaiter().GetResult();
        return ExitCodes.Ok;
    }
}
