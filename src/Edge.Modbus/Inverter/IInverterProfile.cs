using Edge.Modbus.Client;

namespace Edge.Modbus.Inverter;

/// <summary>
/// What <see cref="ModbusInverter"/> needs to know about one family of devices — SunSpec 704/124
/// (<see cref="SunSpecProfile"/>) or a vendor register map described as data (<see cref="MappedProfile"/>): how to find
/// the registers, read the state, program the device's own safety net and write a setpoint. Called only from the
/// inverter's I/O worker thread. Values are in the device's sign convention (the driver applies
/// <see cref="ModbusInverterOptions.InvertSign"/>) but always in W.
/// </summary>
public interface IInverterProfile
{
    /// <summary>A short description for logs ("SunSpec 704", a map's name).</summary>
    string Description { get; }

    /// <summary>
    /// The measured power's point as an implausible reading names it (SunSpec <c>701 W</c>, a map's
    /// <c>power (register N)</c>); a constant or built once: the driver's poll allocates nothing.
    /// </summary>
    string PowerPoint => "measured power";

    /// <summary>Address of the controller heartbeat register used for the single-writer lease, or −1 when there is none.</summary>
    int ControllerHeartbeatAddress { get; }

    /// <summary>
    /// Finds the register layout (SunSpec discovery). False with a reason when the device cannot be used; the driver
    /// tells a link failure from an unusable device by <see cref="ModbusTcpClient.IsConnected"/>. May allocate.
    /// </summary>
    bool TryResolve(ModbusTcpClient client, byte unitId, out string error);

    /// <summary>Reads measured power, SoC, limits, faults and heartbeats. Allocation-free.</summary>
    ModbusResult Poll(ModbusTcpClient client, byte unitId, out InverterReading reading);

    /// <summary>
    /// Programs the device's ramp limit (% of rated power per second) and revert timeout (s, to 0 W), then enables
    /// remote control at <paramref name="deviceW"/> (the measured power: bumpless).
    /// </summary>
    ModbusResult Configure(ModbusTcpClient client, byte unitId, double rampPctPerS, int revertTimeoutS, double ratedW, double deviceW);

    /// <summary>Writes one setpoint, W, in one transaction. Allocation-free.</summary>
    ModbusResult WriteSetpoint(ModbusTcpClient client, byte unitId, double deviceW);

    /// <summary>
    /// True when the device holds a programmable reversion setpoint (704 <c>WSetRvrt</c> with <c>WSetEnaRvrt</c> = 1):
    /// the driver then keeps it tracking the current setpoint, so that a device nobody writes to any more holds its
    /// power instead of dropping to 0 W (a step: SunSpec does not ramp decreases).
    /// </summary>
    bool CanTrackRevert => false;

    /// <summary>Writes the reversion setpoint, W (only when <see cref="CanTrackRevert"/>). Allocation-free.</summary>
    ModbusResult WriteRevertSetpoint(ModbusTcpClient client, byte unitId, double deviceW) =>
        throw new NotSupportedException($"{Description} has no reversion setpoint");
}
