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
                log.LogInformation("inverter {Id}: online", inverter.Id);
            }
            else
            {
                log.LogWarning("inverter {Id}: {Health}{Why}", inverter.Id, health == InverterHealth.Offline ? "offline" : health.ToString(), why);
            }
        }
    }
}
