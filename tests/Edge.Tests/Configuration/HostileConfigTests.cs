using Edge.Cli;
using Edge.Tests.Shared;

namespace Edge.Tests.Configuration;

/// <summary>
/// <c>edge run</c> / <c>edge check</c> against hostile configuration (docs/strict-inputs.md): run in-process through
/// the command dispatcher, each bad input must stop Edge with exit code 2 and a sentence naming where — the JSON path
/// in the file (<c>$.Mqtt.Enabled</c>) or the configuration path of an override — before anything starts (no stack
/// trace, no raw control character, no value of unbounded length).
/// </summary>
public sealed class HostileConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CommandRegistry.Run(args, new CommandContext(o, e, false, CancellationToken.None));
        return (code, o.ToString(), e.ToString());
    }

    private string File(string json)
    {
        string path = Path.Combine(_dir, $"c{Guid.NewGuid():N}.json");
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    private (int Code, string Err) RunWithConfig(string json, params string[] more)
    {
        (int code, _, string err) = Run(["run", "--rig", "sim", "--duration", "1s", "--config", File(json), "Edge:LiveView=off", "Mqtt:EmbeddedBroker=off", .. more]);
        return (code, err);
    }

    [Fact]
    public void An_environment_variable_with_one_underscore_between_section_and_key_is_refused_naming_the_right_spelling()
    {
        var environment = new System.Collections.Hashtable { ["EDGE_Controller_RampUpWPerS"] = "abc", ["EDGE_EXECUTABLE"] = "/x" };
        string? problem = Edge.Commands.RunCommand.EnvironmentProblem(environment);
        Assert.NotNull(problem);
        Assert.Contains("EDGE_Controller__RampUpWPerS", problem, StringComparison.Ordinal);
        Assert.Null(Edge.Commands.RunCommand.EnvironmentProblem(new System.Collections.Hashtable { ["EDGE_EXECUTABLE"] = "/x", ["EDGE_Mqtt__Host"] = "b" }));
    }

    [Theory]
    [InlineData("Mqtt:Port=0x4A0F", "Mqtt:Port")]
    [InlineData("Mqtt:Port=&H4A0F", "Mqtt:Port")]
    public void A_whole_number_written_in_hexadecimal_is_refused(string setting, string path)
    {
        (int code, _, string err) = Run("run", "--rig", "sim", "--duration", "1s", "Edge:LiveView=off", "Mqtt:EmbeddedBroker=off", setting);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(path, err, StringComparison.Ordinal);
        Assert.Contains("whole number", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_is_skipped_as_in_rig_files()
    {
        string path = Path.Combine(_dir, "bom.json");
        System.IO.File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes("""{"Controller":{"RampUpWPerS":"fast"}}""")]);
        (int code, _, string err) = Run("run", "--rig", "sim", "--duration", "1s", "--config", path, "Edge:LiveView=off", "Mqtt:EmbeddedBroker=off");
        Assert.Equal(ExitCodes.Usage, code); // read past the mark: the value is what is refused, not the file
        Assert.Contains("Controller:RampUpWPerS", err, StringComparison.Ordinal);
        Assert.DoesNotContain("0xEF", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "is no time at all")]
    [InlineData("0s", "is no time at all")]
    [InlineData("50d", "longer than the longest duration")]
    public void A_duration_of_no_time_or_beyond_the_limit_in_days_is_refused(string duration, string said)
    {
        (int code, _, string err) = Run("run", "--rig", "sim", "--duration", duration, "Mqtt:Enabled=false", "Edge:LiveView=off");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(said, err, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromDays(7), Edge.Cli.CommandArgs.ParseDuration("7d", "--duration"));
    }

    [Theory]
    [InlineData("1e12s")]
    [InlineData("1200h")]
    public void A_duration_beyond_the_limit_stops_run_before_anything_starts(string duration)
    {
        (int code, _, string err) = Run("run", "--rig", "sim", "--duration", duration, "Mqtt:Enabled=false", "Edge:LiveView=off");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal($"edge run: --duration: '{duration}' is longer than the longest duration Edge can time, 49 days (1176h); omit --duration to run until stopped.", err.Trim());
    }

    [Fact]
    public void A_duration_beyond_the_limit_stops_sim_inverter_too()
    {
        (int code, _, string err) = Run("sim", "inverter", "--port", "0", "--duration", "1e12s");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--duration: '1e12s' is longer than the longest duration Edge can time", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fifo_as_the_configuration_is_refused_without_being_opened()
    {
        string fifo = SpecialFiles.Fifo(_dir, "f.json");
        var run = Task.Run(() => Run("run", "--rig", "sim", "--config", fifo));
        Assert.True(run.Wait(TimeSpan.FromSeconds(30)), "edge run blocked on the FIFO");
        Assert.Equal(ExitCodes.Usage, run.Result.Code);
        Assert.Contains($"--config: '{fifo}' is a named pipe (FIFO), not a regular file", run.Result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_as_the_configuration_keeps_its_own_message()
    {
        (int code, _, string err) = Run("run", "--rig", "sim", "--config", _dir);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"'{_dir}' is a directory, not a configuration file: name a .json file", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fifo_as_the_mqtt_password_file_is_refused_without_being_opened()
    {
        string fifo = SpecialFiles.Fifo(_dir, "pw");
        var run = Task.Run(() => Run("run", "--rig", "sim", "--duration", "1s", "Edge:LiveView=off", "Mqtt:Credentials:Username=u", $"Mqtt:Credentials:PasswordFile={fifo}"));
        Assert.True(run.Wait(TimeSpan.FromSeconds(30)), "edge run blocked on the FIFO");
        Assert.Equal(ExitCodes.Usage, run.Result.Code);
        Assert.Contains("Mqtt:Credentials:PasswordFile", run.Result.Err, StringComparison.Ordinal);
        Assert.Contains("is a named pipe (FIFO)", run.Result.Err, StringComparison.Ordinal);
    }

    /// <summary>A configuration file, then the exact line the report must hold.</summary>
    public static TheoryData<string, string> BadShapes { get; } = new()
    {
        { """{"Mqtt":{"Enabled":null}}""", "$.Mqtt.Enabled = null: give true or false, or remove the key" },
        { """{"Controller":{"RampUpWPerS":null}}""", "$.Controller.RampUpWPerS = null: give a number, or remove the key" },
        { """{"Edge":{"Site":null}}""", "$.Edge.Site = null: give a string, or remove the key" },
        { """{"Mqtt":{"Credentials":null}}""", "$.Mqtt.Credentials = null: give an object { \"Key\": value, … }, or remove the key" },
        { """{"Mqtt":{"FailoverServers":null}}""", "$.Mqtt.FailoverServers = null: give a list [ … ] ([] for none), or remove the key" },
        { """{"Mqtt":{"Enabled":{}}}""", "$.Mqtt.Enabled: an empty object {} where true or false is expected" },
        { """{"Controller":{"RampUpWPerS":[1,2]}}""", "$.Controller.RampUpWPerS: an array where a number is expected" },
        { """{"Controller":{"RampUpWPerS":{"Foo":5}}}""", "$.Controller.RampUpWPerS: an object where a number is expected" },
        { """{"Mqtt":{"FailoverServers":[{"Host":"x"}]}}""", "$.Mqtt.FailoverServers[0]: an object where a string is expected" },
        { """{"Mqtt":{"FailoverServers":["a:1",["b"]]}}""", "$.Mqtt.FailoverServers[1]: an array where a string is expected" },
        { """{"Mqtt":{"FailoverServers":["a:1",null]}}""", "$.Mqtt.FailoverServers[1] = null: give a string, or remove the key" },
        { """{"Mqtt":{"FailoverServers":{"x":"y"}}}""", "$.Mqtt.FailoverServers: an object where a list [ … ] ([] for none) is expected" },
        { """{"Mqtt":{"FailoverServers":{"5":"nohost:99999"}}}""", "$.Mqtt.FailoverServers: an object where a list [ … ] ([] for none) is expected" },
        { """{"Mqtt":{"FailoverServers":"a:1"}}""", "$.Mqtt.FailoverServers = \"a:1\": a string where a list [ … ] ([] for none) is expected — write [\"a:1\"]" },
        { """{"Mqtt":{"Credentials":5}}""", "$.Mqtt.Credentials = 5: a number where an object { \"Key\": value, … } is expected" },
        { """{"Mqtt":{"Credentials":{"Username":[]}}}""", "$.Mqtt.Credentials.Username: an array where a string is expected" },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void A_value_of_the_wrong_shape_is_refused_with_its_json_path(string json, string line)
    {
        (int code, string err) = RunWithConfig(json);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("is not a configuration:", err, StringComparison.Ordinal);
        Assert.Contains("  " + line + Environment.NewLine, err, StringComparison.Ordinal);
        Assert.DoesNotContain("binding", err, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("System.", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Mqtt:FailoverServers:0", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_shape_fault_of_a_file_is_listed_at_once()
    {
        (int code, string err) = RunWithConfig("""{"Mqtt":{"Enabled":null,"FailoverServers":{}},"Controller":{"RampUpWPerS":[1]}}""");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("$.Mqtt.Enabled = null", err, StringComparison.Ordinal);
        Assert.Contains("$.Mqtt.FailoverServers: an empty object {} where a list", err, StringComparison.Ordinal);
        Assert.Contains("$.Controller.RampUpWPerS: an array where a number", err, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_shape_checks_hold_for_edge_check()
    {
        (int code, _, string err) = Run("check", "--rig", "sim", "--config", File("""{"Mqtt":{"Enabled":null}}"""));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("$.Mqtt.Enabled = null: give true or false, or remove the key", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Controller:RampUpWPerS:Foo=5", "Controller:RampUpWPerS:Foo = 5 is invalid: Controller:RampUpWPerS is a single value, not a section: write Controller:RampUpWPerS=VALUE.")]
    [InlineData("Mqtt:FailoverServers:0:Host=x", "Mqtt:FailoverServers:0:Host = x is invalid: each item of Mqtt:FailoverServers is a single value, not a section: write Mqtt:FailoverServers:0=VALUE.")]
    [InlineData("Mqtt:FailoverServers:x=y", "Mqtt:FailoverServers:x = y is invalid: Mqtt:FailoverServers is a list: its items are numbered from 0 (Mqtt:FailoverServers:0=VALUE, Mqtt:FailoverServers:1=…).")]
    [InlineData("Mqtt:FailoverServers:5=nohost:99999", "Mqtt:FailoverServers:5 = nohost:99999 is invalid: the items of Mqtt:FailoverServers are numbered 0, 1, 2, … without gaps: this one would be read as Mqtt:FailoverServers:0.")]
    public void An_override_below_a_single_value_is_refused_with_its_path(string word, string line)
    {
        (int code, _, string err) = Run("run", "--rig", "sim", "--duration", "1s", "Edge:LiveView=off", word);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("  " + line, err, StringComparison.Ordinal);
        Assert.DoesNotContain("ErrorOnUnknownConfiguration", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Controller:RampUpWPerS=50", "controller:rampupwpers=60")]
    [InlineData("Mqtt:Enabled=false", "Mqtt:Enabled=false")]
    public void An_option_given_twice_on_the_command_line_is_refused_naming_both(string first, string second)
    {
        (int code, _, string err) = Run("run", "--rig", "sim", "--duration", "1s", "Edge:LiveView=off", first, second);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal($"edge run: '{first}' and '{second}' set the same option (keys are not case-sensitive): give it once.", err.Trim());
    }

    [Fact]
    public void The_rig_given_twice_is_refused_too()
    {
        (int code, _, string err) = Run("check", "--rig", "sim", "Edge:Rig=hil");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--rig 'sim' and 'Edge:Rig=hil' set the same option Edge:Rig", err, StringComparison.Ordinal);
    }

    [Fact]
    public void An_option_with_no_value_is_named_rather_than_the_next_word()
    {
        (int code, _, string err) = Run("run", "--config", "--rig", "sim");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("edge run: Option --config needs a value, but the next word is the option '--rig'", err, StringComparison.Ordinal);
        Assert.DoesNotContain("not an option override", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--quiet=no")]
    [InlineData("--planner=false")]
    public void A_switch_given_a_value_stops_replay(string word)
    {
        (int code, _, string err) = Run("replay", "--profile", "ai-training:duration_s=10", word);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"takes no value (got {word})", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_in_a_value_are_escaped_in_the_error()
    {
        (int code, string err) = RunWithConfig("""{"Edge":{"Site":"a\u0000b\u001b[31m"}}""");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(@"Edge:Site = 'a\x00b\x1b[31m' is invalid", err, StringComparison.Ordinal);
        Assert.DoesNotContain(err, c => char.IsControl(c) && c is not '\n' and not '\r');
    }

    [Fact]
    public void Control_characters_in_an_override_are_escaped_in_the_error()
    {
        (int code, _, string err) = Run("run", "--rig", "sim", "--duration", "1s", "Edge:LiveView=off", "Controller:RampUpWPerS=5\u0007x", "bad\u0000word");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(@"'bad\x00word' is not an option override", err, StringComparison.Ordinal);
        Assert.DoesNotContain(err, c => char.IsControl(c) && c is not '\n' and not '\r');
    }

    [Fact]
    public void Very_long_values_are_cut_to_a_readable_length()
    {
        string digits = new('9', 300), text = new('x', 70_000);
        (int code, string err) = RunWithConfig($$$"""{"Edge":{"Site":"{{{text}}}"},"Mqtt":{"Port":{{{digits}}}}}""");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("Edge:Site = '" + new string('x', 40) + "'… (70000 characters) is invalid", err, StringComparison.Ordinal);
        Assert.Contains("Mqtt:Port = '" + new string('9', 40) + "'… (300 characters) is invalid", err, StringComparison.Ordinal);
        Assert.True(err.Length < 2000, $"the report is {err.Length} characters");
    }

    [Fact]
    public void Control_case_a_good_file_passes_the_shape_checks()
    {
        // Edge:Bogus stops it just after the shape checks (nothing starts): only that key is reported.
        string good = File("""{"Mqtt":{"Enabled":false,"FailoverServers":["b:1883"],"Credentials":{}},"Controller":{"RampUpWPerS":"500"}}""");
        (int code, _, string err) = Run("run", "--rig", "sim", "--config", good, "Mqtt:FailoverServers:1=c:1883", "Controller:RampDownWPerS=400", "Edge:Bogus=1");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.DoesNotContain("is not a configuration", err, StringComparison.Ordinal);
        Assert.Equal(["edge run: invalid configuration:", "  Edge:Bogus = 1 is invalid: Edge has no option 'Bogus'"], err.Trim().Split(Environment.NewLine).Select(l => l.Split(';')[0]).ToArray());
    }

    [Theory]
    [InlineData("Controller:PeriodMs=5")]
    [InlineData("controller:periodms=10")]
    public void Controller_PeriodMs_is_refused_naming_Loop_PeriodMs_which_sets_the_period(string word)
    {
        // The controller runs at the loop's period: Controller:PeriodMs was accepted and silently replaced by Loop:PeriodMs.
        (int code, _, string err) = Run("run", "--rig", "sim", "--duration", "1s", "Edge:LiveView=off", "Mqtt:EmbeddedBroker=off", word);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("Controller:PeriodMs", err, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("set Loop:PeriodMs", err, StringComparison.Ordinal);
    }
}
