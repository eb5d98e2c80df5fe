namespace Edge.Simulation.Inverter;

/// <summary>A consistent copy of a simulated PCS's state, taken under the simulator's lock.</summary>
/// <param name="TimeS">Simulated time, s.</param>
/// <param name="PowerW">AC power, W (positive = discharging).</param>
/// <param name="ReferenceW">Ramped reference fed to the power stage, W.</param>
/// <param name="SetpointW">Commanded setpoint, W.</param>
/// <param name="SetpointEnabled">True when the setpoint function is enabled.</param>
/// <param name="SocPct">State of charge, %.</param>
/// <param name="RampPctPerS">Programmed ramp limit, % of rated power per second.</param>
/// <param name="RevertTimeS">Programmed reversion time, s.</param>
/// <param name="RevertCount">Times the reversion timer fired.</param>
/// <param name="ControlWrites">Accepted control writes.</param>
/// <param name="Tripped">True while a trip is latched.</param>
/// <param name="ControllerHeartbeat">Last value written to 802 <c>CtrlHb</c>.</param>
public readonly record struct PcsSnapshot(
    double TimeS,
    double PowerW,
    double ReferenceW,
    double SetpointW,
    bool SetpointEnabled,
    double SocPct,
    double RampPctPerS,
    double RevertTimeS,
    int RevertCount,
    long ControlWrites,
    bool Tripped,
    ushort ControllerHeartbeat);
