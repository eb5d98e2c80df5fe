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
        Assert.Contains("no such file", e.Message, StringComparison.Ordinal);
    }
}
