namespace Edge.Modbus.Inverter;

/// <summary>
/// Who may write to the inverters right now: the daemon or the guard, never both (docs/guard.md). The daemon's
/// <see cref="ModbusInverter"/> asks <see cref="IsHeld"/> before every Modbus write and reports every posted setpoint
/// through <see cref="Beat"/> — the heartbeat the guard watches. Both members are called on hot paths: allocation-free,
/// lock-free, no system calls.
/// </summary>
public interface IActuationLease
{
    /// <summary>True while this process owns the inverters (the shared owner epoch is the one it took).</summary>
    bool IsHeld { get; }

    /// <summary>A slot for inverter <paramref name="id"/> in the heartbeat (its setpoint is published there).</summary>
    int SlotOf(string id);

    /// <summary>The control loop posted <paramref name="setpointW"/> to the inverter in <paramref name="slot"/>: one heartbeat.</summary>
    void Beat(int slot, double setpointW);
}
