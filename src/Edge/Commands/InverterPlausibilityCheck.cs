using Edge.Core.Devices;
using Edge.Modbus.Inverter;

namespace Edge.Commands;

/// <summary>
/// For <c>edge check</c>: why an inverter is <see cref="InverterHealth.Misconfigured"/> — the implausible point and
/// value its driver found (e.g. <c>802 SoCMax = 0: must be in (0, 100] % …</c>) — so the FAIL line names what to fix.
/// </summary>
internal static class InverterPlausibilityCheck
{
    /// <summary>" — 802 SoCMax = 0: …" for a misconfigured Modbus inverter, else empty.</summary>
    public static string Detail(IBatteryInverter inverter, in InverterState state) =>
        state.Health == InverterHealth.Misconfigured && inverter is ModbusInverter m && m.LastError.Length > 0
            ? " — " + m.LastError
            : string.Empty;
}
