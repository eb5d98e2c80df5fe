namespace Edge.Simulation.Inverter;

/// <summary>Faults that can be injected into a simulated PCS (combinable).</summary>
[Flags]
public enum PcsFaults
{
    /// <summary>No fault.</summary>
    None = 0,
    /// <summary>Every write is answered with exception 4 (server device failure); reads still work.</summary>
    RefuseWrites = 1,
    /// <summary>Measurements and the battery heartbeat stop updating; the power stage holds its output.</summary>
    Freeze = 2,
    /// <summary>Open connections are dropped and new ones refused.</summary>
    DropConnection = 4,
    /// <summary>The PCS trips: output steps to 0 W, state FAULT, alarm set; writes are ignored until an alarm reset.</summary>
    Trip = 8,
    /// <summary>Requests are received but never answered (the client times out).</summary>
    Mute = 16,
}
