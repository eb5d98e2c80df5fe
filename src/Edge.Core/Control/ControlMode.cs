namespace Edge.Core.Control;

/// <summary>Operating mode of the smoothing controller (docs/DESIGN.md §4). Every change takes effect through the ramp limiter.</summary>
public enum ControlMode : byte
{
    /// <summary>Smoothing: the grid follows a ramp- and band-limited target; the battery absorbs the rest.</summary>
    Auto = 0,
    /// <summary>Grid target frozen where it is; the battery absorbs load changes within its limits.</summary>
    Hold,
    /// <summary>Battery setpoint ramps to 0 within the ramp limit; then the grid follows the load.</summary>
    Standby,
    /// <summary>Entered by the daemon on a fault; behaves as standby until cleared by an operator.</summary>
    Fault,
}
