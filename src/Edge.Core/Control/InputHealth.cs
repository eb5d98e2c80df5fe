namespace Edge.Core.Control;

/// <summary>Health flags of a tick's inputs, set by the sample phase.</summary>
[Flags]
public enum InputHealth : ushort
{
    /// <summary>All inputs fresh and complete.</summary>
    None = 0,
    /// <summary>At least one rack sensor was replaced by an estimate.</summary>
    LoadDegraded = 1 << 0,
    /// <summary>No usable rack load at all (the controller holds the battery where it is, then ramps it out).</summary>
    LoadMissing = 1 << 1,
    /// <summary>No usable battery (every inverter offline or faulted): the setpoint is 0.</summary>
    BatteryUnavailable = 1 << 2,
    /// <summary>The E-stop input is asserted: the setpoint steps to 0 W at once (the one deliberate step).</summary>
    EmergencyStop = 1 << 3,
    /// <summary>The site meter was configured but did not deliver this period.</summary>
    GridMeterStale = 1 << 4,
}
