using Edge.Core.Devices;
using Edge.Modbus.Inverter;
using Microsoft.Extensions.Logging;

namespace Edge.Daemon;

/// <summary>
/// One log line per inverter health change (online ↔ offline, fault, lease lost, …), not only MQTT (issue 11 item 5).
/// Called from the supervisor thread, never from the loop.
/// </summary>
internal sealed class DeviceHealthLog(IReadOnlyList<IBatteryInverter> inverters, ILogger log)
{
    private readonly InverterHealth?[] _last = new InverterHealth?[inverters.Count];
    private readonly bool[] _wasOk = new bool[inverters.Count];

    /// <summary>Reads every inverter's health and logs the ones that changed since the last call.</summary>
    public void Check()
    {
        for (int i = 0; i < inverters.Count; i++)
        {
            IBatteryInverter inverter = inverters[i];
            InverterHealth health = inverter.TryReadState(out InverterState state) ? state.Health : state.Health == InverterHealth.Missing ? InverterHealth.Missing : InverterHealth.Offline;
            if (_last[i] == health)
            {
                continue;
            }

            bool first = _last[i] is null;
            _last[i] = health;
            if (first && health == InverterHealth.Missing)
            {
                continue; // not answered yet at start: the first real state is logged
            }

            string why = inverter is ModbusInverter m && health != InverterHealth.Ok && m.LastError.Length > 0 ? $" ({m.LastError})" : "";
            if (health == InverterHealth.Ok)
            {
                _wasOk[i] = true;
                log.LogInformation("inverter {Id}: online", inverter.Id);
            }
            else if (health == InverterHealth.NotEnabled && !_wasOk[i] && inverter is ModbusInverter { IsInLocalControl: false })
            {
                // The normal start sequence: the device answers before the driver has taken the lease, programmed its
                // ramp and revert and enabled remote control. Not a warning (local control still is one).
                log.LogInformation("inverter {Id}: answering; taking control (lease, ramp and revert programming, enable)", inverter.Id);
            }
            else
            {
                log.LogWarning("inverter {Id}: {Health}{Why}", inverter.Id, health == InverterHealth.Offline ? "offline" : health.ToString(), why);
            }
        }
    }
}
