using System.Text.Json.Serialization;

namespace Edge.Devices.Rig;

/// <summary>
/// A <c>meters[]</c> entry of a rig file, typed and range-checked by the loader (schema: <c>$defs/meter</c>): the
/// site meter on Modbus TCP. Optional members are null when absent; the driver applies its defaults.
/// </summary>
public sealed record RigMeterEntry
{
    /// <summary>Identifier, unique across the rig.</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }

    /// <summary>Protocol: <c>modbus</c>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    /// <summary>What it measures: <c>site</c> (default).</summary>
    [JsonPropertyName("role")] public string? Role { get; init; }

    /// <summary>A built-in register map name or the path of a map file.</summary>
    [JsonPropertyName("map")] public required string Map { get; init; }

    /// <summary>Host name or address.</summary>
    [JsonPropertyName("host")] public required string Host { get; init; }

    /// <summary>Modbus TCP port (default 502).</summary>
    [JsonPropertyName("port")] public int? Port { get; init; }

    /// <summary>Modbus unit id, 1–247 (default 1).</summary>
    [JsonPropertyName("unitId")] public int? UnitId { get; init; }

    /// <summary>Poll period, ms (default 100).</summary>
    [JsonPropertyName("pollPeriodMs")] public int? PollPeriodMs { get; init; }

    /// <summary>True when the meter counts export as positive.</summary>
    [JsonPropertyName("invertSign")] public bool? InvertSign { get; init; }

    /// <summary>JSON path of the entry, e.g. <c>$.meters[0]</c> (set by the loader).</summary>
    [JsonIgnore] public string Path { get; init; } = "$";
}
