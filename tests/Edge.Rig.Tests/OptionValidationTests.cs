using System.Net;
using System.Net.Sockets;
using Edge.Cli;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 7, "every option with a bad value → exit code 2 and a message with the option's path": <c>edge run</c> is run
/// in-process through the command dispatcher with one bad setting each (plus the settings it needs to be reached),
/// and must stop before anything starts: no state directory created, no connection to the broker port — which a
/// listener owned by the test watches (the control case shows a good command line does create and connect both).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class OptionValidationTests(ITestOutputHelper output)
{
    /// <summary>Settings (Section:Key=value words), then the option path the message must name.</summary>
    public static TheoryData<string[], string> BadSettings { get; } = new()
    {
        // Edge
        { ["Edge:Site=a/b"], "Edge:Site" },
        { ["Edge:Node=rack#1"], "Edge:Node" },
        { ["Edge:Site="], "Edge:Site" },
        { ["Edge:Rig=/nonexistent/rig.json"], "Edge:Rig" },
        { ["Edge:StateDirectory=   "], "Edge:StateDirectory" },
        { ["Edge:FlightRecorderS=0"], "Edge:FlightRecorderS" },
        { ["Edge:ShutdownTimeoutS=-1"], "Edge:ShutdownTimeoutS" },
        { ["Edge:StateSaveIntervalS=5"], "Edge:StateSaveIntervalS" }, // SD-card wear: never more often than every 10 s
        { ["Edge:LiveView=sometimes"], "Edge:LiveView" },
        { ["Edge:Bogus=1"], "Edge:Bogus" },

        // Controller
        { ["Controller:PeriodMs=0"], "Controller:PeriodMs" },
        { ["Controller:RampUpWPerS=-1"], "Controller:RampUpWPerS" },
        { ["Controller:RampDownWPerS=0"], "Controller:RampDownWPerS" },
        { ["Controller:RampUpWPerS=fast"], "Controller:RampUpWPerS" },
        { ["Controller:RampWindowS=0"], "Controller:RampWindowS" },
        { ["Controller:DynamicRangeW=-5"], "Controller:DynamicRangeW" },
        { ["Controller:BandLowHz=0"], "Controller:BandLowHz" },
        { ["Controller:BandHighHz=0.05"], "Controller:BandHighHz" },
        { ["Controller:GridCapW=NaN"], "Controller:GridCapW" },
        { ["Controller:GridFloorW=NaN"], "Controller:GridFloorW" },
        { ["Controller:GridCapW=100", "Controller:GridFloorW=200"], "Controller:GridCapW" },
        { ["Controller:SocTargetPct=95"], "Controller:SocTargetPct" },
        { ["Controller:SocMinPct=-1"], "Controller:SocMinPct" },
        { ["Controller:SocMaxPct=101"], "Controller:SocMaxPct" },
        { ["Controller:EnergyWh=0"], "Controller:EnergyWh" },
        { ["Controller:MaxChargeW=-1"], "Controller:MaxChargeW" },
        { ["Controller:MaxDischargeW=Infinity"], "Controller:MaxDischargeW" },
        { ["Controller:ChargeEfficiency=1.5"], "Controller:ChargeEfficiency" },
        { ["Controller:DischargeEfficiency=0"], "Controller:DischargeEfficiency" },
        { ["Controller:SocRecoveryS=0"], "Controller:SocRecoveryS" },
        { ["Controller:SocRecoveryMaxFraction=2"], "Controller:SocRecoveryMaxFraction" },
        { ["Controller:SocGuardS=0"], "Controller:SocGuardS" },
        { ["Controller:PowerHeadroomMemoryS=0"], "Controller:PowerHeadroomMemoryS" },
        { ["Controller:ExpectedLoadMaxW=Infinity"], "Controller:ExpectedLoadMaxW" },
        { ["Controller:ExpectedLoadMinW=-Infinity"], "Controller:ExpectedLoadMinW" },
        { ["Controller:Bogus=1"], "Controller:Bogus" },
        { ["Controler:RampUpWPerS=500"], "Controler:RampUpWPerS" }, // a misspelt section is not ignored

        // Loop
        { ["Loop:PeriodMs=0"], "Loop:PeriodMs" },
        { ["Loop:PeriodMs=0.05"], "Loop:PeriodMs" }, // the loop would take it, the controller cannot
        { ["Loop:PeriodMs=ten"], "Loop:PeriodMs" },
        { ["Loop:SampleBudget=0"], "Loop:SampleBudget" },
        { ["Loop:DecideBudget=2"], "Loop:DecideBudget" },
        { ["Loop:AllocateBudget=-1"], "Loop:AllocateBudget" },
        { ["Loop:ActuateBudget=0"], "Loop:ActuateBudget" },
        { ["Loop:HandOffBudget=0.9"], "Loop:HandOffBudget" },
        { ["Loop:FaultAfterConsecutiveMisses=0"], "Loop:FaultAfterConsecutiveMisses" },
        { ["Loop:FaultClearAfterCycles=0"], "Loop:FaultClearAfterCycles" },
        { ["Loop:PeriodNs=5000000"], "Loop:PeriodNs" }, // a derived figure, not an option

        // Realtime
        { ["Realtime:FifoPriority=100"], "Realtime:FifoPriority" },
        { ["Realtime:Cpu=-2"], "Realtime:Cpu" },
        { ["Realtime:OtherThreadsCpus=first"], "Realtime:OtherThreadsCpus" },
        { ["Realtime:LockMemory=maybe"], "Realtime:LockMemory" },
        { ["Realtime:Bogus=1"], "Realtime:Bogus" },

        // Mqtt
        { ["Mqtt:Enabled=perhaps"], "Mqtt:Enabled" },
        { ["Mqtt:Host=  "], "Mqtt:Host" },
        { ["Mqtt:Port=70000"], "Mqtt:Port" },
        { ["Mqtt:Port=0"], "Mqtt:Port" },
        { ["Mqtt:FailoverServers:0=mqtt://broker-2:1883"], "Mqtt:FailoverServers:0" },
        { ["Mqtt:FailoverServers:0=broker-2:1884", "Mqtt:FailoverServers:1=broker-3:99999"], "Mqtt:FailoverServers:1" },
        { ["Mqtt:Host=broker-1", "Mqtt:FailoverServers:0=broker-2", "Mqtt:FailoverServers:1=BROKER-1"], "Mqtt:FailoverServers:1" },
        { ["Mqtt:KeepAliveS=0"], "Mqtt:KeepAliveS" },
        { ["Mqtt:Tls:UseTls=true", "Mqtt:Tls:CaFile=/nonexistent/ca.crt"], "Mqtt:Tls:CaFile" },
        { ["Mqtt:Tls:ClientCertificateFile=/nonexistent/client.crt"], "Mqtt:Tls:ClientKeyFile" },
        { ["Mqtt:Tls:SslProtocols=Tls99"], "Mqtt:Tls:SslProtocols" },
        { ["Mqtt:Credentials:Username=edge", "Mqtt:Credentials:PasswordFile=/nonexistent/pw"], "Mqtt:Credentials:PasswordFile" },
        { ["Mqtt:Credentials:PasswordEnvironmentVariable=EDGE_RIG_TEST_PASSWORD"], "Mqtt:Credentials:Username" },
        { ["Mqtt:Publish:StateRateHz=0"], "Mqtt:Publish:StateRateHz" },
        { ["Mqtt:Publish:DetailRateHz=1000"], "Mqtt:Publish:DetailRateHz" },
        { ["Mqtt:Publish:StateQos=ExactlyOnce"], "Mqtt:Publish:StateQos" },
        { ["Mqtt:Publish:DetailQos=ExactlyOnce"], "Mqtt:Publish:DetailQos" },
        { ["Mqtt:Publish:AlarmClearDelayS=-1"], "Mqtt:Publish:AlarmClearDelayS" },
        { ["Mqtt:Publish:AlarmStartupGraceS=-1"], "Mqtt:Publish:AlarmStartupGraceS" },
        { ["Mqtt:Publish:AlarmMinActiveS=4000"], "Mqtt:Publish:AlarmMinActiveS" },
        { ["Mqtt:Publish:OverrunAlarmCount=0"], "Mqtt:Publish:OverrunAlarmCount" },
        { ["Mqtt:Publish:OverrunAlarmWindowS=-1"], "Mqtt:Publish:OverrunAlarmWindowS" },
        { ["Mqtt:Publish:PollIntervalMs=0"], "Mqtt:Publish:PollIntervalMs" },
        { ["Mqtt:Commands:Allowed:0=reboot"], "Mqtt:Commands:Allowed" },
        { ["Mqtt:Commands:MaxPayloadBytes=1"], "Mqtt:Commands:MaxPayloadBytes" },
        { ["Mqtt:Commands:RatePerS=0"], "Mqtt:Commands:RatePerS" },
        { ["Mqtt:Commands:Burst=0"], "Mqtt:Commands:Burst" },
        { ["Mqtt:Commands:MaxLifetimeS=0"], "Mqtt:Commands:MaxLifetimeS" },
        { ["Mqtt:Commands:AuditMaxBytes=10"], "Mqtt:Commands:AuditMaxBytes" },
        { ["Mqtt:Commands:AuditFiles=0"], "Mqtt:Commands:AuditFiles" },
        { ["Mqtt:Commands:MailboxCapacity=0"], "Mqtt:Commands:MailboxCapacity" },
        { ["Mqtt:Outbox:Capacity=0"], "Mqtt:Outbox:Capacity" },
        { ["Mqtt:Outbox:CriticalReserve=-1"], "Mqtt:Outbox:CriticalReserve" },
        { ["Mqtt:Outbox:MaxPayloadBytes=0"], "Mqtt:Outbox:MaxPayloadBytes" },
        { ["Mqtt:Outbox:SpoolMaxBytes=1"], "Mqtt:Outbox:SpoolMaxBytes" },
        { ["Mqtt:Bogus=1"], "Mqtt:Bogus" },
        { ["Mqtt:Publish:Bogus=1"], "Mqtt:Publish:Bogus" },

        // Sparkplug
        { ["Sparkplug:GroupId=a/b"], "Sparkplug:GroupId" },
        { ["Sparkplug:EdgeNodeId=node+1"], "Sparkplug:EdgeNodeId" },
        { ["Sparkplug:DataRateHz=0"], "Sparkplug:DataRateHz" },
        { ["Sparkplug:Enabled=sure"], "Sparkplug:Enabled" },
        { ["Sparkplug:Bogus=1"], "Sparkplug:Bogus" },
        { ["Sparkplug:PrimaryHostId=scada/1"], "Sparkplug:PrimaryHostId" },
        { ["Sparkplug:PrimaryHostId=#"], "Sparkplug:PrimaryHostId" },
        { ["Sparkplug:PrimaryHost=scada"], "Sparkplug:PrimaryHost" }, // a near miss of the key is refused, not ignored

        // Sim
        { ["Sim:Profile=square"], "Sim:Profile" },
        { ["Sim:Profile=ai-training:peak_w=-1"], "Sim:Profile" },
        { ["Sim:Inverters=0"], "Sim:Inverters" },
        { ["Sim:Inverters=17"], "Sim:Inverters" },
        { ["Sim:InverterPowerW=-1"], "Sim:InverterPowerW" },
        { ["Sim:InverterEnergyWh=-1"], "Sim:InverterEnergyWh" },
        { ["Sim:LatencyMs=-1"], "Sim:LatencyMs" },
        { ["Sim:TimeConstantMs=20000"], "Sim:TimeConstantMs" },
        { ["Sim:InverterRampPctPerS=0"], "Sim:InverterRampPctPerS" },
        { ["Sim:InitialSocPct=101"], "Sim:InitialSocPct" },
        { ["Sim:UnmeasuredFraction=2"], "Sim:UnmeasuredFraction" },
        { ["Sim:SiteMeterRateHz=0"], "Sim:SiteMeterRateHz" },
        { ["Sim:SiteMeter=yes"], "Sim:SiteMeter" },
        { ["Sim:Bogus=1"], "Sim:Bogus" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_stops_edge_run_with_exit_code_2_naming_the_option(string[] settings, string path)
    {
        Outcome o = Run(settings);
        output.WriteLine(o.Error);
        AssertRefused(o, path);
    }

    [Fact]
    public void A_bad_value_from_an_environment_variable_is_refused_the_same_way()
    {
        using var _ = new EnvironmentVariable("EDGE_Controller__RampDownWPerS", "-3");
        Outcome o = Run([]);
        output.WriteLine(o.Error);
        AssertRefused(o, "Controller:RampDownWPerS");
        Assert.Contains("-3", o.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_environment_variables_naming_one_option_in_different_case_are_refused_naming_both()
    {
        using var a = new EnvironmentVariable("EDGE_Controller__RampDownWPerS", "300");
        using var b = new EnvironmentVariable("EDGE_CONTROLLER__RAMPDOWNWPERS", "5");
        Outcome o = Run([]);
        output.WriteLine(o.Error);
        Assert.Equal(2, o.ExitCode);
        Assert.Contains("EDGE_CONTROLLER__RAMPDOWNWPERS", o.Error, StringComparison.Ordinal);
        Assert.Contains("EDGE_Controller__RampDownWPerS", o.Error, StringComparison.Ordinal);
        Assert.Contains("set the same option", o.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_value_in_the_config_file_is_refused_with_its_path_value_and_range()
    {
        using var dir = new TempDir();
        dir.Create();
        string config = dir["edge.json"];
        File.WriteAllText(config, """{ "Loop": { "PeriodMs": 0 }, "Sim": { "Inverters": 0 }, "Controller": { "RampUpWPerS": -1 } }""");
        Outcome o = Run(["--config", config]);
        output.WriteLine(o.Error);
        AssertRefused(o, "Loop:PeriodMs");
        Assert.Contains("Loop:PeriodMs = 0 is invalid: must be a finite number in [0.05, 1000] ms", o.Error, StringComparison.Ordinal);
        // Every bad option at once, not only the first section's.
        Assert.Contains("Sim:Inverters = 0 is invalid", o.Error, StringComparison.Ordinal);
        Assert.Contains("Controller:RampUpWPerS = -1 is invalid", o.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Loop": { "PeriodMs": 10 }""", "not valid JSON")]
    [InlineData("""Loop:PeriodMs=10""", "not valid JSON")]
    public void A_config_file_that_is_not_json_is_refused(string text, string message)
    {
        using var dir = new TempDir();
        dir.Create();
        string config = dir["edge.json"];
        File.WriteAllText(config, text);
        Outcome o = Run(["--config", config]);
        output.WriteLine(o.Error);
        AssertRefused(o, config);
        Assert.Contains(message, o.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--config", "/nonexistent/edge.json", "/nonexistent/edge.json")]
    [InlineData("--duration", "soon", "--duration")]
    [InlineData("--rgi", "sim", "--rgi")]
    public void A_bad_switch_is_refused(string name, string value, string mentioned)
    {
        Outcome o = Run([name, value]);
        output.WriteLine(o.Error);
        AssertRefused(o, mentioned);
    }

    [Fact]
    public void A_rig_file_with_a_bad_inverter_entry_is_refused_with_its_json_path()
    {
        using var dir = new TempDir();
        dir.Create();
        string rig = dir["rig.json"];
        string sim = File.ReadAllText(Path.Combine(RepoRoot, "hardware", "rigs", "sim-8x-ina226.json"));
        File.WriteAllText(rig, sim.Replace("\"inverters\": []", "\"inverters\": [ { \"id\": \"pcs1\", \"type\": \"sunspec\", \"port\": 502 } ]", StringComparison.Ordinal));
        Outcome o = Run([$"Edge:Rig={rig}"]);
        output.WriteLine(o.Error);
        AssertRefused(o, "Edge:Rig");
        Assert.Contains("$.inverters[0].host", o.Error, StringComparison.Ordinal);
        Assert.Contains("required", o.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_example_configuration_of_deploy_has_no_unknown_key()
    {
        // deploy/appsettings.example.json is what a site copies: every key in it must be one Edge takes.
        var config = Edge.Commands.RunCommand.BuildConfiguration(Path.Combine(RepoRoot, "deploy", "appsettings.example.json"), new Dictionary<string, string?>());
        Assert.Equal("/etc/edge/rig.json", config["Edge:Rig"]);
    }

    [Fact]
    public void Control_case_good_settings_do_start_create_the_state_directory_and_connect_to_the_broker_port()
    {
        // Without this, "nothing started" above could pass because the probes cannot see a start.
        Outcome o = Run(["--duration", "1s"]);
        output.WriteLine(o.Error);
        Assert.Equal(ExitCodes.Ok, o.ExitCode);
        Assert.True(o.StateDirectoryCreated, "the state directory was not created by a good start");
        Assert.True(o.BrokerContacted, "a good start did not connect to the broker port");
    }

    internal static void AssertRefused(Outcome o, string mentioned)
    {
        Assert.True(o.ExitCode == ExitCodes.Usage, $"exit code {o.ExitCode}, expected {ExitCodes.Usage}; stderr:\n{o.Error}");
        Assert.Contains(mentioned, o.Error, StringComparison.Ordinal);
        Assert.StartsWith("edge run: ", o.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", o.Error, StringComparison.Ordinal); // words, not a stack trace
        Assert.False(o.StateDirectoryCreated, "the state directory was created: the daemon started before its options were checked");
        Assert.False(o.BrokerContacted, "the broker port was contacted: the daemon started before its options were checked");
    }

    internal sealed record Outcome(int ExitCode, string Error, bool StateDirectoryCreated, bool BrokerContacted);

    /// <summary>
    /// edge run with the test's broker port and state directory, then <paramref name="settings"/> (which win).
    /// A daemon that starts by mistake stops after 1 s.
    /// </summary>
    internal static Outcome Run(string[] settings)
    {
        using var dir = new TempDir();
        string state = dir["state"];
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var args = new List<string> { "run" };
            if (!settings.Contains("--duration"))
            {
                args.AddRange(["--duration", "1s"]);
            }

            // The harness's settings unless the case gives its own (an option given twice on the command line is refused).
            string[] defaults = [$"Edge:StateDirectory={state}", "Edge:LiveView=off", "Mqtt:Host=127.0.0.1", $"Mqtt:Port={port}"];
            args.AddRange(defaults.Where(d => !settings.Any(s => s.StartsWith(d[..(d.IndexOf('=') + 1)], StringComparison.OrdinalIgnoreCase))));
            args.AddRange(settings);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = CommandRegistry.Run(args, new CommandContext(stdout, stderr, false, CancellationToken.None));
            return new Outcome(exit, stderr.ToString(), Directory.Exists(state), listener.Pending());
        }
        finally
        {
            listener.Stop();
        }
    }

    internal static string RepoRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Edge.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("Edge.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
