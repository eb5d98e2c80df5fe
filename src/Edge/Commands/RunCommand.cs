using System.Runtime.InteropServices;
using Edge.Cli;
using Edge.Core;
using Edge.Core.Control;
using Edge.Daemon;
using Edge.Daemon.Rigs;
using Edge.Mqtt.Sparkplug;
using Edge.Replay;
using Edge.Runtime.Realtime;
using Edge.Runtime.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Commands;

/// <summary>
/// <c>edge run</c> (docs/DESIGN.md §6): the daemon on the generic host. Configuration, in increasing precedence: the
/// <c>--config</c> JSON file, <c>EDGE_Section__Key</c> environment variables, <c>Section:Key=value</c> words on the
/// command line, then <c>--rig</c>. Every option is validated before any device is touched; a bad one stops Edge with
/// its full path, the bad value and the allowed range (exit code 2), and nothing is commanded.
/// </summary>
public sealed class RunCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "run";

    /// <inheritdoc />
    public string Summary => "the daemon: sample, smooth, command the inverters, publish over MQTT";

    /// <inheritdoc />
    public IReadOnlySet<string> Switches { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Usage => """
        edge run [--rig sim|hil|FILE.json] [--config FILE.json] [--duration 20s] [Section:Key=value …]

          --rig        sim: everything in-process (AI-training load → simulated INA226 sensors → the real drivers;
                       simulated SunSpec inverters over loopback Modbus; simulated site meter). hil: the inverters run
                       as separate 'edge sim inverter' processes. FILE.json: a rig file (hardware/rigs/).
          --config     JSON configuration (sections Edge, Controller, Loop, Realtime, Mqtt, Sparkplug, Sim).
          --duration   stop cleanly after controlling this long, counted from the first control cycle (the battery
                       ramps to 0 W within the ramp limit first). At most 49 days; omit it to run until stopped.
          Section:Key=value   override one option, e.g. Mqtt:Port=1884 Controller:RampUpWPerS=500.
        Every option can also come from an environment variable EDGE_Section__Key (e.g. EDGE_Mqtt__Host=broker).
        MQTT goes to Mqtt:Host:Mqtt:Port (default localhost:1883) if a broker answers; otherwise Edge keeps
        controlling and says so. Watch it with: mosquitto_sub -t 'edge/#' -v
        Exit codes: 0 clean stop, 1 stopped by a fault, 2 configuration error (nothing was commanded).
        Signals: the first SIGTERM/SIGINT (Ctrl-C) ramps the battery to 0 W within the ramp limit (the log says how
        long, with progress) and stops; a second one stops at once (exit 1) and says what the inverters do on their
        own (after their revert timeout they hold their last power, no step, until the guard, an operator or the SoC
        limit ends it: run edge guard). SIGQUIT writes the flight recorder to Edge:StateDirectory.
        """;

    /// <inheritdoc />
    public int Run(CommandArgs args, CommandContext context)
    {
        string? rig = args.String("rig");
        string? configPath = args.String("config");
        TimeSpan? duration = args.Duration("duration");
        args.ThrowOnUnused();

        Dictionary<string, string?> overrides = Overrides(args.Positional, rig);
        IConfigurationRoot configuration = BuildConfiguration(configPath, overrides);
        bool live = LiveView.ShouldRun(configuration["Edge:LiveView"] ?? "auto");
        using IHost host = BuildHost(configuration, live);
        var status = host.Services.GetRequiredService<DaemonStatus>();

        using var durationCts = new CancellationTokenSource(); // --duration counts from the first control cycle
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation, durationCts.Token);
        using PosixSignalRegistration dumpSignal = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, ctx =>
        {
            ctx.Cancel = true;
            host.Services.GetRequiredService<EdgeDaemon>().RequestDump("operator request (SIGQUIT)");
        });

        try
        {
            // Every section first, so one run names every bad option (the host would stop at the first section).
            host.Services.GetService<IStartupValidator>()?.Validate();

            // Resolved only once the options are valid (its constructor reads them).
            var daemon = host.Services.GetRequiredService<EdgeDaemon>();
            daemon.DescribeStop = () => context.Stops.FirstSource ?? (durationCts.IsCancellationRequested && duration is { } run ? FormattableString.Invariant($"--duration {run.TotalSeconds:0.###}s") : "stop requested");
            context.Stops.Repeated += source => daemon.StopNow(source, context.Error);

            // After --duration began the ramp-down, the first Ctrl-C is already the second stop request.
            using CancellationTokenRegistration afterDuration = context.Cancellation.Register(() =>
            {
                if (durationCts.IsCancellationRequested)
                {
                    daemon.StopNow(context.Stops.FirstSource ?? "stop request", context.Error);
                }
            });
            // Start-up (devices, broker, first cycle) may take seconds on a loaded box: --duration is control time.
            host.StartAsync(context.Cancellation).GetAwaiter().GetResult();
            if (duration is { } d)
            {
                durationCts.CancelAfter(d);
            }

            host.WaitForShutdownAsync(linked.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested && double.IsNaN(status.FirstCycleMs))
        {
            host.StopAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            context.Error.WriteLine($"edge run: stopped during start-up ({context.Stops.FirstSource ?? "stop request"}), before the first control cycle: nothing was commanded.");
            return ExitCodes.Ok;
        }
        catch (OptionsValidationException e)
        {
            throw new UsageException("invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", ValidationFailures([e])), e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OptionsValidationException))
        {
            IEnumerable<string> failures = ValidationFailures(e.InnerExceptions.Cast<OptionsValidationException>());
            throw new UsageException("invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", failures), e);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException("invalid configuration: " + e.Message, e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            context.Error.WriteLine(double.IsNaN(status.FirstCycleMs) ? $"edge run: could not start: {e.Message}" : $"edge run: failed: {e.Message}");
            return ExitCodes.Failed;
        }

        if (!double.IsNaN(status.FirstCycleMs) && !live)
        {
            context.Error.WriteLine(FormattableString.Invariant($"edge run: stopped (first control cycle was {status.FirstCycleSinceProcessStartMs:0} ms after the process started)."));
        }

        return status.ExitCode;
    }

    /// <summary>
    /// The <c>Section:Key=value</c> words of the command line (shared with <c>edge check</c>), plus <c>--rig</c> as
    /// <c>Edge:Rig</c>. A key given twice — in any spelling of its case, as the configuration treats keys — is refused
    /// naming both words, as duplicate keys in the configuration file are (the last would win silently).
    /// </summary>
    internal static Dictionary<string, string?> Overrides(IReadOnlyList<string> words, string? rig)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var given = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string word in words)
        {
            int eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !word[..eq].Contains(':', StringComparison.Ordinal))
            {
                throw new UsageException($"{CsvTrace.Show(word)} is not an option override; write Section:Key=value (e.g. Mqtt:Port=1884).");
            }

            string key = word[..eq];
            if (given.TryGetValue(key, out string? first))
            {
                throw new UsageException($"{CsvTrace.Show(first)} and {CsvTrace.Show(word)} set the same option (keys are not case-sensitive): give it once.");
            }

            given[key] = word;

            overrides[key] = word[(eq + 1)..];
        }

        if (rig is not null)
        {
            if (given.TryGetValue("Edge:Rig", out string? word))
            {
                throw new UsageException($"--rig {CsvTrace.Show(rig)} and {CsvTrace.Show(word)} set the same option Edge:Rig: give it once.");
            }

            overrides["Edge:Rig"] = rig;
        }

        return overrides;
    }

    /// <summary>
    /// What is wrong with the <c>EDGE_</c> variables, or null: two naming one option in different case
    /// (<c>EDGE_Mqtt__Host</c> and <c>EDGE_MQTT__HOST</c> — configuration keys are not case-sensitive, so one would
    /// silently win, and which one depends on the order the environment happens to list them in), or one with a single
    /// underscore after a section's name (<c>EDGE_Controller_RampUpWPerS</c>, which nothing reads).
    /// </summary>
    internal static string? EnvironmentProblem(System.Collections.IDictionary environment)
    {
        const string Prefix = "EDGE_";
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        foreach (object? key in environment.Keys)
        {
            if (key is string name && name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                names.Add(name);
            }
        }

        names.Sort(StringComparer.Ordinal); // the message does not depend on the environment's order
        foreach (string name in names)
        {
            // EDGE_Controller_RampUpWPerS (one underscore) is a root key the binder never reads: the setting would be
            // silently lost. Refused when what precedes the underscore is one of Edge's sections.
            string rest = name[Prefix.Length..];
            int single = rest.IndexOf('_', StringComparison.Ordinal);
            if (!rest.Contains("__", StringComparison.Ordinal) && single > 0 && Sections.ContainsKey(rest[..single]))
            {
                string meant = Prefix + rest[..single] + "__" + rest[(single + 1)..];
                return $"environment variable {CsvTrace.Show(name)} is not read: a section and its key are separated by two underscores ({CsvTrace.Show(meant)}).";
            }

            string option = rest.Replace("__", ":", StringComparison.Ordinal);
            if (seen.TryGetValue(option, out string? first))
            {
                return $"environment variables {CsvTrace.Show(first)} and {CsvTrace.Show(name)} set the same option {CsvTrace.Show(option)} (keys are not case-sensitive): unset one.";
            }

            seen[option] = name;
        }

        return null;
    }

    /// <summary>The configuration sources of the daemon (shared with <c>edge check</c>).</summary>
    internal static IConfigurationRoot BuildConfiguration(string? configPath, IReadOnlyDictionary<string, string?> overrides)
    {
        var builder = new ConfigurationBuilder();
        if (configPath is not null)
        {
            builder.AddJsonStream(Edge.Configuration.ConfigFile.Open(configPath, sections: Sections));
        }

        if (EnvironmentProblem(Environment.GetEnvironmentVariables()) is { } twice)
        {
            throw new UsageException(twice);
        }

        builder.AddEnvironmentVariables("EDGE_");
        builder.AddInMemoryCollection(overrides);
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new UsageException($"--config: '{configPath}' is not valid JSON: {e.InnerException?.Message ?? e.Message}", e);
        }

        IReadOnlyList<OptionError> unknown = UnknownOptionKeys.Find(configuration, Sections, SetElsewhere);
        if (unknown.Count > 0)
        {
            // All problems at once: the options' own checks (ranges, cross-checks, the rig file) run on everything else.
            IEnumerable<string> rest = RangeProblemsWithout(configuration, unknown);
            throw new UsageException("invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", unknown.Select(Edge.Configuration.ConfigFile.Describe).Concat(rest)));
        }

        return configuration;
    }

    /// <summary>The options' own validation failures for <paramref name="configuration"/> without the keys already refused.</summary>
    private static IEnumerable<string> RangeProblemsWithout(IConfiguration configuration, IReadOnlyList<OptionError> refused)
    {
        var kept = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((string key, string? value) in configuration.AsEnumerable())
        {
            if (value is not null && !refused.Any(e => key.Equals(e.Path, StringComparison.OrdinalIgnoreCase) || key.StartsWith(e.Path + ":", StringComparison.OrdinalIgnoreCase)))
            {
                kept[key] = value;
            }
        }

        var services = new ServiceCollection();
        AddDaemonOptions(services, new ConfigurationBuilder().AddInMemoryCollection(kept).Build());
        using ServiceProvider provider = services.BuildServiceProvider();
        try
        {
            provider.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return ValidationFailures([e]);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OptionsValidationException))
        {
            return ValidationFailures(e.InnerExceptions.Cast<OptionsValidationException>());
        }
        catch (InvalidOperationException)
        {
            return []; // what is left cannot be bound either: the refused keys above are the problems to fix first
        }
    }

    private static IEnumerable<string> ValidationFailures(IEnumerable<OptionsValidationException> exceptions) =>
        exceptions.SelectMany(x => x.Failures).SelectMany(f => f.Split(Environment.NewLine));

    /// <summary>The configuration sections of the daemon and the options class each binds to.</summary>
    internal static IReadOnlyDictionary<string, Type> Sections { get; } = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        ["Edge"] = typeof(EdgeOptions),
        ["Sim"] = typeof(SimOptions),
        ["Controller"] = typeof(ControllerOptions),
        ["Loop"] = typeof(LoopOptions),
        ["Realtime"] = typeof(RealtimeOptions),
        ["Mqtt"] = typeof(MqttSettings),
        ["Sparkplug"] = typeof(SparkplugOptions),
        ["Planner"] = typeof(Planning.PlannerOptions),
    };

    /// <summary>
    /// Options the daemon's classes have but the daemon sets itself: refused with what sets them, never accepted and
    /// then overwritten.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> SetElsewhere { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Controller:PeriodMs"] = "the controller runs at the loop's period: set Loop:PeriodMs (1–20 ms)",
    };

    /// <summary>Registers an options section with strict binding and the class's own validation, checked at start.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The option classes are Edge's own, kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj); the reflection binder fills them there as under the JIT (the sim, hil and config runs of tests/native-smoke.sh).")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The option classes are Edge's own, kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj); the reflection binder fills them there as under the JIT (the sim, hil and config runs of tests/native-smoke.sh).")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2091", Justification = "The option classes are Edge's own, kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj); the reflection binder fills them there as under the JIT (the sim, hil and config runs of tests/native-smoke.sh).")]
    internal static void AddValidated<T>(IServiceCollection services, IConfiguration configuration, string section, Func<T, IReadOnlyList<OptionError>> validate)
        where T : class
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section), o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new OptionErrorsValidator<T>(validate));
    }

    /// <summary>Registers every options section of the daemon.</summary>
    internal static void AddDaemonOptions(IServiceCollection services, IConfiguration configuration)
    {
        AddValidated<EdgeOptions>(services, configuration, "Edge", o => [.. o.Validate(), .. RigFactory.Validate(o.Rig)]);
        AddValidated<SimOptions>(services, configuration, "Sim", o => o.Validate());
        AddValidated<ControllerOptions>(services, configuration, "Controller", o => o.Validate());
        AddValidated<LoopOptions>(services, configuration, "Loop", o => [.. o.Validate(), .. ControllerPeriod(o)]);
        AddValidated<RealtimeOptions>(services, configuration, "Realtime", o => o.Validate());
        AddValidated<MqttSettings>(services, configuration, "Mqtt", o => o.Validate());
        AddValidated<SparkplugOptions>(services, configuration, "Sparkplug", o => o.Validate("Sparkplug"));
        AddValidated<Planning.PlannerOptions>(services, configuration, "Planner", o => o.Validate());
    }

    /// <summary>The controller runs at the loop's period, so Loop:PeriodMs must also be a period the controller accepts.</summary>
    private static IEnumerable<OptionError> ControllerPeriod(LoopOptions loop)
    {
        if (loop.Validate().Any(e => e.Path == "Loop:PeriodMs"))
        {
            return [];
        }

        return new ControllerOptions { PeriodMs = loop.PeriodMs }.Validate()
            .Where(e => e.Path == "Controller:PeriodMs")
            .Select(e => new OptionError("Loop:PeriodMs", e.Value, e.Allowed + " (the controller runs at the loop's period)"));
    }

    /// <summary>The daemon's host; <paramref name="extraLogger"/> also receives every log line (tests).</summary>
    internal static IHost BuildHost(IConfiguration configuration, bool live, ILoggerProvider? extraLogger = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "edge",
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = true,
        });
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>(); // not ConsoleLifetime: it stops the host on SIGQUIT
        var recent = new RecentLogLines();
        builder.Logging.AddProvider(recent);
        if (extraLogger is not null)
        {
            builder.Logging.AddProvider(extraLogger);
        }
        if (Environment.GetEnvironmentVariable("INVOCATION_ID") is not null || Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null)
        {
            builder.Logging.AddSystemdConsole(o => o.UseUtcTimestamp = true);
        }
        else if (!live)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // A start failure is reported once, by Run, in words ("invalid configuration: …"), not as a host stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.AddSingleton(recent);
        AddDaemonOptions(builder.Services, configuration);
        double shutdownS = double.TryParse(configuration["Edge:ShutdownTimeoutS"], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) ? s : 60;
        // The daemon bounds its own ramp-down (Edge:ShutdownTimeoutS, or the ramp-out's time when unset); the host waits for it.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(Math.Clamp(shutdownS, 1, 3600) + 3600));
        builder.Services.AddSingleton<DaemonStatus>();
        builder.Services.AddSingleton<EdgeDaemon>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EdgeDaemon>());
        return builder.Build();
    }
}
