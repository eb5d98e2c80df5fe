using System.Text.Json.Nodes;
using Edge.Devices.Gpio;
using Edge.Devices.Rig;
using Edge.Devices.Shunts;

namespace Edge.Devices.Tests;

public class RigLoaderTests
{
    public static TheoryData<string> RigFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Path.Combine(Repo.Root, "hardware", "rigs"), "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RigFiles))]
    public void EveryShippedRigFileLoads(string file)
    {
        RigDefinition rig = RigLoader.Load(Repo.Rig(file));
        Assert.NotEmpty(rig.Sensors);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), rig.Name);
    }

    [Fact]
    public void TheSimulatedRigHasEightIna226OnTwoBuses()
    {
        RigDefinition rig = RigLoader.Load(Repo.Rig("sim-8x-ina226.json"));
        Assert.Equal(8, rig.Sensors.Count);
        Assert.All(rig.Sensors, s => Assert.Equal(RigSensorType.Ina226, s.Type));
        Assert.Equal(2, rig.Buses.Count);
        Assert.Equal(4, rig.Sensors.Select(s => s.Rack).Distinct().Count());
        RigGpioLine estop = Assert.Single(rig.Gpio, g => g.Role == RigGpioRole.EmergencyStop);
        Assert.True(estop.Settings.ActiveLow);
        Assert.Equal(5000, estop.Settings.DebounceUs);
        Assert.Equal(GpioBias.PullDown, estop.Settings.Bias);
    }

    [Fact]
    public void TheRaspberryPiRigUsesAlertPins()
    {
        RigDefinition rig = RigLoader.Load(Repo.Rig("pi5-2bus-8x-ina228.json"));
        Assert.All(rig.Sensors, s => Assert.Equal(ConversionReadyMode.AlertPin, s.ConversionReady));
        Assert.All(rig.Sensors, s => Assert.Contains(rig.Gpio, g => g.Id == s.AlertGpio && g.Role == RigGpioRole.Alert));
        Assert.Equal("/dev/i2c-3", rig.Buses[1].Device);
    }

    private static JsonObject SimRig() => JsonNode.Parse(File.ReadAllText(Repo.Rig("sim-8x-ina226.json")))!.AsObject();

    private static RigException Reject(JsonObject rig) =>
        Assert.Throws<RigException>(() => RigLoader.Parse(rig.ToJsonString(), "test.json"));

    [Fact]
    public void ANegativeShuntIsRejectedWithItsPath()
    {
        JsonObject rig = SimRig();
        rig["sensors"]![3]!["shuntOhm"] = -1;
        RigException e = Reject(rig);
        RigError error = Assert.Single(e.Errors);
        Assert.Equal("$.sensors[3].shuntOhm", error.Path);
        Assert.Contains("$.sensors[3].shuntOhm = -1: must be a number > 0 (shunt resistance, Ohm)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryFaultIsListedNotJustTheFirst()
    {
        // Every type, range and key fault of the file (schema), and the cross references (pass 3) in the same report:
        // a user fixes the file once, not in rounds.
        JsonObject rig = SimRig();
        rig["sensors"]![0]!["bus"] = "nowhere";
        rig["sensors"]![1]!["address"] = "0x70";
        rig["sensors"]![2]!["averaging"] = 3;
        rig["gpio"]![0]!["debounceUs"] = -5;
        RigException e = Reject(rig);
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[1].address" && x.Value == "\"0x70\"" && x.Message.Contains("0x40–0x4F", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[2].averaging" && x.Message.Contains("1, 4, 16", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Path == "$.gpio[0].debounceUs" && x.Value == "-5");
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[0].bus" && x.Value == "\"nowhere\"" && x.Message.Contains("no such bus", StringComparison.Ordinal));
        Assert.Equal(4, e.Errors.Count); // nothing twice: pass 3's view of the refused address is not repeated

        // With the shape right, the cross references alone: all of those at once too.
        rig["sensors"]![1]!["address"] = "0x41";
        rig["sensors"]![2]!["averaging"] = 1;
        rig["gpio"]![0]!["debounceUs"] = 5;
        rig["sensors"]![3]!["bus"] = "elsewhere";
        e = Reject(rig);
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[0].bus" && x.Value == "\"nowhere\"" && x.Message.Contains("no such bus", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[3].bus" && x.Value == "\"elsewhere\"" && x.Message.Contains("\"sim-a\", \"sim-b\"", StringComparison.Ordinal));
        Assert.Equal(2, e.Errors.Count);
    }

    [Fact]
    public void ATypoGetsADidYouMean()
    {
        JsonObject rig = SimRig();
        JsonObject sensor = rig["sensors"]![5]!.AsObject();
        sensor["shuntOhms"] = sensor["shuntOhm"]!.DeepClone();
        sensor.Remove("shuntOhm");
        RigException e = Reject(rig);
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[5].shuntOhms" && x.Message.Contains("did you mean \"shuntOhm\"", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[5].shuntOhm" && x.Message.Contains("required", StringComparison.Ordinal));
    }

    [Fact]
    public void DuplicatesAreRejected()
    {
        JsonObject rig = SimRig();
        rig["sensors"]![1]!["address"] = "0x40";
        rig["sensors"]![2]!["id"] = "rack1-a";
        RigException e = Reject(rig);
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[1].address" && x.Message.Contains("already used on bus \"sim-a\" at $.sensors[0]", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[2].id" && x.Message.Contains("already used", StringComparison.Ordinal));
    }

    [Fact]
    public void AShuntTheChipCannotMeasureIsRejected()
    {
        JsonObject rig = SimRig();
        rig["sensors"]![4]!["maxCurrentA"] = 60; // 120 mV on a ±81.92 mV input
        RigException e = Reject(rig);
        RigError error = Assert.Single(e.Errors);
        Assert.Equal("$.sensors[4].maxCurrentA", error.Path);
        Assert.Contains("81.92 mV", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConversionSlowerThanTheStaleLimitIsRejected()
    {
        JsonObject rig = SimRig();
        rig["sensors"]![0]!["averaging"] = 16; // 16 × 0.664 ms = 10.6 ms > 3 × 1 ms
        RigException e = Reject(rig);
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[0].averaging" && x.Message.Contains("always be stale", StringComparison.Ordinal));
    }

    [Fact]
    public void AlertModeNeedsAnAlertInput()
    {
        JsonObject rig = SimRig();
        rig["sensors"]![0]!["conversionReady"] = "alert";
        rig["sensors"]![1]!["conversionReady"] = "alert";
        rig["sensors"]![1]!["alertGpio"] = "status-led";
        RigException e = Reject(rig);
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[0].alertGpio" && x.Message.Contains("is missing", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Path == "$.sensors[1].alertGpio" && x.Message.Contains("must name an input", StringComparison.Ordinal));
    }

    [Fact]
    public void InvertersAndMetersAreKeptForTheirDrivers()
    {
        JsonObject rig = SimRig();
        rig["inverters"] = new JsonArray(new JsonObject { ["id"] = "inv1", ["type"] = "sunspec", ["host"] = "10.0.0.5", ["port"] = 502 });
        rig["meters"] = new JsonArray(new JsonObject { ["type"] = "modbus" });
        RigException e = Reject(rig);
        Assert.Contains(e.Errors, x => x.Path == "$.meters[0].id");

        rig["meters"] = new JsonArray(new JsonObject { ["id"] = "site", ["type"] = "modbus", ["map"] = "eastron-sdm630", ["host"] = "10.0.0.6" });
        RigDefinition ok = RigLoader.Parse(rig.ToJsonString());
        RigInverterEntry inverter = Assert.Single(ok.Inverters);
        Assert.Equal("$.inverters[0]", inverter.Path);
        Assert.Equal(502, inverter.Port);
    }

    [Fact]
    public void BrokenJsonNamesTheLine()
    {
        RigException e = Assert.Throws<RigException>(() => RigLoader.Parse("{\n  \"name\": \"x\",\n  \"sensors\": [ }\n", "bad.json"));
        Assert.Contains("bad.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileIsARigErrorNotACrash()
    {
        RigException e = Assert.Throws<RigException>(() => RigLoader.Load("/nonexistent/rig.json"));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "edge-rig-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void AFifoIsRefusedWithoutBeingOpened()
    {
        string dir = TempDir();
        try
        {
            string fifo = Edge.Tests.Shared.SpecialFiles.Fifo(dir, "f.json");
            // Opening a FIFO with no writer would block this test for ever; the loader must not open it.
            Task<RigException> load = Task.Run(() => Assert.Throws<RigException>(() => RigLoader.Load(fifo)));
            Assert.True(load.Wait(TimeSpan.FromSeconds(10)), "RigLoader.Load blocked on a FIFO");
            RigError error = Assert.Single(load.Result.Errors);
            Assert.Equal("$", error.Path);
            Assert.StartsWith("is a named pipe (FIFO)", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void AFileWithAByteOrderMarkLoads()
    {
        string dir = TempDir();
        try
        {
            string file = Path.Combine(dir, "bom.json");
            File.WriteAllBytes(file, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(Repo.Rig("sim-8x-ina226.json"))]);
            RigDefinition rig = RigLoader.Load(file);
            Assert.Equal("sim-8x-ina226", rig.Name);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("inverters", "pcs/1", "contains '/'")]
    [InlineData("inverters", "pcs#", "contains '#'")]
    [InlineData("sensors", "rack+1", "contains '+'")]
    [InlineData("buses", "", "is empty")]
    public void AnIdThatIsNotOneTopicLevelIsRefusedWithItsPath(string kind, string id, string problem)
    {
        JsonObject rig = SimRig();
        rig["inverters"] = new JsonArray(new JsonObject { ["id"] = "inv1", ["type"] = "sunspec", ["host"] = "10.0.0.5", ["port"] = 502 });
        rig[kind]![0]!["id"] = id;
        RigException e = Reject(rig);
        RigError error = Assert.Single(e.Errors, x => x.Path == $"$.{kind}[0].id");
        Assert.Equal(JsonValue.Create(id).ToJsonString(), error.Value);
        Assert.Contains("one MQTT topic level", error.Message, StringComparison.Ordinal);
        Assert.Equal(problem, Edge.Core.TopicLevel.Problem(id));
    }

    [Theory]
    [InlineData("127.0.0.1:502", "without a port")]
    [InlineData("a b", "a host name or an IPv4/IPv6 address")]
    [InlineData("", "must be a non-empty string")]
    public void AnInverterOrMeterHostThatIsNoHostIsRefusedWithItsPath(string host, string message)
    {
        JsonObject rig = SimRig();
        rig["inverters"] = new JsonArray(new JsonObject { ["id"] = "inv1", ["type"] = "sunspec", ["host"] = host, ["port"] = 502 });
        rig["meters"] = new JsonArray(new JsonObject { ["id"] = "site", ["type"] = "modbus", ["map"] = "eastron-sdm630", ["host"] = host });
        RigException e = Reject(rig);
        Assert.Contains(e.Errors, x => x.Path == "$.inverters[0].host" && x.Message.Contains(message, StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Path == "$.meters[0].host");

        foreach (string good in new[] { "10.0.0.5", "pcs-1.plant.local", "::1", "fe80::1" })
        {
            rig["inverters"] = new JsonArray(new JsonObject { ["id"] = "inv1", ["type"] = "sunspec", ["host"] = good, ["port"] = 502 });
            rig["meters"] = new JsonArray(new JsonObject { ["id"] = "site", ["type"] = "modbus", ["map"] = "eastron-sdm630", ["host"] = good });
            Assert.Equal(good, Assert.Single(RigLoader.Parse(rig.ToJsonString()).Inverters).Host);
        }
    }

    [Fact]
    public void AHugeIdIsRefusedAndNotEchoedWhole()
    {
        JsonObject rig = SimRig();
        rig["inverters"] = new JsonArray(new JsonObject { ["id"] = new string('x', 70_000), ["type"] = "sunspec", ["host"] = "10.0.0.5", ["port"] = 502 });
        RigException e = Reject(rig);
        RigError error = Assert.Single(e.Errors);
        Assert.Equal("$.inverters[0].id", error.Path);
        Assert.True(e.Message.Length < 500, e.Message);
        Assert.Contains("1 to 64 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTopicLevelRuleFindsWhatTheSchemaMisses()
    {
        Assert.Null(Edge.Core.TopicLevel.Problem("rack1-a"));
        Assert.Null(Edge.Core.TopicLevel.Problem(new string('a', 64)));
        Assert.Equal("is 65 characters long (at most 64)", Edge.Core.TopicLevel.Problem(new string('a', 65)));
        Assert.Equal("contains U+0000", Edge.Core.TopicLevel.Problem("a\0b"));
        Assert.StartsWith("contains an unpaired surrogate", Edge.Core.TopicLevel.Problem("a\ud800b"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e309", "too large")]
    [InlineData("1e-400", "too close to 0")]
    public void AShuntADoubleCannotHoldIsReportedAtShuntOhm(string written, string words)
    {
        string json = File.ReadAllText(Repo.Rig("sim-8x-ina226.json")).Replace("\"shuntOhm\": 0.002,", $"\"shuntOhm\": {written},", StringComparison.Ordinal);
        RigException e = Assert.Throws<RigException>(() => RigLoader.Parse(json, "test.json"));
        Assert.All(e.Errors, x => Assert.DoesNotContain("maxCurrentA", x.Path, StringComparison.Ordinal));
        RigError error = Assert.Single(e.Errors, x => x.Path == "$.sensors[0].shuntOhm");
        Assert.Equal(written, error.Value);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACalibrationFaultIsReportedAtTheKeyTheChipRefused()
    {
        JsonObject rig = SimRig();
        rig["sensors"]![2]!["currentLsbA"] = 1e-9; // below maxCurrentA / 2^15
        RigException e = Reject(rig);
        RigError error = Assert.Single(e.Errors);
        Assert.Equal("$.sensors[2].currentLsbA", error.Path);
    }

    [Fact]
    public void AHugeCurrentIsPrintedShortly()
    {
        JsonObject rig = SimRig();
        rig["sensors"]![0]!["maxCurrentA"] = 1e300;
        RigException e = Reject(rig);
        RigError error = Assert.Single(e.Errors);
        Assert.Equal("$.sensors[0].maxCurrentA", error.Path);
        Assert.True(e.Message.Length < 400, e.Message);
        Assert.DoesNotContain("0000000000", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("slowReadEvery", "100", "100.0")]
    [InlineData("slowReadEvery", "100", "1E2")]
    [InlineData("address", "\"0x40\"", "64.0")]
    public void AWholeNumberWrittenWithAFractionIsRefusedInWords(string key, string was, string written)
    {
        string json = File.ReadAllText(Repo.Rig("sim-8x-ina226.json"));
        int at = json.IndexOf($"\"{key}\": {was},", StringComparison.Ordinal);
        json = json[..at] + $"\"{key}\": {written}," + json[(at + key.Length + was.Length + 5)..];
        RigException e = Assert.Throws<RigException>(() => RigLoader.Parse(json, "test.json"));
        RigError error = Assert.Single(e.Errors);
        Assert.Equal($"$.sensors[0].{key}", error.Path);
        Assert.Equal(written, error.Value);
        Assert.StartsWith("must be a whole number written without a decimal point or exponent", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARequiredWholeNumberWrittenWithAFractionDoesNotHideTheOtherEntriesFaults()
    {
        // The required address 64.0 used to end the reading there: the unknown bus of another sensor came only on the
        // next run.
        JsonObject rig = SimRig();
        rig["sensors"]![0]!["address"] = JsonNode.Parse("64.0");
        rig["sensors"]![3]!["bus"] = "nowhere";
        RigException e = Reject(rig);
        Assert.Equal(["$.sensors[0].address", "$.sensors[3].bus"], e.Errors.Select(x => x.Path));
        Assert.StartsWith("must be a whole number", e.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SimulatedBusesAreRefusedOnHardware()
    {
        RigDefinition sim = RigLoader.Load(Repo.Rig("sim-8x-ina226.json"));
        Assert.Equal(RigBusKind.Simulated, sim.Buses[0].Kind);
        RigException e = Assert.Throws<RigException>(() => RigLoader.Load(Repo.Rig("sim-8x-ina226.json"), hardware: true));
        Assert.Equal(["$.buses[0].kind", "$.buses[1].kind"], e.Errors.Select(x => x.Path));
        Assert.All(e.Errors, x => Assert.Contains("--rig sim", x.Message, StringComparison.Ordinal));
        Assert.NotEmpty(RigLoader.Load(Repo.Rig("pi5-2bus-8x-ina228.json"), hardware: true).Sensors);
    }

    [Fact]
    public void ALoneSurrogateEscapeIsARigErrorNotACrash()
    {
        string json = """{ "name": "t", "sensors": [], "inverters": [ { "id": "a\ud800b", "type": "sunspec", "host": "10.0.0.5" } ] }""";
        RigException e = Assert.Throws<RigException>(() => RigLoader.Parse(json, "test.json"));
        RigError error = Assert.Single(e.Errors);
        Assert.Equal("$.inverters[0].id", error.Path);
        Assert.Contains("not text", error.Message, StringComparison.Ordinal);
    }
}
