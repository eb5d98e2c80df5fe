namespace Edge.Modbus.Inverter;

/// <summary>One poll of an inverter, in the device's sign convention. Unknown quantities are NaN (heartbeats −1).</summary>
public readonly record struct InverterReading
{
    /// <summary>Measured AC power, W.</summary>
    public double PowerW { get; init; }

    /// <summary>State of charge, %.</summary>
    public double SocPct { get; init; }

    /// <summary>Charge power the device accepts now, W (NaN: unknown, the rated power is used).</summary>
    public double AllowedChargeW { get; init; }

    /// <summary>Discharge power the device can deliver now, W (NaN: unknown, the rated power is used).</summary>
    public double AllowedDischargeW { get; init; }

    /// <summary>Usable capacity, Wh.</summary>
    public double CapacityWh { get; init; }

    /// <summary>Rated power the device reports, W.</summary>
    public double RatedW { get; init; }

    /// <summary>True when the device reports a fault, trip or alarm.</summary>
    public bool Fault { get; init; }

    /// <summary>True when the device is in local control (remote setpoints are ignored).</summary>
    public bool Local { get; init; }

    /// <summary>The device's own heartbeat counter (802 <c>Hb</c>), or −1.</summary>
    public int BatteryHeartbeat { get; init; }

    /// <summary>The controller heartbeat register's value (802 <c>CtrlHb</c>), or −1.</summary>
    public int ControllerHeartbeat { get; init; }

    /// <summary>A value the device cannot truly have (the driver reports the inverter misconfigured), or none.</summary>
    public Implausible Implausible { get; init; }
}
