namespace Edge.Core.Devices;

/// <summary>
/// Capability: a battery inverter (PCS) that takes an active-power setpoint.
/// Both members are non-blocking: the driver's own I/O worker talks to the device; the control loop only
/// reads the latest state and posts the latest setpoint (docs/DESIGN.md §3, actuate phase).
/// </summary>
public interface IBatteryInverter
{
    /// <summary>Stable identifier used in configuration, topics and logs.</summary>
    string Id { get; }

    /// <summary>Latest known state. Returns false when the device has never answered.</summary>
    bool TryReadState(out InverterState state);

    /// <summary>
    /// Posts a setpoint in Edge's sign convention (positive = discharge). Replaces any setpoint not yet written;
    /// never blocks, never allocates, never throws.
    /// </summary>
    /// <param name="setpointW">Requested AC power, W.</param>
    /// <param name="nowNs">Loop time of the decision, ns (for latency accounting).</param>
    void PostSetpoint(double setpointW, long nowNs);
}
