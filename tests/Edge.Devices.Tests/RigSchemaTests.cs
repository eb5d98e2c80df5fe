using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Devices.Rig;
using Json.Schema;

namespace Edge.Devices.Tests;

/// <summary>
/// The published JSON Schema (hardware/rigs/rig.schema.json) and the typed records the loader deserialises into
/// cannot drift: the same keys, the same required keys, compatible types, the same enum names — checked in both
/// directions for every object of a rig file. Also: the embedded schema is the file editors use, and every shipped
/// rig file validates against it with an independent evaluation.
/// </summary>
public sealed class RigSchemaTests
{
    /// <summary>Schema definition ↔ the record it describes.</summary>
    public static TheoryData<string, Type> Pairs { get; } = new()
    {
        { "", typeof(RigFileJson) },
        { "sampling", typeof(RigSamplingJson) },
        { "bus", typeof(RigBusJson) },
        { "sensor", typeof(RigSensorJson) },
        { "simulation", typeof(RigSimulationJson) },
        { "powerChannel", typeof(RigPowerChannelJson) },
        { "powerChannelSimulation", typeof(RigPowerChannelSimulationJson) },
        { "temperatureSensor", typeof(RigTemperatureSensorJson) },
        { "temperatureSimulation", typeof(RigTemperatureSimulationJson) },
        { "gpio", typeof(RigGpioJson) },
        { "health", typeof(RigHealthJson) },
        { "aggregation", typeof(RigAggregationJson) },
        { "inverter", typeof(RigInverterEntry) },
        { "meter", typeof(RigMeterEntry) },
    };

    private static JsonElement Def(string name) => name.Length == 0 ? RigSchema.Root : RigSchema.Root.GetProperty("$defs").GetProperty(name);

    private static IEnumerable<PropertyInfo> Members(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null);

    private static string JsonName(PropertyInfo p) => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
        ?? throw new InvalidOperationException($"{p.DeclaringType!.Name}.{p.Name} has no [JsonPropertyName]");

    [Theory]
    [MemberData(nameof(Pairs))]
    public void The_schema_and_the_record_have_the_same_keys_and_required_keys(string def, Type type)
    {
        JsonElement schema = Def(def);
        var schemaKeys = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToList();
        var recordKeys = Members(type).Select(JsonName).Order().ToList();
        Assert.Equal(schemaKeys, recordKeys);

        var schemaRequired = schema.TryGetProperty("required", out JsonElement r) ? r.EnumerateArray().Select(x => x.GetString()!).Order().ToList() : [];
        var recordRequired = Members(type).Where(p => p.GetCustomAttribute<RequiredMemberAttribute>() is not null).Select(JsonName).Order().ToList();
        Assert.Equal(schemaRequired, recordRequired);
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean(), $"{def}: unknown keys must be refused");
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void The_schema_types_fit_the_record_types(string def, Type type)
    {
        JsonElement properties = Def(def).GetProperty("properties");
        foreach (PropertyInfo p in Members(type))
        {
            JsonElement s = properties.GetProperty(JsonName(p));
            Type t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            string[] types = s.TryGetProperty("type", out JsonElement tt)
                ? tt.ValueKind == JsonValueKind.Array ? [.. tt.EnumerateArray().Select(x => x.GetString()!)] : [tt.GetString()!]
                : s.TryGetProperty("enum", out JsonElement e) ? [.. e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number ? "integer" : "string").Distinct()]
                : s.TryGetProperty("$ref", out _) ? ["object"] : [];
            string where = $"{def}.{JsonName(p)} ({t.Name})";
            if (p.GetCustomAttribute<JsonConverterAttribute>() is not null)
            {
                Assert.True(types.SequenceEqual(["string", "integer"]), $"{where}: a converter field takes a string or an integer, the schema says {string.Join("|", types)}");
            }
            else if (t == typeof(int))
            {
                Assert.True(types.SequenceEqual(["integer"]), $"{where}: schema {string.Join("|", types)}");
                if (s.TryGetProperty("maximum", out JsonElement max))
                {
                    Assert.True(max.GetDouble() <= int.MaxValue, where);
                }
                else
                {
                    Assert.True(s.TryGetProperty("enum", out _), $"{where}: an integer needs a maximum the record can hold");
                }
            }
            else if (t == typeof(double))
            {
                Assert.True(types.SequenceEqual(["number"]), $"{where}: schema {string.Join("|", types)}");
            }
            else if (t == typeof(string))
            {
                Assert.True(types.SequenceEqual(["string"]), $"{where}: schema {string.Join("|", types)}");
            }
            else if (t == typeof(bool))
            {
                Assert.True(types.SequenceEqual(["boolean"]), $"{where}: schema {string.Join("|", types)}");
            }
            else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            {
                Assert.True(types.SequenceEqual(["array"]), $"{where}: schema {string.Join("|", types)}");
                string item = s.GetProperty("items").GetProperty("$ref").GetString()!;
                Assert.Equal(Pairs.Single(x => (Type)x[1] == t.GetGenericArguments()[0])[0], item["#/$defs/".Length..]);
            }
            else
            {
                string reference = s.GetProperty("$ref").GetString()!;
                Assert.Equal(Pairs.Single(x => (Type)x[1] == t)[0], reference["#/$defs/".Length..]);
            }
        }
    }

    [Fact]
    public void The_enums_the_loader_maps_are_the_schemas_enums()
    {
        foreach ((string key, IReadOnlyCollection<string> names) in RigLoader.Choices)
        {
            string[] parts = key.Split('.');
            var schemaNames = Def(parts[0]).GetProperty("properties").GetProperty(parts[1]).GetProperty("enum").EnumerateArray().Select(x => x.GetString()!).Order();
            Assert.Equal(schemaNames, names.Order());
        }
    }

    [Fact]
    public void The_embedded_schema_is_the_published_file()
    {
        string published = File.ReadAllText(Path.Combine(Repo.Root, "hardware", "rigs", "rig.schema.json"));
        Assert.Equal(published, RigSchema.Text);
    }

    [Fact]
    public void Every_shipped_rig_file_validates_against_the_published_schema_and_points_to_it()
    {
        JsonSchema schema = JsonSchema.FromFile(Path.Combine(Repo.Root, "hardware", "rigs", "rig.schema.json"), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        foreach (string file in Directory.GetFiles(Path.Combine(Repo.Root, "hardware", "rigs"), "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)))
        {
            using JsonDocument rig = JsonDocument.Parse(File.ReadAllText(file));
            EvaluationResults result = schema.Evaluate(rig.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"{file}: {string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Value}")))}");
            Assert.Equal("./rig.schema.json", rig.RootElement.GetProperty("$schema").GetString());
        }
    }

    [Fact]
    public void The_strict_options_refuse_what_the_schema_would_have_refused()
    {
        // Defence in depth: the typed read alone (no schema) refuses coercions, unknown keys, nulls and missing keys.
        string[] bad =
        [
            """{ "id": "p", "type": "sunspec", "host": "h", "unitId": "1" }""",
            """{ "id": "p", "type": "sunspec", "host": "h", "revertTimeoutS": 2.9 }""",
            """{ "id": "p", "type": "sunspec", "host": "h", "invertSign": "true" }""",
            """{ "id": "p", "type": "sunspec", "host": "h", "revertTimeoutSec": 3 }""",
            """{ "id": "p", "type": "sunspec", "host": null }""",
            """{ "id": "p", "type": "sunspec" }""",
            """{ "id": "p", "type": "sunspec", "host": "h", "unitId": 1e400 }""",
        ];
        foreach (string json in bad)
        {
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<RigInverterEntry>(json, RigLoader.SerializerOptions));
        }

        RigInverterEntry ok = JsonSerializer.Deserialize<RigInverterEntry>("""{ "id": "p", "type": "sunspec", "host": "h", "unitId": 7 }""", RigLoader.SerializerOptions)!;
        Assert.Equal(7, ok.UnitId);
    }
}
