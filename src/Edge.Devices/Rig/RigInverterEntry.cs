using System.Text.Json.Serialization;

namespace Edge.Devices.Rig;

/// <summary>
/// An <c>inverters[]</c> entry of a rig file, typed and range-checked by the loader (schema: <c>$defs/inverter</c>):
/// a SunSpec battery inverter on Modbus TCP. Optional members are null when absent; the driver applies its defaults.
/// </summary>
public sealed record RigInverterEntry
{
    /// <summary>Identifier, unique across the rig.</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }

    /// <summary>Protocol: <c>sunspec</c>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    /// <summary>Host name or address of the inverter or its gateway.</summary>
    [JsonPropertyName("host")] public required string Host { get; init; }

    /// <summary>Modbus TCP port (default 502).</summary>
    [JsonPropertyName("port")] public int? Port { get; init; }

    /// <summary>Modbus unit id, 1–247 (default 1).</summary>
    [JsonPropertyName("unitId")] public int? UnitId { get; init; }

    /// <summary>Rated power, W (0 or absent = read from the device).</summary>
    [JsonPropertyName("ratedPowerW")] public double? RatedPowerW { get; init; }

    /// <summary>Usable capacity, Wh (0 or absent = read from the device).</summary>
    [JsonPropertyName("capacityWh")] public double? CapacityWh { get; init; }

    /// <summary>Revert timeout programmed into the device, whole seconds.</summary>
    [JsonPropertyName("revertTimeoutS")] public int? RevertTimeoutS { get; init; }

    /// <summary>Ramp limit programmed into the device, % of rated power per second.</summary>
    [JsonPropertyName("rampPctPerS")] public double? RampPctPerS { get; init; }

    /// <summary>
    /// Deadband of the device-fallback tracking, W: the reversion setpoint (<c>WSetRvrt</c>) is rewritten only when the
    /// setpoint moved by more than this (default 0: every change, at most once a second).
    /// </summary>
    [JsonPropertyName("revertTrackDeadbandW")] public double? RevertTrackDeadbandW { get; init; }

    /// <summary>True for devices with the opposite sign convention.</summary>
    [JsonPropertyName("invertSign")] public bool? InvertSign { get; init; }

    /// <summary>JSON path of the entry, e.g. <c>$.inverters[0]</c> (set by the loader).</summary>
    [JsonIgnore] public string Path { get; init; } = "$";
}
