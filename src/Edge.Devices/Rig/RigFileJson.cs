using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Devices.Rig;

// The typed shape of a rig file, read by System.Text.Json with RigLoader.SerializerOptions (unknown keys, nulls for
// non-nullable members, missing required members and string-for-number coercions all refused). Optional members are
// nullable: the loader applies the defaults. hardware/rigs/rig.schema.json describes the same shape; RigSchemaTests
// fails when the two drift. Tiny DTOs, kept together on purpose.

/// <summary>A rig file as written.</summary>
internal sealed class RigFileJson
{
    [JsonPropertyName("$schema")] public string? Schema { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("sampling")] public RigSamplingJson? Sampling { get; init; }
    [JsonPropertyName("buses")] public IReadOnlyList<RigBusJson>? Buses { get; init; }
    [JsonPropertyName("sensors")] public required IReadOnlyList<RigSensorJson> Sensors { get; init; }
    [JsonPropertyName("powerChannels")] public IReadOnlyList<RigPowerChannelJson>? PowerChannels { get; init; }
    [JsonPropertyName("temperatureSensors")] public IReadOnlyList<RigTemperatureSensorJson>? TemperatureSensors { get; init; }
    [JsonPropertyName("gpio")] public IReadOnlyList<RigGpioJson>? Gpio { get; init; }
    [JsonPropertyName("health")] public RigHealthJson? Health { get; init; }
    [JsonPropertyName("aggregation")] public RigAggregationJson? Aggregation { get; init; }
    [JsonPropertyName("inverters")] public IReadOnlyList<RigInverterEntry>? Inverters { get; init; }
    [JsonPropertyName("meters")] public IReadOnlyList<RigMeterEntry>? Meters { get; init; }
}

/// <summary><c>sampling</c>.</summary>
internal sealed class RigSamplingJson
{
    [JsonPropertyName("periodMs")] public double? PeriodMs { get; init; }
}

/// <summary><c>buses[]</c>.</summary>
internal sealed class RigBusJson
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("device")] public string? Device { get; init; }
    [JsonPropertyName("speedHz")] public int? SpeedHz { get; init; }
}

/// <summary><c>sensors[]</c>.</summary>
internal sealed class RigSensorJson
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("bus")] public required string Bus { get; init; }
    [JsonPropertyName("address"), JsonConverter(typeof(I2cAddressConverter))] public required int Address { get; init; }
    [JsonPropertyName("shuntOhm")] public required double ShuntOhm { get; init; }
    [JsonPropertyName("maxCurrentA")] public required double MaxCurrentA { get; init; }
    [JsonPropertyName("currentLsbA")] public double? CurrentLsbA { get; init; }
    [JsonPropertyName("rack")] public required string Rack { get; init; }
    [JsonPropertyName("weight")] public double? Weight { get; init; }
    [JsonPropertyName("averaging")] public int? Averaging { get; init; }
    [JsonPropertyName("busConversionUs")] public int? BusConversionUs { get; init; }
    [JsonPropertyName("shuntConversionUs")] public int? ShuntConversionUs { get; init; }
    [JsonPropertyName("temperatureConversionUs")] public int? TemperatureConversionUs { get; init; }
    [JsonPropertyName("adcRange")] public string? AdcRange { get; init; }
    [JsonPropertyName("conversionReady")] public string? ConversionReady { get; init; }
    [JsonPropertyName("alertGpio")] public string? AlertGpio { get; init; }
    [JsonPropertyName("minPowerW")] public double? MinPowerW { get; init; }
    [JsonPropertyName("maxPowerW")] public double? MaxPowerW { get; init; }
    [JsonPropertyName("minBusVoltageV")] public double? MinBusVoltageV { get; init; }
    [JsonPropertyName("maxBusVoltageV")] public double? MaxBusVoltageV { get; init; }
    [JsonPropertyName("slowReadEvery")] public int? SlowReadEvery { get; init; }
    [JsonPropertyName("simulation")] public RigSimulationJson? Simulation { get; init; }
}

/// <summary><c>sensors[].simulation</c>.</summary>
internal sealed class RigSimulationJson
{
    [JsonPropertyName("loadShare")] public double? LoadShare { get; init; }
    [JsonPropertyName("busVoltageV")] public double? BusVoltageV { get; init; }
    [JsonPropertyName("sourceOhm")] public double? SourceOhm { get; init; }
    [JsonPropertyName("noiseLsb")] public double? NoiseLsb { get; init; }
}

/// <summary><c>powerChannels[]</c>.</summary>
internal sealed class RigPowerChannelJson
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("bus")] public required string Bus { get; init; }
    [JsonPropertyName("address"), JsonConverter(typeof(I2cAddressConverter))] public required int Address { get; init; }
    [JsonPropertyName("input")] public string? Input { get; init; }
    [JsonPropertyName("rangeV")] public double? RangeV { get; init; }
    [JsonPropertyName("dataRateSps")] public int? DataRateSps { get; init; }
    [JsonPropertyName("gainWPerV")] public required double GainWPerV { get; init; }
    [JsonPropertyName("offsetW")] public double? OffsetW { get; init; }
    [JsonPropertyName("minVolts")] public double? MinVolts { get; init; }
    [JsonPropertyName("maxVolts")] public double? MaxVolts { get; init; }
    [JsonPropertyName("minPowerW")] public double? MinPowerW { get; init; }
    [JsonPropertyName("maxPowerW")] public double? MaxPowerW { get; init; }
    [JsonPropertyName("rack")] public required string Rack { get; init; }
    [JsonPropertyName("weight")] public double? Weight { get; init; }
    [JsonPropertyName("simulation")] public RigPowerChannelSimulationJson? Simulation { get; init; }
}

/// <summary><c>powerChannels[].simulation</c>.</summary>
internal sealed class RigPowerChannelSimulationJson
{
    [JsonPropertyName("loadShare")] public double? LoadShare { get; init; }
    [JsonPropertyName("noiseVolts")] public double? NoiseVolts { get; init; }
}

/// <summary><c>temperatureSensors[]</c>.</summary>
internal sealed class RigTemperatureSensorJson
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("bus")] public required string Bus { get; init; }
    [JsonPropertyName("address"), JsonConverter(typeof(I2cAddressConverter))] public required int Address { get; init; }
    [JsonPropertyName("highC")] public required double HighC { get; init; }
    [JsonPropertyName("lowC")] public double? LowC { get; init; }
    [JsonPropertyName("hysteresisC")] public double? HysteresisC { get; init; }
    [JsonPropertyName("minPlausibleC")] public double? MinPlausibleC { get; init; }
    [JsonPropertyName("maxPlausibleC")] public double? MaxPlausibleC { get; init; }
    [JsonPropertyName("readEveryMs")] public int? ReadEveryMs { get; init; }
    [JsonPropertyName("simulation")] public RigTemperatureSimulationJson? Simulation { get; init; }
}

/// <summary><c>temperatureSensors[].simulation</c>.</summary>
internal sealed class RigTemperatureSimulationJson
{
    [JsonPropertyName("temperatureC")] public double? TemperatureC { get; init; }
}

/// <summary><c>gpio[]</c>.</summary>
internal sealed class RigGpioJson
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("role")] public required string Role { get; init; }
    [JsonPropertyName("chip"), JsonConverter(typeof(GpioChipConverter))] public required string Chip { get; init; }
    [JsonPropertyName("line")] public required int Line { get; init; }
    [JsonPropertyName("direction")] public string? Direction { get; init; }
    [JsonPropertyName("activeLow")] public bool? ActiveLow { get; init; }
    [JsonPropertyName("bias")] public string? Bias { get; init; }
    [JsonPropertyName("edges")] public string? Edges { get; init; }
    [JsonPropertyName("debounceUs")] public int? DebounceUs { get; init; }
    [JsonPropertyName("initial")] public bool? Initial { get; init; }
    [JsonPropertyName("drive")] public string? Drive { get; init; }
}

/// <summary><c>health</c>.</summary>
internal sealed class RigHealthJson
{
    [JsonPropertyName("stalePeriods")] public int? StalePeriods { get; init; }
    [JsonPropertyName("busErrorPeriods")] public int? BusErrorPeriods { get; init; }
    [JsonPropertyName("stuckSamples")] public int? StuckSamples { get; init; }
}

/// <summary><c>aggregation</c>.</summary>
internal sealed class RigAggregationJson
{
    [JsonPropertyName("decayS")] public double? DecayS { get; init; }
    [JsonPropertyName("maxEstimatedFraction")] public double? MaxEstimatedFraction { get; init; }
}

/// <summary>An I²C address written as <c>"0x40"</c> or <c>64</c>.</summary>
internal sealed class I2cAddressConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetInt32();
        }

        string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (text is { Length: > 2 } && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int address))
        {
            return address;
        }

        throw new JsonException("must be an address like \"0x40\" or 64");
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) =>
        writer.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"0x{value:X2}"));
}

/// <summary>A GPIO chip written as a name/path/label or a chip number.</summary>
internal sealed class GpioChipConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetInt32().ToString(CultureInfo.InvariantCulture),
        JsonTokenType.String => reader.GetString() ?? throw new JsonException("must be a chip name or number"),
        _ => throw new JsonException("must be a chip name or number"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
