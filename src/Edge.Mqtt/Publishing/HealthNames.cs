using Edge.Core.Devices;

namespace Edge.Mqtt.Publishing;

/// <summary>The published names of device health values (JSON detail topics and Sparkplug device metrics alike).</summary>
public static class HealthNames
{
    private static readonly string[] Sensors = ["ok", "stale", "out_of_range", "not_a_number", "stuck_at", "bus_error", "missing"];

    private static readonly string[] Inverters = ["ok", "stale", "offline", "fault", "not_enabled", "lease_lost", "missing", "misconfigured"];

    /// <summary>Sensor health names, indexed by <see cref="SensorHealth"/>.</summary>
    public static IReadOnlyList<string> SensorNames => Sensors;

    /// <summary>Inverter health names, indexed by <see cref="InverterHealth"/>.</summary>
    public static IReadOnlyList<string> InverterNames => Inverters;

    /// <summary>The name of a sensor health ("unknown" outside the enumeration). Allocation-free.</summary>
    public static string Of(SensorHealth h) => (uint)h < (uint)Sensors.Length ? Sensors[(int)h] : "unknown";

    /// <summary>The name of an inverter health ("unknown" outside the enumeration). Allocation-free.</summary>
    public static string Of(InverterHealth h) => (uint)h < (uint)Inverters.Length ? Inverters[(int)h] : "unknown";
}
