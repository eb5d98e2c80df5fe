using System.Text.Json.Nodes;
using Edge.Rig.Tests.Infrastructure;
using Edge.Tests.Shared;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 13, items 0 and 7: every boundary a person writes — rig files (<c>--rig</c>), the configuration file
/// (<c>--config</c>), <c>Section:Key=value</c> words — refuses nonsense with exit code 2 before anything starts, in
/// one sentence naming the JSON path or option path, the value and the fix. Each bad variant runs <c>edge run</c>
/// in-process (through <see cref="OptionValidationTests.Run"/>, which also proves nothing started); the good variants
/// prove the strictness did not refuse what is right.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class StrictInputTests(ITestOutputHelper output)
{
    private const string Pcs = "$.inverters[0]";
    private const string Meter = "$.meters[0]";
    private const string Hall = "$.powerChannels[0]";
    private const string Cabinet = "$.temperatureSensors[0]";

    /// <summary>A bad variant: what to write, then what the error must name (path) and suggest (hint).</summary>
    private sealed record Case(Func<TempDir, string[]> Arguments, string Path, string Hint);

    private static readonly Dictionary<string, Case> Cases = new(StringComparer.Ordinal)
    {
        // Rig file: inverter entries (the issue's cases first).
        ["rig inverter unitId 300 (was cast to 44)"] = Rig(r => Inverter(r)["unitId"] = 300, $"{Pcs}.unitId", "from 1 to 247"),
        ["rig inverter unitId 0 (broadcast)"] = Rig(r => Inverter(r)["unitId"] = 0, $"{Pcs}.unitId", "from 1 to 247"),
        ["rig inverter unitId -1"] = Rig(r => Inverter(r)["unitId"] = -1, $"{Pcs}.unitId", "from 1 to 247"),
        ["rig inverter unitId as a string"] = Rig(r => Inverter(r)["unitId"] = "1", $"{Pcs}.unitId", "an integer"),
        ["rig inverter invertSign \"true\" (was read as false)"] = Rig(r => Inverter(r)["invertSign"] = "true", $"{Pcs}.invertSign", "true or false"),
        ["rig inverter invertSign 1"] = Rig(r => Inverter(r)["invertSign"] = 1, $"{Pcs}.invertSign", "true or false"),
        ["rig inverter revertTimeoutSec (was ignored)"] = Rig(r => Inverter(r)["revertTimeoutSec"] = 3, $"{Pcs}.revertTimeoutSec", "did you mean \"revertTimeoutS\""),
        ["rig inverter revertTimeoutS 2.9 (was truncated to 2)"] = Rig(r => Inverter(r)["revertTimeoutS"] = 2.9, $"{Pcs}.revertTimeoutS", "an integer"),
        ["rig inverter revertTimeoutS 0"] = Rig(r => Inverter(r)["revertTimeoutS"] = 0, $"{Pcs}.revertTimeoutS", "from 1 to 3600"),
        ["rig inverter revertTimeoutS 7200"] = Rig(r => Inverter(r)["revertTimeoutS"] = 7200, $"{Pcs}.revertTimeoutS", "from 1 to 3600"),
        ["rig inverter port 70000"] = Rig(r => Inverter(r)["port"] = 70000, $"{Pcs}.port", "from 1 to 65535"),
        ["rig inverter port as a string"] = Rig(r => Inverter(r)["port"] = "502", $"{Pcs}.port", "an integer"),
        ["rig inverter without host"] = Rig(r => Inverter(r).Remove("host"), $"{Pcs}.host", "required"),
        ["rig inverter host empty"] = Rig(r => Inverter(r)["host"] = "", $"{Pcs}.host", "non-empty string"),
        ["rig inverter type misspelt"] = Rig(r => Inverter(r)["type"] = "sunspek", $"{Pcs}.type", "one of \"sunspec\""),
        ["rig inverter ratedPowerW negative"] = Rig(r => Inverter(r)["ratedPowerW"] = -5, $"{Pcs}.ratedPowerW", "from 0 to"),
        ["rig inverter ratedPowerW with a unit"] = Rig(r => Inverter(r)["ratedPowerW"] = "5kW", $"{Pcs}.ratedPowerW", "a number"),
        ["rig inverter rampPctPerS 0"] = Rig(r => Inverter(r)["rampPctPerS"] = 0, $"{Pcs}.rampPctPerS", "> 0"),
        ["rig inverter capacityWh null"] = Rig(r => Inverter(r)["capacityWh"] = null, $"{Pcs}.capacityWh", "a number"),
        ["rig inverter id used by a sensor"] = Rig(r => Inverter(r)["id"] = "rack1-a", $"{Pcs}.id", "already used at $.sensors[0]"),
        ["rig inverters not a list"] = Rig(r => r["inverters"] = new JsonObject(), "$.inverters", "a list"),
        ["rig inverter not an object"] = Rig(r => r["inverters"]![0] = "pcs1", Pcs, "an object"),

        // Rig file: meter entries.
        ["rig meter unitId 248"] = Rig(r => MeterEntry(r)["unitId"] = 248, $"{Meter}.unitId", "from 1 to 247"),
        ["rig meter without map"] = Rig(r => MeterEntry(r).Remove("map"), $"{Meter}.map", "required"),
        ["rig meter role rack"] = Rig(r => MeterEntry(r)["role"] = "rack", $"{Meter}.role", "one of \"site\""),
        ["rig meter pollPeriodMs 0"] = Rig(r => MeterEntry(r)["pollPeriodMs"] = 0, $"{Meter}.pollPeriodMs", "from 1 to 60000"),
        ["rig two site meters"] = Rig(r => r["meters"]!.AsArray().Add(new JsonObject { ["id"] = "m2", ["type"] = "modbus", ["map"] = "eastron-sdm630", ["host"] = "h" }), "$.meters[1]", "only one site meter"),
        ["rig meter map unknown"] = Rig(r => MeterEntry(r)["map"] = "no-such-map", $"{Meter}.map", "use one of"),

        // Rig file: sensors.
        ["rig sensor shuntOhm negative"] = Rig(r => Sensor(r)["shuntOhm"] = -1, "$.sensors[0].shuntOhm", "> 0"),
        ["rig sensor shuntOhm as a string"] = Rig(r => Sensor(r)["shuntOhm"] = "0.002", "$.sensors[0].shuntOhm", "a number"),
        ["rig sensor address 0x70"] = Rig(r => Sensor(r)["address"] = "0x70", "$.sensors[0].address", "0x40–0x4F"),
        ["rig sensor address 300"] = Rig(r => Sensor(r)["address"] = 300, "$.sensors[0].address", "from 64 to 79"),
        ["rig sensor averaging 3"] = Rig(r => Sensor(r)["averaging"] = 3, "$.sensors[0].averaging", "one of 1, 4, 16"),
        ["rig sensor INA228 conversion time on an INA226"] = Rig(r => Sensor(r)["busConversionUs"] = 50, "$.sensors[0].busConversionUs", "for INA226"),
        ["rig sensor adcRange on an INA226"] = Rig(r => Sensor(r)["adcRange"] = "auto", "$.sensors[0].adcRange", "INA228 only"),
        ["rig sensor on a bus that does not exist"] = Rig(r => Sensor(r)["bus"] = "nowhere", "$.sensors[0].bus", "use one of \"sim-a\", \"sim-b\""),
        ["rig sensor key misspelt"] = Rig(r => Sensor(r)["shuntOhms"] = 1, "$.sensors[0].shuntOhms", "did you mean \"shuntOhm\""),
        ["rig sensor alert mode without its line"] = Rig(r => Sensor(r)["conversionReady"] = "alert", "$.sensors[0].alertGpio", "needs the id of the GPIO input"),
        ["rig sensor maxPowerW below minPowerW"] = Rig(r => Sensor(r)["maxPowerW"] = -100, "$.sensors[0].maxPowerW", "swap them"),
        ["rig sensor simulated 50 V on an INA226"] = Rig(r => Sensor(r)["simulation"]!["busVoltageV"] = 50, "$.sensors[0].simulation.busVoltageV", "at most 36 V"),
        ["rig sensor simulation key unknown"] = Rig(r => Sensor(r)["simulation"]!["noise"] = 1, "$.sensors[0].simulation.noise", "takes loadShare, busVoltageV, sourceOhm, noiseLsb"),

        // Rig file: Iot.Device.Bindings devices (issue 17, item 3): ADS1115 power channels and LM75 thermometers.
        ["rig power channel key misspelt"] = Rig(r => Channel(r)["gainWperV"] = 1000, $"{Hall}.gainWperV", "did you mean \"gainWPerV\""),
        ["rig power channel without gainWPerV"] = Rig(r => Channel(r).Remove("gainWPerV"), $"{Hall}.gainWPerV", "required"),
        ["rig power channel gainWPerV 0"] = Rig(r => Channel(r)["gainWPerV"] = 0, $"{Hall}.gainWPerV", "must not be 0"),
        ["rig power channel gainWPerV as a string"] = Rig(r => Channel(r)["gainWPerV"] = "1000", $"{Hall}.gainWPerV", "a number"),
        ["rig power channel type misspelt"] = Rig(r => Channel(r)["type"] = "ads1015", $"{Hall}.type", "one of \"ads1115\""),
        ["rig power channel rangeV 5"] = Rig(r => Channel(r)["rangeV"] = 5, $"{Hall}.rangeV", "one of 6.144, 4.096"),
        ["rig power channel dataRateSps 1000"] = Rig(r => Channel(r)["dataRateSps"] = 1000, $"{Hall}.dataRateSps", "one of 8, 16"),
        ["rig power channel input ain4"] = Rig(r => Channel(r)["input"] = "ain4", $"{Hall}.input", "one of \"ain0\""),
        ["rig power channel address 0x40 (an INA's)"] = Rig(r => Channel(r)["address"] = "0x40", $"{Hall}.address", "0x48–0x4B"),
        ["rig power channel maxVolts beyond the range"] = Rig(r => Channel(r)["maxVolts"] = 4.5, $"{Hall}.maxVolts", "below the full scale of rangeV (4.096 V)"),
        ["rig power channel maxVolts below minVolts"] = Rig(r => Channel(r)["minVolts"] = 4.5, $"{Hall}.maxVolts", "swap them"),
        ["rig power channel maxPowerW below minPowerW"] = Rig(r => Channel(r)["minPowerW"] = 5000, $"{Hall}.maxPowerW", "swap them"),
        ["rig power channel on a bus that does not exist"] = Rig(r => Channel(r)["bus"] = "nowhere", $"{Hall}.bus", "use one of \"sim-a\", \"sim-b\""),
        ["rig power channel id used by a sensor"] = Rig(r => Channel(r)["id"] = "rack1-a", $"{Hall}.id", "already used at $.sensors[0]"),
        ["rig power channel simulation key unknown"] = Rig(r => Channel(r)["simulation"]!["noiseLsb"] = 1, $"{Hall}.simulation.noiseLsb", "unknown key"),
        ["rig thermometer type misspelt"] = Rig(r => Thermometer(r)["type"] = "lm76", $"{Cabinet}.type", "one of \"lm75\""),
        ["rig thermometer without highC"] = Rig(r => Thermometer(r).Remove("highC"), $"{Cabinet}.highC", "required"),
        ["rig thermometer highC 200"] = Rig(r => Thermometer(r)["highC"] = 200, $"{Cabinet}.highC", "from -40 to 125"),
        ["rig thermometer highC as a string"] = Rig(r => Thermometer(r)["highC"] = "45", $"{Cabinet}.highC", "a number"),
        ["rig thermometer hysteresisC negative"] = Rig(r => Thermometer(r)["hysteresisC"] = -1, $"{Cabinet}.hysteresisC", "from 0 to 20"),
        ["rig thermometer bands overlap"] = Rig(r => Thermometer(r)["lowC"] = 42, $"{Cabinet}.lowC", "the low band"),
        ["rig thermometer highC outside the plausible range"] = Rig(r => Thermometer(r)["maxPlausibleC"] = 40, $"{Cabinet}.highC", "inside the plausible range"),
        ["rig thermometer readEveryMs 0"] = Rig(r => Thermometer(r)["readEveryMs"] = 0, $"{Cabinet}.readEveryMs", "from 1 to 600000"),
        ["rig thermometer key misspelt"] = Rig(r => Thermometer(r)["highc"] = 45, $"{Cabinet}.highc", "did you mean \"highC\""),
        ["rig thermometer address taken by the ADS1115"] = Rig(r => { Thermometer(r)["address"] = "0x48"; Thermometer(r)["bus"] = "sim-a"; }, $"{Cabinet}.address", "already used on bus \"sim-a\" at $.powerChannels[0]"),

        // Rig file: the rest.
        ["rig without name"] = Rig(r => r.Remove("name"), "$.name", "required"),
        ["rig top-level key misspelt"] = Rig(r => r["sensor"] = new JsonArray(), "$.sensor", "did you mean \"sensors\""),
        ["rig sampling period 0"] = Rig(r => r["sampling"]!["periodMs"] = 0, "$.sampling.periodMs", "> 0"),
        ["rig sampling period 5000"] = Rig(r => r["sampling"]!["periodMs"] = 5000, "$.sampling.periodMs", "≤ 1000"),
        ["rig health stalePeriods 0"] = Rig(r => r["health"]!["stalePeriods"] = 0, "$.health.stalePeriods", "from 1 to"),
        ["rig health stalePeriods 1.5"] = Rig(r => r["health"]!["stalePeriods"] = 1.5, "$.health.stalePeriods", "an integer"),
        ["rig aggregation fraction 1"] = Rig(r => r["aggregation"]!["maxEstimatedFraction"] = 1, "$.aggregation.maxEstimatedFraction", "< 1"),
        ["rig gpio line 5000"] = Rig(r => r["gpio"]![0]!["line"] = 5000, "$.gpio[0].line", "from 0 to 1023"),
        ["rig gpio role misspelt"] = Rig(r => r["gpio"]![0]!["role"] = "estopp", "$.gpio[0].role", "one of \"estop\""),
        ["rig gpio debounce negative"] = Rig(r => r["gpio"]![0]!["debounceUs"] = -5, "$.gpio[0].debounceUs", "from 0 to 1000000"),
        ["rig gpio direction against the role"] = Rig(r => r["gpio"]![1]!["direction"] = "input", "$.gpio[1].direction", "remove \"direction\""),
        ["rig bus kind i2c"] = Rig(r => r["buses"]![0]!["kind"] = "i2c", "$.buses[0].kind", "one of \"linux\", \"simulated\""),
        ["rig bus speed 1 Hz"] = Rig(r => r["buses"]![0]!["speedHz"] = 1, "$.buses[0].speedHz", "from 10000 to 3400000"),
        ["rig is a list"] = RigText("[]", "$", "an object"),
        ["rig with a syntax error"] = RigText("{\n  \"name\": \"x\",\n  \"sensors\": [ }\n", "line 3", "not valid JSON"),
        ["rig with a duplicate key"] = RigText("{ \"name\": \"a\", \"name\": \"b\", \"sensors\": [] }", "line 1", "not valid JSON"),
        ["--rig simm"] = new(_ => ["--rig", "simm"], "Edge:Rig", "did you mean \"sim\""),
        ["--rig hli"] = new(_ => ["--rig", "hli"], "Edge:Rig", "did you mean \"hil\""),
        ["--rig a directory"] = new(d => ["--rig", d.Create()], "Edge:Rig = ", "is a directory"),
        ["--rig /dev/zero"] = new(_ => ["--rig", "/dev/zero"], "Edge:Rig = /dev/zero", "is a device, not a regular file"),
        ["--rig a FIFO (blocked for ever, deaf to SIGTERM)"] = new(d => { d.Create(); return ["--rig", Edge.Tests.Shared.SpecialFiles.Fifo(d.Path, "f.json")]; }, "Edge:Rig = ", "is a named pipe (FIFO)"),
        ["rig inverter id with a '/' (refused only after taking the inverters)"] = Rig(r => Inverter(r)["id"] = "pcs/1", "$.inverters[0].id = \"pcs/1\"", "one MQTT topic level"),
        ["rig sensor id with a '#'"] = Rig(r => Sensor(r)["id"] = "pcs#", "$.sensors[0].id = \"pcs#\"", "one MQTT topic level"),
        ["rig inverter id of 70 000 characters (echoed whole)"] = Rig(r => Inverter(r)["id"] = new string('x', 70_000), "$.inverters[0].id = \"xxxx", "1 to 64 characters"),
        ["rig shuntOhm 1e309 (was blamed on maxCurrentA)"] = RigText(SimRigText().Replace("\"shuntOhm\": 0.002,", "\"shuntOhm\": 1e309,", StringComparison.Ordinal), "$.sensors[0].shuntOhm = 1e309", "too large"),
        ["rig slowReadEvery 100.0 (.NET type name)"] = RigText(SimRigText().Replace("\"slowReadEvery\": 100,", "\"slowReadEvery\": 100.0,", StringComparison.Ordinal), "$.sensors[0].slowReadEvery = 100.0", "whole number written without a decimal point"),
        ["rig bus simulated in a --rig file (exit 1 after starting)"] = Rig(r => r["buses"]![1]!["kind"] = "simulated", "$.buses[1].kind = \"simulated\"", "--rig sim"),

        // Configuration file.
        ["config top-level scalar (was ignored)"] = Config("{ \"RampUpWPerS\": 500 }", "$.RampUpWPerS", "move it into its section"),
        ["config is a list"] = Config("[]", "$ must be an object", "\"Controller\""),
        ["config syntax error"] = Config("{ \"Controller\": { \"RampUpWPerS\": 5,\n }, \"Mqtt\" }", "line 2, column", "not valid JSON"),
        ["config duplicate key"] = Config("{ \"Controller\": { \"RampUpWPerS\": 1, \"RampUpWPerS\": 2 } }", "line 1", "not valid JSON"),
        ["config type error in words"] = Config("{ \"Controller\": { \"RampUpWPerS\": \"fast\" } }", "Controller:RampUpWPerS = \"fast\"", "is not a number"),
        ["config key misspelt"] = Config("{ \"Controller\": { \"RampUpWPerSec\": 5 } }", "Controller:RampUpWPerSec", "did you mean Controller:RampUpWPerS"),
        ["--config a directory (said 'does not exist')"] = new(d => ["--config", d.Create()], "is a directory, not a configuration file", "name a .json file"),
        ["--config /dev/zero (ran out of memory)"] = new(_ => ["--config", "/dev/zero"], "/dev/zero", "is a device, not a regular file"),
        ["--config a FIFO (blocked for ever, deaf to SIGTERM)"] = new(d => ["--config", SpecialFiles.Fifo(d.Create(), "f.json")], "f.json", "is a named pipe (FIFO)"),
        ["config null (MQTT silently disabled)"] = Config("{ \"Mqtt\": { \"Enabled\": null } }", "$.Mqtt.Enabled = null", "give true or false, or remove the key"),
        ["config null number (blamed on a 0)"] = Config("{ \"Controller\": { \"RampUpWPerS\": null } }", "$.Controller.RampUpWPerS = null", "give a number"),
        ["config array for a number (binder text)"] = Config("{ \"Controller\": { \"RampUpWPerS\": [1, 2] } }", "$.Controller.RampUpWPerS", "an array where a number is expected"),
        ["config object for a list (ignored)"] = Config("{ \"Mqtt\": { \"FailoverServers\": { \"x\": \"y\" } } }", "$.Mqtt.FailoverServers", "an object where a list"),

        // Section:Key words (and what they reach).
        ["KeepAliveS NaN (exited 1 with a .NET message)"] = Words("Mqtt:KeepAliveS=NaN", "Mqtt:KeepAliveS = NaN", "finite number in [1, 3600]"),
        ["SocMinPct 95 (was blamed on SocMaxPct)"] = Words("Controller:SocMinPct=95", "Controller:SocMinPct = 95", "must be below SocMaxPct (90 %): lower SocMinPct or raise SocMaxPct"),
        ["StateDirectory under /proc (exited 1)"] = Words("Edge:StateDirectory=/proc/edge-state", "Edge:StateDirectory", "cannot be created in /proc"),
        ["StateDirectory under a file"] = new(d => [$"Edge:StateDirectory={AFile(d)}/state"], "Edge:StateDirectory", "is a file"),
        ["StateDirectory is a file"] = new(d => [$"Edge:StateDirectory={AFile(d)}"], "Edge:StateDirectory", "is a file, not a directory"),
        ["AuditPath unwritable"] = Words("Mqtt:Commands:AuditPath=/proc/edge/audit.jsonl", "Mqtt:Commands:AuditPath", "cannot be created"),
        ["AuditPath is a directory"] = new(d => [$"Mqtt:Commands:AuditPath={d.Create()}"], "Mqtt:Commands:AuditPath", "is a directory"),
        ["SpoolPath unwritable"] = Words("Mqtt:Outbox:SpoolPath=/proc/edge-spool", "Mqtt:Outbox:SpoolPath", "cannot be created"),
        ["PasswordFile is a FIFO (blocked for ever)"] = new(d => ["Mqtt:Credentials:Username=edge", $"Mqtt:Credentials:PasswordFile={SpecialFiles.Fifo(d.Create())}"], "Mqtt:Credentials:PasswordFile", "is a named pipe (FIFO)"),
        ["--duration beyond a timer (OverflowException)"] = new(_ => ["--duration", "1e12s"], "--duration", "omit --duration to run until stopped"),
        ["override below a value (binder text)"] = Words("Controller:RampUpWPerS:Foo=5", "Controller:RampUpWPerS:Foo", "is a single value, not a section"),
        ["override given twice (last won)"] = new(_ => ["Controller:RampUpWPerS=50", "controller:rampupwpers=60"], "'Controller:RampUpWPerS=50' and 'controller:rampupwpers=60'", "give it once"),
        ["PasswordFile is a directory (exit 0 without MQTT)"] = new(d => ["Mqtt:Credentials:Username=edge", $"Mqtt:Credentials:PasswordFile={d.Create()}"], "Mqtt:Credentials:PasswordFile", "is a directory"),
        ["Port 1883.5"] = Words("Mqtt:Port=1883.5", "Mqtt:Port = \"1883.5\"", "whole number"),
        ["SiteMeter yes"] = Words("Sim:SiteMeter=yes", "Sim:SiteMeter = \"yes\"", "true or false"),
        ["StateQos Two"] = Words("Mqtt:Publish:StateQos=Two", "Mqtt:Publish:StateQos", "must be one of"),
    };


    public static TheoryData<string> BadVariants() => new(Cases.Keys);

    [Fact]
    public void There_are_at_least_55_bad_variants() => Assert.True(Cases.Count >= 55, $"{Cases.Count} cases");

    [Theory]
    [MemberData(nameof(BadVariants))]
    public void A_bad_variant_is_exit_2_naming_the_path_and_the_fix(string name)
    {
        Case c = Cases[name];
        using var dir = new TempDir();
        OptionValidationTests.Outcome o = OptionValidationTests.Run(c.Arguments(dir));
        output.WriteLine(o.Error);
        OptionValidationTests.AssertRefused(o, c.Path);
        Assert.Contains(c.Hint, o.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Type_errors_unknown_keys_and_range_errors_are_reported_together()
    {
        using var dir = new TempDir();
        dir.Create();
        File.WriteAllText(dir["edge.json"], """{ "Controller": { "RampUpWPerS": "fast", "Bogus": 1, "RampDownWPerS": -3, "SocMinPct": 95 }, "Sim": { "SiteMeter": "yes" }, "Controler": { "X": 1 }, "Mqtt": { "KeepAliveS": -1 } }""");
        OptionValidationTests.Outcome o = OptionValidationTests.Run(["--config", dir["edge.json"]]);
        output.WriteLine(o.Error);
        OptionValidationTests.AssertRefused(o, "Controller:RampUpWPerS = \"fast\" is invalid: is not a number");
        Assert.Contains("Controller:Bogus", o.Error, StringComparison.Ordinal);
        Assert.Contains("Sim:SiteMeter = \"yes\" is invalid: must be true or false", o.Error, StringComparison.Ordinal);
        Assert.Contains("Controler:X", o.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Double", o.Error, StringComparison.Ordinal);

        // Range and cross-checks of everything else in the same run, not after the type errors are fixed.
        Assert.Contains("Controller:RampDownWPerS = -3 is invalid", o.Error, StringComparison.Ordinal);
        Assert.Contains("Controller:SocMinPct = 95 is invalid: must be below SocMaxPct", o.Error, StringComparison.Ordinal);
        Assert.Contains("Mqtt:KeepAliveS = -1 is invalid", o.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_fault_of_a_rig_file_is_listed_at_once()
    {
        using var dir = new TempDir();
        JsonObject rig = SimRigWithDevices();
        Inverter(rig)["unitId"] = 300;
        Inverter(rig)["invertSign"] = "true";
        Inverter(rig)["revertTimeoutSec"] = 3;
        Inverter(rig)["revertTimeoutS"] = 2.9;
        Sensor(rig)["shuntOhm"] = -1;
        rig["sensors"]![1]!["bus"] = "nowhere"; // a cross reference (pass 3)
        MeterEntry(rig)["map"] = "no-such-map"; // the meter driver's own rule (pass 3, through IRigEntryRules)
        OptionValidationTests.Outcome o = OptionValidationTests.Run(["--rig", Write(dir, rig)]);
        output.WriteLine(o.Error);
        OptionValidationTests.AssertRefused(o, "$.inverters[0].unitId = 300 is invalid");
        Assert.Contains("$.sensors[1].bus = \"nowhere\" is invalid: no such bus", o.Error, StringComparison.Ordinal);
        Assert.Contains("$.meters[0].map = \"no-such-map\" is invalid", o.Error, StringComparison.Ordinal);
        Assert.Contains("use one of", o.Error, StringComparison.Ordinal);
        Assert.Contains("$.inverters[0].invertSign = \"true\" is invalid", o.Error, StringComparison.Ordinal);
        Assert.Contains("$.inverters[0].revertTimeoutSec = 3 is invalid: unknown key: did you mean \"revertTimeoutS\"", o.Error, StringComparison.Ordinal);
        Assert.Contains("$.inverters[0].revertTimeoutS = 2.9 is invalid", o.Error, StringComparison.Ordinal);
        Assert.Contains("$.sensors[0].shuntOhm = -1 is invalid", o.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string> GoodRigs() => new(
        "sim rig with an inverter and a site meter",
        "minimal rig",
        "comments and trailing commas",
        "address and chip as numbers",
        "every shipped rig file");

    [Theory]
    [MemberData(nameof(GoodRigs))]
    public void Good_rig_variants_still_load(string name)
    {
        using var dir = new TempDir();
        IEnumerable<string> files = name switch
        {
            "sim rig with an inverter and a site meter" => [Write(dir, SimRigWithDevices())],
            "minimal rig" => [WriteText(dir, """{ "name": "m", "buses": [ { "id": "b", "kind": "linux", "device": "/dev/i2c-1" } ], "sensors": [ { "id": "s", "type": "ina226", "bus": "b", "address": 64, "shuntOhm": 0.002, "maxCurrentA": 10, "rack": "r" } ] }""")],
            "comments and trailing commas" => [WriteText(dir, "{\n // a comment\n \"name\": \"m\", \"buses\": [ { \"id\": \"b\", \"kind\": \"linux\", \"device\": \"/dev/i2c-1\", }, ], \"sensors\": [ { \"id\": \"s\", \"type\": \"ina228\", \"bus\": \"b\", \"address\": \"0x4f\", \"shuntOhm\": 0.0002, \"maxCurrentA\": 100, \"rack\": \"r\" } ], }")],
            "address and chip as numbers" => [WriteText(dir, """{ "name": "m", "buses": [ { "id": "b", "kind": "linux", "device": "/dev/i2c-1" } ], "gpio": [ { "id": "e", "role": "estop", "chip": 0, "line": 4 } ], "sensors": [ { "id": "s", "type": "ina226", "bus": "b", "address": 79, "shuntOhm": 0.002, "maxCurrentA": 10, "rack": "r" } ] }""")],
            _ => Directory.GetFiles(Path.Combine(OptionValidationTests.RepoRoot, "hardware", "rigs"), "*.json")
                .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("sim-", StringComparison.Ordinal)),
        };
        foreach (string file in files)
        {
            Assert.Empty(Edge.Daemon.Rigs.RigFactory.Validate(file));
        }
    }

    [Fact]
    public void The_shipped_simulated_rigs_are_refused_as_a_rig_file_they_run_only_as_rig_sim()
    {
        // Their buses are "simulated": as --rig FILE they would pass validation and fail at start (exit 1).
        foreach (string file in Directory.GetFiles(Path.Combine(OptionValidationTests.RepoRoot, "hardware", "rigs"), "sim-*.json"))
        {
            IReadOnlyList<Edge.Core.OptionError> errors = Edge.Daemon.Rigs.RigFactory.Validate(file);
            Assert.NotEmpty(errors);
            Assert.All(errors, e => Assert.EndsWith(".kind", e.Path, StringComparison.Ordinal));
        }

        Assert.Empty(Edge.Daemon.Rigs.RigFactory.Validate("sim"));
    }

    [Fact]
    public void A_good_configuration_file_with_every_section_still_loads()
    {
        using var dir = new TempDir();
        dir.Create();
        File.WriteAllText(dir["edge.json"], """
            // comments are fine
            { "Edge": { "Site": "s" }, "Controller": { "RampUpWPerS": 40, "SocMinPct": 20, "SocMaxPct": 95 },
              "Loop": { "PeriodMs": 10 }, "Mqtt": { "KeepAliveS": 30, "Port": 1884 }, "Sim": { "SiteMeter": true }, }
            """);
        var config = Edge.Commands.RunCommand.BuildConfiguration(dir["edge.json"], new Dictionary<string, string?>());
        Assert.Equal("40", config["Controller:RampUpWPerS"]);
        Assert.Equal("True", config["Sim:SiteMeter"], ignoreCase: true);
    }

    private static Case Rig(Action<JsonObject> spoil, string path, string hint) => new(dir =>
    {
        JsonObject rig = SimRigWithDevices();
        spoil(rig);
        return ["--rig", Write(dir, rig)];
    }, path, hint);

    private static Case RigText(string text, string path, string hint) => new(dir => ["--rig", WriteText(dir, text)], path, hint);

    private static Case Config(string text, string path, string hint) => new(dir =>
    {
        dir.Create();
        File.WriteAllText(dir["edge.json"], text);
        return ["--config", dir["edge.json"]];
    }, path, hint);

    private static Case Words(string word, string path, string hint) => new(_ => [word], path, hint);

    private static string AFile(TempDir dir)
    {
        dir.Create();
        File.WriteAllText(dir["a-file"], "x");
        return dir["a-file"];
    }

    private static string SimRigText() =>
        File.ReadAllText(Path.Combine(OptionValidationTests.RepoRoot, "hardware", "rigs", "sim-8x-ina226.json"))
            .Replace("\"kind\": \"simulated\",", "\"kind\": \"linux\", \"device\": \"/dev/i2c-1\",", StringComparison.Ordinal);

    /// <summary>
    /// The simulated rig on Linux buses (a rig file given as --rig runs on hardware; it is only validated here) plus one
    /// SunSpec inverter, one site meter, an ADS1115 power channel and an LM75, all valid.
    /// </summary>
    private static JsonObject SimRigWithDevices()
    {
        JsonObject rig = JsonNode.Parse(SimRigText())!.AsObject();
        rig["inverters"] = new JsonArray(new JsonObject
        {
            ["id"] = "pcs1", ["type"] = "sunspec", ["host"] = "127.0.0.1", ["port"] = 1502, ["unitId"] = 1, ["revertTimeoutS"] = 3, ["invertSign"] = false,
        });
        rig["meters"] = new JsonArray(new JsonObject { ["id"] = "site", ["type"] = "modbus", ["role"] = "site", ["map"] = "eastron-sdm630", ["host"] = "127.0.0.1", ["unitId"] = 2 });
        rig["powerChannels"] = new JsonArray(new JsonObject
        {
            ["id"] = "rack5-hall", ["type"] = "ads1115", ["bus"] = "sim-a", ["address"] = "0x48", ["gainWPerV"] = 1000, ["offsetW"] = -500,
            ["minVolts"] = 0.3, ["maxVolts"] = 4.0, ["minPowerW"] = -200, ["maxPowerW"] = 4000, ["rack"] = "rack5", ["simulation"] = new JsonObject { ["noiseVolts"] = 0.001 },
        });
        rig["temperatureSensors"] = new JsonArray(new JsonObject
        {
            ["id"] = "cabinet", ["type"] = "lm75", ["bus"] = "sim-b", ["address"] = "0x4F", ["highC"] = 45, ["hysteresisC"] = 3,
        });
        return rig;
    }

    private static JsonObject Channel(JsonObject rig) => rig["powerChannels"]![0]!.AsObject();

    private static JsonObject Thermometer(JsonObject rig) => rig["temperatureSensors"]![0]!.AsObject();

    private static JsonObject Inverter(JsonObject rig) => rig["inverters"]![0]!.AsObject();

    private static JsonObject MeterEntry(JsonObject rig) => rig["meters"]![0]!.AsObject();

    private static JsonObject Sensor(JsonObject rig) => rig["sensors"]![0]!.AsObject();

    private static string Write(TempDir dir, JsonObject rig) => WriteText(dir, rig.ToJsonString());

    private static string WriteText(TempDir dir, string text)
    {
        dir.Create();
        File.WriteAllText(dir["rig.json"], text);
        return dir["rig.json"];
    }
}
